using System.Security.Claims;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tenancy;

namespace OpsConsole.Web.Api;

public sealed record CreateApiKeyRequest(string? Name, string? Scope, string? Role, string? TenantId, DateTimeOffset? ExpiresAt);
public sealed record CreatedApiKey(ApiKeyView ApiKey, string Key);
public sealed record CreateUserRequest(string? UserName, string? DisplayName, string? Password, string? Role, string? TenantId);
public sealed record UserView(Guid Id, string UserName, string DisplayName, string Role, string? TenantId, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt, bool LockedOut)
{
    public static UserView From(UserEntity u, DateTimeOffset now) =>
        new(u.Id, u.UserName, u.DisplayName, u.RoleName, u.TenantId, u.CreatedAt, u.LastSignInAt, u.LockoutEndsAt > now);
}
public sealed record CreateTenantRequest(string? Id, string? DisplayName, string? Plan);
public sealed record TenantView(string Id, string DisplayName, string Plan, DateTimeOffset CreatedAt, long? IngestItemsPerMinute = null, long? IngestBytesPerDay = null);
public sealed record AuditEntryView(long Id, DateTimeOffset At, string Actor, string Action, string TargetType, string? TargetId, string? TenantId, string? Before, string? After);
public sealed record MeView(string Name, string DisplayName, string? Role, string? TenantId, string Scope, string AuthenticationType);

/// <summary>Who am I, and the admin API: API keys, users, tenants and the audit log.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/me", (ClaimsPrincipal user) => new MeView(
                user.GetActor(), user.GetDisplayName(), user.GetRole()?.ToString(), user.GetTenantId(),
                user.FindFirstValue(OpsClaims.Scope) ?? "", user.Identity?.AuthenticationType ?? ""))
            .WithName("GetMe").WithTags("Account");

        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(Policies.Admin).WithTags("Admin");

        admin.MapGet("/api-keys", async (ApiKeyRepository keys, bool? includeRevoked, CancellationToken ct) =>
            (await keys.ListAsync(includeRevoked ?? false, ct)).Select(ApiKeyView.From));

        admin.MapPost("/api-keys", CreateApiKeyAsync);

        admin.MapDelete("/api-keys/{id:guid}", async (Guid id, ApiKeyRepository keys, AuditTrail audit, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var key = await keys.FindAsync(id, ct);
            if (key is null || !await keys.RevokeAsync(id, http.User.GetActor(), time.GetUtcNow(), ct))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: key is null ? $"No API key with id {id}." : $"API key {id} is already revoked.");
            }

            await audit.RecordAsync(http.User, "apikey.revoke", "apikey", id.ToString(), key.TenantId,
                before: ApiKeyView.From(key), remoteAddress: Remote(http), ct: ct);
            return Results.NoContent();
        });

        admin.MapGet("/users", async (UserRepository users, TimeProvider time, CancellationToken ct) =>
            (await users.ListAsync(ct)).Select(u => UserView.From(u, time.GetUtcNow())));

        admin.MapPost("/users", CreateUserAsync);

        admin.MapGet("/tenants", async (TenantRepository tenants, CancellationToken ct) =>
            (await tenants.ListAsync(ct)).Select(TenantAdministration.ToView));

        admin.MapPost("/tenants", async (CreateTenantRequest request, TenantAdministration tenants, HttpContext http, CancellationToken ct) =>
        {
            var change = await tenants.CreateAsync(request, http.User, Remote(http), ct);
            return change.Tenant is { } view
                ? Results.Created($"/api/v1/admin/tenants/{view.Id}", view)
                : Results.ValidationProblem(change.Errors, detail: "Nothing was created; fix the fields listed.");
        });

        // The tenant with its plan, overrides, effective quotas and current use (the Tenants settings page shows the same).
        admin.MapGet("/tenants/{id}", async (string id, TenantAdministration tenants, CancellationToken ct) =>
            await tenants.FindAsync(id, ct) is { } view ? Results.Ok(view) : UnknownTenant(id));

        admin.MapPut("/tenants/{id}", async (string id, UpdateTenantRequest request, TenantAdministration tenants, HttpContext http, CancellationToken ct) =>
        {
            var change = await tenants.UpdateAsync(id, request, http.User, Remote(http), ct);
            return change switch
            {
                { NotFound: true } => UnknownTenant(id),
                { Tenant: { } view } => Results.Ok(view),
                _ => Results.ValidationProblem(change.Errors, detail: "Nothing was changed; fix the fields listed."),
            };
        });

        admin.MapGet("/audit", async (AuditLog log, string? actor, string? action, string? tenant, DateTimeOffset? from, DateTimeOffset? to, int? limit, CancellationToken ct) =>
        {
            var take = limit ?? 100;
            if (take is < 1 or > AuditLog.MaxLimit)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {AuditLog.MaxLimit}."] });
            }

            if (from is not null && to is not null && from >= to)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must be before to."] });
            }

            var entries = await log.QueryAsync(new AuditQuery(tenant, actor, action, from, to, take), ct);
            return Results.Ok(entries.Select(e => new AuditEntryView(e.Id, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.TenantId, e.Before, e.After)));
        });

        return app;
    }

    private static async Task<IResult> CreateApiKeyAsync(CreateApiKeyRequest request, ApiKeyService apiKeys, TenantRepository tenants, AuditTrail audit, TimeProvider time, HttpContext http, CancellationToken ct)
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
            if (request.Role is not null)
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
                    errors[ex.ParamName ?? "scope"] = [StripParamSuffix(ex)];
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
            return Results.ValidationProblem(errors);
        }

        var (view, key) = await apiKeys.CreateAsync(name!, scope, request.ExpiresAt, http.User.GetActor(), ct);
        await audit.RecordAsync(http.User, "apikey.create", "apikey", view.Id.ToString(), view.TenantId, after: view, remoteAddress: Remote(http), ct: ct);
        return Results.Created($"/api/v1/admin/api-keys/{view.Id}", new CreatedApiKey(view, key));
    }

    private static async Task<IResult> CreateUserAsync(CreateUserRequest request, AccountService accounts, TenantRepository tenants, AuditTrail audit, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.UserName))
        {
            errors["userName"] = ["userName is required."];
        }

        if (!Roles.TryParse(request.Role, out var role))
        {
            errors["role"] = ["role must be Admin, Operator, Executive or TenantAdmin."];
        }

        if (PasswordPolicy.Check(request.Password) is { } weak)
        {
            errors["password"] = [weak];
        }

        if (!errors.ContainsKey("role") && Roles.IsTenantBound(role) && (request.TenantId is null || !TenantIds.IsValid(request.TenantId) || await tenants.FindAsync(request.TenantId, ct) is null))
        {
            errors["tenantId"] = [$"A TenantAdmin needs an existing tenant; '{request.TenantId}' is not one."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        try
        {
            var user = await accounts.CreateUserAsync(request.UserName!, request.DisplayName ?? "", request.Password!, role, request.TenantId, ct: ct);
            var view = UserView.From(user, time.GetUtcNow());
            await audit.RecordAsync(http.User, "user.create", "user", user.Id.ToString(), user.TenantId, after: view, remoteAddress: Remote(http), ct: ct);
            return Results.Created($"/api/v1/admin/users/{user.Id}", view);
        }
        catch (ArgumentException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.ParamName ?? "user"] = [StripParamSuffix(ex)] });
        }
    }

    private static IResult UnknownTenant(string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
        detail: $"No tenant with id '{id}'; GET /api/v1/admin/tenants lists them.");

    private static string? Remote(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static string StripParamSuffix(ArgumentException ex) =>
        ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);
}
