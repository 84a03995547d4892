namespace OpsConsole.Data.Entities;

/// <summary>A customer of the monitored SaaS. Its id is the slug every tenant-scoped signal carries.</summary>
public sealed class TenantEntity
{
    public required string Id { get; set; }
    public required string DisplayName { get; set; }
    public string Plan { get; set; } = "standard";
    public DateTimeOffset CreatedAt { get; set; }
    public bool IsDemo { get; set; }

    /// <summary>Overrides the plan's items-per-minute ingest quota when set.</summary>
    public long? IngestItemsPerMinute { get; set; }

    /// <summary>Overrides the plan's bytes-per-UTC-day ingest quota when set.</summary>
    public long? IngestBytesPerDay { get; set; }
}

/// <summary>One of the fixed roles (seeded by the migrations); users reference it by name.</summary>
public sealed class RoleEntity
{
    public required string Name { get; set; }
    public required string Description { get; set; }
}

/// <summary>A person who signs in to the console.</summary>
public sealed class UserEntity
{
    public Guid Id { get; set; }

    /// <summary>As typed at creation; unique case-insensitively through <see cref="NormalizedUserName"/>.</summary>
    public required string UserName { get; set; }
    public required string NormalizedUserName { get; set; }
    public required string DisplayName { get; set; }
    public required string PasswordHash { get; set; }
    public required string RoleName { get; set; }
    public RoleEntity? Role { get; set; }

    /// <summary>Set only for TenantAdmin users.</summary>
    public string? TenantId { get; set; }
    public TenantEntity? Tenant { get; set; }

    public int FailedSignInCount { get; set; }
    public DateTimeOffset? LockoutEndsAt { get; set; }

    /// <summary>Changes whenever credentials or rights change; invalidates existing sign-in cookies.</summary>
    public required string SecurityStamp { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
    public bool IsDisabled { get; set; }

    /// <summary>Seeded by Development; never usable outside Development.</summary>
    public bool IsDemo { get; set; }
}

/// <summary>An API key. Only a hash of the secret is stored; the clear key is shown once at creation.</summary>
public sealed class ApiKeyEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The public, unique part of the key used to look it up (the 8 characters after "oc_").</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole key, hex. Keys are 190+ bits of randomness, so a fast hash is the right tool.</summary>
    public required string SecretHash { get; set; }

    /// <summary>"Ingest" or "Role".</summary>
    public required string ScopeKind { get; set; }
    public string? RoleName { get; set; }
    public string? TenantId { get; set; }
    public TenantEntity? Tenant { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public bool IsDemo { get; set; }
}

/// <summary>One operator or admin action: who did what to which target, when, with the state before and after.</summary>
public sealed class AuditLogEntryEntity
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }

    /// <summary>The tenant the target belongs to, so tenant admins can be shown their own entries.</summary>
    public string? TenantId { get; set; }

    /// <summary>JSON snapshots; never secrets.</summary>
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? RemoteAddress { get; set; }
}
