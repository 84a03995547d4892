using System.Security.Claims;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Administration;

/// <summary>
/// API keys as admins manage them (the admin API and the <c>/settings/keys</c> page both come here): create with
/// the clear key returned once, rotate, revoke. Every change is audited with the key's view, never its secret.
/// </summary>
public sealed class ApiKeyAdministration(ApiKeyRepository keys, ApiKeyService apiKeys, TenantRepository tenants, AuditTrail audit, TimeProvider time)
{
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(bool includeRevoked, CancellationToken ct) =>
        [.. (await keys.ListAsync(includeRevoked, ct)).Select(ApiKeyView.From)];

    /// <summary>Creates a key; throws <see cref="AdminProblem"/> (400) naming each bad field.</summary>
    public async Task<CreatedApiKey> CreateAsync(ClaimsPrincipal actor, CreateApiKeyRequest request, string? remoteAddress, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > ApiKeyService.MaxNameLength)
        {
            errors["name"] = [$"A name of 1-{ApiKeyService.MaxNameLength} characters is required, e.g. \"ci-ingest\"."];
        }

        ApiKeyScope? scope = null;
        if (!Enum.TryParse<ApiKeyScopeKind>(request.Scope, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(request.Scope, out _))
        {
            errors["scope"] = ["scope must be \"ingest\" or \"role\"."];
        }
        else
        {
            Role? role = null;
            if (!string.IsNullOrEmpty(request.Role))
            {
                if (Roles.TryParse(request.Role, out var parsed))
                {
                    role = parsed;
                }
                else
                {
                    errors["role"] = [$"Unknown role '{request.Role}'; use Admin, Operator, Executive or TenantAdmin."];
                }
            }

            if (!errors.ContainsKey("role"))
            {
                try
                {
                    scope = ApiKeyScope.Create(kind, role, string.IsNullOrEmpty(request.TenantId) ? null : request.TenantId);
                }
                catch (ArgumentException ex)
                {
                    errors[ex.ParamName ?? "scope"] = [AdminProblem.StripParamSuffix(ex)];
                }
            }
        }

        if (request.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            errors["expiresAt"] = ["expiresAt must be in the future."];
        }

        if (scope?.TenantId is { } tenantId && await tenants.FindAsync(tenantId, ct) is null)
        {
            errors["tenantId"] = [$"Tenant '{tenantId}' does not exist."];
        }

        if (errors.Count > 0 || scope is null)
        {
            throw AdminProblem.Invalid(errors);
        }

        var (view, key) = await apiKeys.CreateAsync(name!, scope, request.ExpiresAt, actor.GetActor(), ct);
        await audit.RecordAsync(actor, "apikey.create", "apikey", view.Id.ToString(), view.TenantId, after: view, remoteAddress: remoteAddress, ct: ct);
        return new CreatedApiKey(view, key);
    }

    /// <summary>
    /// A new secret for the same name, scope and tenant (and the same lifetime, counted from now); the old key is
    /// revoked in the same transaction. Throws <see cref="AdminProblem"/>: 404 unknown, 409 already revoked.
    /// </summary>
    public async Task<CreatedApiKey> RotateAsync(ClaimsPrincipal actor, Guid id, string? remoteAddress, CancellationToken ct)
    {
        var old = await keys.FindAsync(id, ct) ?? throw AdminProblem.NotFound("id", $"No API key with id {id}.");
        if (old.RevokedAt is not null)
        {
            throw AdminProblem.Conflict("id", $"API key {id} is revoked; create a new key instead.");
        }

        var now = time.GetUtcNow();
        var expires = old.ExpiresAt is { } e ? now + (e - old.CreatedAt) : (DateTimeOffset?)null;
        var scope = ApiKeyScope.Create(Enum.Parse<ApiKeyScopeKind>(old.ScopeKind), old.RoleName is null ? null : Enum.Parse<Role>(old.RoleName), old.TenantId);
        var (replacement, key) = apiKeys.Prepare(old.Name, scope, expires, actor.GetActor());
        if (!await keys.RotateAsync(id, replacement, actor.GetActor(), now, ct))
        {
            throw AdminProblem.Conflict("id", $"API key {id} was revoked meanwhile; create a new key instead.");
        }

        var before = ApiKeyView.From(old) with { RevokedAt = now };
        var after = ApiKeyView.From(replacement);
        await audit.RecordAsync(actor, "apikey.rotate", "apikey", id.ToString(), old.TenantId, before: before, after: after, remoteAddress: remoteAddress, ct: ct);
        return new CreatedApiKey(after, key);
    }

    /// <summary>Revokes a key. Throws <see cref="AdminProblem"/>: 404 unknown, 409 already revoked.</summary>
    public async Task RevokeAsync(ClaimsPrincipal actor, Guid id, string? remoteAddress, CancellationToken ct)
    {
        var key = await keys.FindAsync(id, ct) ?? throw AdminProblem.NotFound("id", $"No API key with id {id}.");
        if (!await keys.RevokeAsync(id, actor.GetActor(), time.GetUtcNow(), ct))
        {
            // 404 as before this service existed: a revoked key is gone as far as revoking goes.
            throw AdminProblem.NotFound("id", $"API key {id} is already revoked.");
        }

        await audit.RecordAsync(actor, "apikey.revoke", "apikey", id.ToString(), key.TenantId,
            before: ApiKeyView.From(key), remoteAddress: remoteAddress, ct: ct);
    }
}
