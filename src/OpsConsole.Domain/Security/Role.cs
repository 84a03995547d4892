namespace OpsConsole.Domain.Security;

/// <summary>The four roles of OpsConsole. A role is the whole of a person's (or API key's) rights.</summary>
public enum Role
{
    /// <summary>Everything, including users, tenants, keys and settings.</summary>
    Admin = 1,

    /// <summary>On-call: read everything operational, acknowledge and silence alerts.</summary>
    Operator = 2,

    /// <summary>Read-only viewer of dashboards.</summary>
    Executive = 3,

    /// <summary>Sees one tenant's data and nothing else.</summary>
    TenantAdmin = 4,
}

public static class Roles
{
    public const string Admin = nameof(Role.Admin);
    public const string Operator = nameof(Role.Operator);
    public const string Executive = nameof(Role.Executive);
    public const string TenantAdmin = nameof(Role.TenantAdmin);

    public static IReadOnlyList<Role> All { get; } = [Role.Admin, Role.Operator, Role.Executive, Role.TenantAdmin];

    /// <summary>Whether a principal with this role must be bound to exactly one tenant.</summary>
    public static bool IsTenantBound(Role role) => role == Role.TenantAdmin;

    public static string Describe(Role role) => role switch
    {
        Role.Admin => "Administrator: users, tenants, keys, rules, channels and everything operators can do",
        Role.Operator => "On-call operator: alerts, silences, traces, logs and all dashboards",
        Role.Executive => "Executive viewer: read-only dashboards",
        Role.TenantAdmin => "Tenant admin: one tenant's usage and data only",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    /// <summary>
    /// Parses a role name, case-insensitively (surrounding white space ignored). Numbers and comma-separated lists
    /// are rejected: <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> would read "Admin,Operator" as the
    /// flags 1|2, which is <see cref="Role.Executive"/>.
    /// </summary>
    public static bool TryParse(string? value, out Role role)
    {
        role = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var name = value.Trim();
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                role = candidate;
                return true;
            }
        }

        return false;
    }
}
