using System.Globalization;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// The audit log for Admins (every entry) and tenant admins (their tenant's entries only, enforced in the query):
/// <c>GET /api/v1/audit</c> pages newest first, <c>GET /api/v1/audit/export</c> streams the same filter as CSV.
/// Filters: user, action, targetType, targetId, tenant, from, to (RFC 3339 or Unix ms), limit, offset.
/// </summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").RequireAuthorization(Policies.ViewAudit).WithTags("Audit");

        group.MapGet("", async (HttpContext http, AuditReader reader) =>
        {
            var query = Parse(http, out var problem);
            return query is null ? problem! : Results.Ok(await reader.PageAsync(query, http.RequestAborted));
        });

        group.MapGet("/export", (HttpContext http, AuditReader reader, TimeProvider time) =>
        {
            var query = Parse(http, out var problem);
            if (query is null)
            {
                return problem!;
            }

            var name = $"opsconsole-audit-{time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";
            return Results.Stream(body => reader.WriteCsvAsync(query, body, http.RequestAborted), "text/csv; charset=utf-8; header=present", name);
        });

        return app;
    }

    private static Data.Repositories.AuditQuery? Parse(HttpContext http, out IResult? problem)
    {
        var q = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        var query = AuditReader.Parse(
            new AuditFilterText(q["user"], q["action"], q["targetType"], q["targetId"], q["tenant"], q["from"], q["to"], q["limit"], q["offset"]),
            http.User, errors, out var forbidden);
        problem = forbidden
            ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: errors["tenant"][0])
            : query is null ? Results.ValidationProblem(errors) : null;
        return query;
    }
}
