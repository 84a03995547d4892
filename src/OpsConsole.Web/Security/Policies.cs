using System.Security.Claims;
using OpsConsole.Domain.Security;

namespace OpsConsole.Web.Security;

/// <summary>
/// The authorization policies, each a set of roles. Pages, API endpoints and hubs name one of these;
/// nothing checks role names directly. Ingest is the one policy an ingest-only key satisfies.
/// </summary>
public static class Policies
{
    /// <summary>Users, tenants, keys, audit, settings.</summary>
    public const string Admin = nameof(Admin);

    /// <summary>Act on alerts: acknowledge, silence, resolve.</summary>
    public const string Operate = nameof(Operate);

    /// <summary>See alerts and the system's health.</summary>
    public const string ViewOperations = nameof(ViewOperations);

    /// <summary>Open dashboards (tenant admins see their tenant's data only).</summary>
    public const string ViewDashboards = nameof(ViewDashboards);

    /// <summary>Search traces and logs (tenant admins see their tenant's only).</summary>
    public const string ViewTelemetry = nameof(ViewTelemetry);

    /// <summary>Tenant usage and cost.</summary>
    public const string ViewUsage = nameof(ViewUsage);

    /// <summary>Read the audit log (tenant admins: their tenant's entries only, enforced in the query).</summary>
    public const string ViewAudit = nameof(ViewAudit);

    /// <summary>Send telemetry: ingest keys and admins.</summary>
    public const string Ingest = nameof(Ingest);

    /// <summary>The roles each role-based policy admits.</summary>
    public static IReadOnlyDictionary<string, Role[]> RolesByPolicy { get; } = new Dictionary<string, Role[]>
    {
        [Admin] = [Role.Admin],
        [Operate] = [Role.Admin, Role.Operator],
        [ViewOperations] = [Role.Admin, Role.Operator, Role.Executive],
        [ViewDashboards] = [Role.Admin, Role.Operator, Role.Executive, Role.TenantAdmin],
        [ViewTelemetry] = [Role.Admin, Role.Operator, Role.TenantAdmin],
        [ViewUsage] = [Role.Admin, Role.Executive, Role.TenantAdmin],
        [ViewAudit] = [Role.Admin, Role.TenantAdmin],
        [Ingest] = [Role.Admin],
    };

    public static bool Admits(string policy, ClaimsPrincipal user) =>
        RolesByPolicy.TryGetValue(policy, out var roles)
        && (roles.Any(r => user.IsInRole(r.ToString())) || (policy == Ingest && user.HasClaim(OpsClaims.Scope, OpsClaims.ScopeIngest)));
}
