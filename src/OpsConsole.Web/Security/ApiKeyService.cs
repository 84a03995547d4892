using System.Security.Claims;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;

namespace OpsConsole.Web.Security;

/// <summary>A key as shown to admins: never the secret or its hash.</summary>
public sealed record ApiKeyView(
    Guid Id, string Name, string Prefix, string Scope, string? Role, string? TenantId,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyView From(ApiKeyEntity k) => new(
        k.Id, k.Name, k.Prefix, k.ScopeKind.ToLowerInvariant(), k.RoleName, k.TenantId,
        k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);
}

/// <summary>Creates, validates and revokes API keys.</summary>
public sealed class ApiKeyService(ApiKeyRepository keys, TimeProvider time, IHostEnvironment environment)
{
    public const int MaxNameLength = 100;

    /// <summary>Creates a key and returns it in clear text — the only time it is ever available.</summary>
    public async Task<(ApiKeyView View, string Key)> CreateAsync(string name, ApiKeyScope scope, DateTimeOffset? expiresAt, string createdBy, CancellationToken ct)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        var entity = await keys.CreateAsync(ToEntity(name, key, prefix, scope, expiresAt, createdBy, isDemo: false), ct);
        return (ApiKeyView.From(entity), key);
    }

    /// <summary>A new key's entity and clear text, not yet stored (rotation stores it with the old key's revocation).</summary>
    public (ApiKeyEntity Entity, string Key) Prepare(string name, ApiKeyScope scope, DateTimeOffset? expiresAt, string createdBy)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        return (ToEntity(name, key, prefix, scope, expiresAt, createdBy, isDemo: false), key);
    }

    /// <summary>Stores a key whose clear text is already known (Development's documented demo keys only).</summary>
    internal Task<ApiKeyEntity> CreateKnownAsync(string name, string key, ApiKeyScope scope, CancellationToken ct)
    {
        if (!ApiKeyFormat.TryGetPrefix(key, out var prefix))
        {
            throw new ArgumentException("Not an OpsConsole API key.", nameof(key));
        }

        return keys.CreateAsync(ToEntity(name, key, prefix, scope, null, "system", isDemo: true), ct);
    }

    private ApiKeyEntity ToEntity(string name, string key, string prefix, ApiKeyScope scope, DateTimeOffset? expiresAt, string createdBy, bool isDemo) => new()
    {
        Id = Guid.CreateVersion7(),
        Name = name,
        Prefix = prefix,
        SecretHash = ApiKeyFormat.Hash(key),
        ScopeKind = scope.Kind.ToString(),
        RoleName = scope.Role?.ToString(),
        TenantId = scope.TenantId,
        CreatedAt = time.GetUtcNow(),
        CreatedBy = createdBy,
        ExpiresAt = expiresAt,
        IsDemo = isDemo,
    };

    /// <summary>Checks a presented key; returns the principal, or null and a reason that is safe to show the caller.</summary>
    public async Task<(ClaimsPrincipal? Principal, string? Failure)> AuthenticateAsync(string presented, string scheme, CancellationToken ct)
    {
        const string invalid = "The API key is not valid.";
        if (!ApiKeyFormat.TryGetPrefix(presented, out var prefix))
        {
            return (null, "The API key is malformed: expected oc_<prefix>_<secret>.");
        }

        var key = await keys.FindByPrefixAsync(prefix, ct);
        if (key is null || !ApiKeyFormat.Matches(presented, key.SecretHash))
        {
            return (null, invalid);
        }

        var now = time.GetUtcNow();
        if (key.RevokedAt is not null)
        {
            return (null, "The API key has been revoked.");
        }

        if (key.ExpiresAt is { } expires && expires <= now)
        {
            return (null, "The API key has expired.");
        }

        if (key.IsDemo && !environment.IsDevelopment())
        {
            return (null, invalid);
        }

        if (key.LastUsedAt is null || now - key.LastUsedAt.Value > TimeSpan.FromMinutes(1))
        {
            await keys.TouchLastUsedAsync(key.Id, now, ct);
        }

        return (BuildPrincipal(key, scheme), null);
    }

    private static ClaimsPrincipal BuildPrincipal(ApiKeyEntity key, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, key.Id.ToString()),
            new(ClaimTypes.Name, $"apikey:{key.Name}"),
            new(OpsClaims.DisplayName, $"API key {key.Name}"),
        };
        if (key.ScopeKind == nameof(ApiKeyScopeKind.Ingest))
        {
            claims.Add(new Claim(OpsClaims.Scope, OpsClaims.ScopeIngest));
        }
        else
        {
            claims.Add(new Claim(OpsClaims.Scope, OpsClaims.ScopeRole));
            claims.Add(new Claim(ClaimTypes.Role, key.RoleName!));
        }

        if (key.TenantId is not null)
        {
            claims.Add(new Claim(OpsClaims.Tenant, key.TenantId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}
