using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Domain.Security;

/// <summary>
/// What an API key may do: <see cref="Ingest"/> sends telemetry for its tenant and reads nothing;
/// <see cref="Role"/> reads and acts exactly as a person with that role (and, for TenantAdmin, that tenant) could.
/// </summary>
public enum ApiKeyScopeKind
{
    Ingest = 1,
    Role = 2,
}

/// <summary>A validated API key scope. Construct through <see cref="Create"/>, which enforces the invariants.</summary>
public sealed record ApiKeyScope
{
    private ApiKeyScope(ApiKeyScopeKind kind, Role? role, string? tenantId)
    {
        Kind = kind;
        Role = role;
        TenantId = tenantId;
    }

    public ApiKeyScopeKind Kind { get; }

    /// <summary>The role whose rights the key carries; null for ingest keys.</summary>
    public Role? Role { get; }

    /// <summary>The tenant the key is bound to: required for ingest and TenantAdmin keys, absent otherwise.</summary>
    public string? TenantId { get; }

    public static ApiKeyScope ForIngest(string tenantId) => Create(ApiKeyScopeKind.Ingest, null, tenantId);

    public static ApiKeyScope ForRole(Role role, string? tenantId = null) => Create(ApiKeyScopeKind.Role, role, tenantId);

    /// <summary>Creates a scope or throws <see cref="ArgumentException"/> with a message a person can act on.</summary>
    public static ApiKeyScope Create(ApiKeyScopeKind kind, Role? role, string? tenantId)
    {
        switch (kind)
        {
            case ApiKeyScopeKind.Ingest:
                if (role is not null)
                {
                    throw new ArgumentException("An ingest key carries no role; leave 'role' empty.", nameof(role));
                }

                TenantIds.Validate(tenantId, nameof(tenantId));
                return new ApiKeyScope(kind, null, tenantId);
            case ApiKeyScopeKind.Role:
                if (role is null || !Enum.IsDefined(role.Value))
                {
                    throw new ArgumentException("A role key needs a role: Admin, Operator, Executive or TenantAdmin.", nameof(role));
                }

                if (Roles.IsTenantBound(role.Value))
                {
                    TenantIds.Validate(tenantId, nameof(tenantId));
                    return new ApiKeyScope(kind, role, tenantId);
                }

                if (!string.IsNullOrEmpty(tenantId))
                {
                    throw new ArgumentException($"Keys with the {role} role see all tenants; only TenantAdmin and ingest keys take 'tenantId'.", nameof(tenantId));
                }

                return new ApiKeyScope(kind, role, null);
            default:
                throw new ArgumentException("Unknown key scope; use 'ingest' or 'role'.", nameof(kind));
        }
    }
}
