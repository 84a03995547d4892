using OpsConsole.Data.Entities;
using OpsConsole.Domain.Security;

namespace OpsConsole.Data.Tests.Infrastructure;

/// <summary>Entities with unique names (test classes share one database per class) and a fixed clock.</summary>
public static class TestData
{
    /// <summary>A fixed instant with milliseconds, the precision both providers keep.</summary>
    public static readonly DateTimeOffset BaseTime = new(2026, 11, 22, 9, 30, 15, 123, TimeSpan.Zero);

    public static string UniqueSlug(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static TenantEntity Tenant(string? id = null, DateTimeOffset? createdAt = null) => new()
    {
        Id = id ?? UniqueSlug("t"),
        DisplayName = "Acme Corporation",
        Plan = "enterprise",
        CreatedAt = createdAt ?? BaseTime,
        IsDemo = false,
    };

    public static UserEntity User(string? userName = null, Role role = Role.Operator, string? tenantId = null) => new()
    {
        Id = Guid.NewGuid(),
        UserName = userName ?? UniqueSlug("user"),
        NormalizedUserName = string.Empty, // the repository sets it
        DisplayName = "Ada Lovelace",
        PasswordHash = "AQAAAAIAAYagAAAAE-not-a-real-hash",
        RoleName = role.ToString(),
        TenantId = tenantId,
        SecurityStamp = Guid.NewGuid().ToString("N"),
        CreatedAt = BaseTime,
    };

    public static ApiKeyEntity ApiKey(string? prefix = null, string? name = null, DateTimeOffset? createdAt = null, string? tenantId = null) => new()
    {
        Id = Guid.NewGuid(),
        Name = name ?? "ingest from collector",
        Prefix = prefix ?? Guid.NewGuid().ToString("N")[..8],
        SecretHash = new string('a', 64),
        ScopeKind = tenantId is null ? ApiKeyScopeKind.Role.ToString() : ApiKeyScopeKind.Ingest.ToString(),
        RoleName = tenantId is null ? Role.Operator.ToString() : null,
        TenantId = tenantId,
        CreatedAt = createdAt ?? BaseTime,
        CreatedBy = "admin",
    };

    public static AuditLogEntryEntity AuditEntry(DateTimeOffset at, string actor = "admin", string action = "user.create", string? tenantId = null) => new()
    {
        At = at,
        Actor = actor,
        Action = action,
        TargetType = "user",
        TargetId = "42",
        TenantId = tenantId,
    };
}
