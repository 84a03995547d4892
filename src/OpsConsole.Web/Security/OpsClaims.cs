using System.Security.Claims;
using OpsConsole.Domain.Security;

namespace OpsConsole.Web.Security;

/// <summary>Claim types OpsConsole puts on a principal, and helpers to read them.</summary>
public static class OpsClaims
{
    public const string Tenant = "oc:tenant";
    public const string Scope = "oc:scope";
    public const string SecurityStamp = "oc:stamp";
    public const string DisplayName = "oc:display";

    /// <summary>A person signed in with a password.</summary>
    public const string ScopeUser = "user";

    /// <summary>An API key that carries the rights of a role.</summary>
    public const string ScopeRole = "role";

    /// <summary>An API key that may only send telemetry.</summary>
    public const string ScopeIngest = "ingest";

    public static Role? GetRole(this ClaimsPrincipal user) =>
        Roles.TryParse(user.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    /// <summary>The tenant this principal is bound to (tenant admins and ingest keys); null means all tenants.</summary>
    public static string? GetTenantId(this ClaimsPrincipal user) => user.FindFirstValue(Tenant);

    public static string GetDisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayName) ?? user.Identity?.Name ?? "unknown";

    /// <summary>How the actor appears in the audit log: the user name, or "apikey:name".</summary>
    public static string GetActor(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";
}
