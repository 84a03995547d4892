using System.Security.Claims;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Administration;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tenancy;

namespace OpsConsole.Web.Api;

public sealed record CreateApiKeyRequest(string? Name, string? Scope, string? Role, string? TenantId, DateTimeOffset? ExpiresAt);
public sealed record CreatedApiKey(ApiKeyView ApiKey, string Key);
public sealed record CreateUserRequest(string? UserName, string? DisplayName, string? Password, string? Role, string? TenantId);
public sealed record UserView(Guid Id, string UserName, string DisplayName, string Role, string? TenantId, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt, bool LockedOut, bool Disabled = false)
{
    public static UserView From(UserEntity u, DateTimeOffset now) =>
        new(u.Id, u.UserName, u.DisplayName, u.RoleName, u.TenantId, u.CreatedAt, u.LastSignInAt, u.LockoutEndsAt > now, u.IsDisabled);
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

        admin.MapGet("/api-keys", async (ApiKeyAdministration keys, bool? includeRevoked, CancellationToken ct) =>
            await keys.ListAsync(includeRevoked ?? false, ct));

        admin.MapPost("/api-keys", (CreateApiKeyRequest request, ApiKeyAdministration keys, HttpContext http, CancellationToken ct) =>
            RunAsync(async () =>
            {
                var created = await keys.CreateAsync(http.User, request, Remote(http), ct);
                return Results.Created($"/api/v1/admin/api-keys/{created.ApiKey.Id}", created);
            }));

        admin.MapPost("/api-keys/{id:guid}/rotate", (Guid id, ApiKeyAdministration keys, HttpContext http, CancellationToken ct) =>
            RunAsync(async () =>
            {
                var created = await keys.RotateAsync(http.User, id, Remote(http), ct);
                return Results.Created($"/api/v1/admin/api-keys/{created.ApiKey.Id}", created);
            }));

        admin.MapDelete("/api-keys/{id:guid}", (Guid id, ApiKeyAdministration keys, HttpContext http, CancellationToken ct) =>
            RunAsync(async () =>
            {
                await keys.RevokeAsync(http.User, id, Remote(http), ct);
                return Results.NoContent();
            }));

        admin.MapGet("/users", async (UserAdministration users, CancellationToken ct) => await users.ListAsync(ct));

        admin.MapPost("/users", (CreateUserRequest request, UserAdministration users, HttpContext http, CancellationToken ct) =>
            RunAsync(async () =>
            {
                var view = await users.CreateAsync(http.User, request, Remote(http), ct);
                return Results.Created($"/api/v1/admin/users/{view.Id}", view);
            }));

        admin.MapPut("/users/{id:guid}", (Guid id, UpdateUserRequest request, UserAdministration users, HttpContext http, CancellationToken ct) =>
            RunAsync(async () => Results.Ok(await users.UpdateAsync(http.User, id, request, Remote(http), ct))));

        admin.MapPost("/users/{id:guid}/password", (Guid id, ResetPasswordRequest request, UserAdministration users, HttpContext http, CancellationToken ct) =>
            RunAsync(async () =>
            {
                await users.ResetPasswordAsync(http.User, id, request.Password, Remote(http), ct);
                return Results.NoContent();
            }));

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

    private static IResult UnknownTenant(string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
        detail: $"No tenant with id '{id}'; GET /api/v1/admin/tenants lists them.");

    private static async Task<IResult> RunAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (AdminProblem problem)
        {
            return problem.ToResult();
        }
    }

    private static string? Remote(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
