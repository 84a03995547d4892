using System.Globalization;
using System.Security.Claims;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Security;
using OpsConsole.Web.Usage;

namespace OpsConsole.Web.Api;

/// <summary>
/// <c>GET /api/v1/monitoring/tenants/{tenant}/usage?from=&amp;to=&amp;step=hour|day</c>: a tenant's usage as JSON, or as CSV
/// (streamed) with <c>Accept: text/csv</c> or <c>format=csv</c>. Tenant admins read their own tenant only; Admin and
/// Executive any.
/// </summary>
public static class UsageEndpoints
{
    /// <summary>The longest range answered by the hour (longer ones must use step=day).</summary>
    public static readonly TimeSpan MaxHourlyRange = TimeSpan.FromDays(31);

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/monitoring/tenants/{tenant}/usage", GetAsync).RequireAuthorization(Policies.ViewUsage).WithTags("Usage");
        return app;
    }

    /// <summary>The tenant <paramref name="user"/> may read usage of, or why not (403 for another tenant, 404 for an unknown one).</summary>
    public static async Task<(TenantEntity? Tenant, IResult? Problem)> ResolveAsync(ClaimsPrincipal user, string tenant, TenantRepository tenants, CancellationToken ct)
    {
        var own = user.GetTenantId();
        if (own is not null && own != tenant)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"You can see the usage of tenant '{own}' only."));
        }

        var found = TenantIds.IsValid(tenant) ? await tenants.FindAsync(tenant, ct) : null;
        return found is null
            ? (null, Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown tenant", detail: $"There is no tenant '{tenant}'."))
            : (found, null);
    }

    /// <summary>Reads from/to/step; the errors are keyed by the parameter at fault.</summary>
    public static (DateTimeOffset From, DateTimeOffset To, UsageStep Step, Dictionary<string, string[]> Errors) Parse(
        string? from, string? to, string? step, DateTimeOffset now, DateTimeOffset retentionStart)
    {
        var errors = new Dictionary<string, string[]>();
        var toAt = now;
        if (!string.IsNullOrWhiteSpace(to))
        {
            if (TryTime(to, out var parsed))
            {
                toAt = parsed;
            }
            else
            {
                errors["to"] = [$"'{to}' is not a time: use RFC 3339 (2026-11-02T09:00:00Z) or Unix seconds."];
            }
        }

        var fromAt = toAt.AddDays(-7);
        if (!string.IsNullOrWhiteSpace(from))
        {
            if (TryTime(from, out var parsed))
            {
                fromAt = parsed;
            }
            else
            {
                errors["from"] = [$"'{from}' is not a time: use RFC 3339 (2026-11-02T09:00:00Z) or Unix seconds."];
            }
        }

        var stepValue = UsageStep.Day;
        if (!string.IsNullOrWhiteSpace(step))
        {
            switch (step.Trim().ToLowerInvariant())
            {
                case "hour":
                    stepValue = UsageStep.Hour;
                    break;
                case "day":
                    stepValue = UsageStep.Day;
                    break;
                default:
                    errors["step"] = [$"'{step}' is not a step: use hour or day."];
                    break;
            }
        }

        if (errors.Count > 0)
        {
            return (fromAt, toAt, stepValue, errors);
        }

        if (fromAt >= toAt)
        {
            errors["from"] = [$"from ({UsageCsv.Time(fromAt)}) must be before to ({UsageCsv.Time(toAt)})."];
        }
        else if (fromAt < retentionStart)
        {
            errors["from"] = [$"from ({UsageCsv.Time(fromAt)}) is beyond the retention: usage is kept from {UsageCsv.Time(retentionStart)} on."];
        }
        else if (toAt > now.AddDays(1))
        {
            errors["to"] = [$"to ({UsageCsv.Time(toAt)}) is more than a day in the future."];
        }
        else if (stepValue == UsageStep.Hour && toAt - fromAt > MaxHourlyRange)
        {
            errors["step"] = [$"step=hour is for ranges up to {MaxHourlyRange.TotalDays:0} days; use step=day for longer ones."];
        }

        return (fromAt, toAt, stepValue, errors);
    }

    public static bool WantsCsv(HttpRequest request) =>
        string.Equals(request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase)
        || request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    private static async Task<IResult> GetAsync(
        string tenant, HttpContext http, ClaimsPrincipal user, TenantRepository tenants, UsageReports reports, TimeProvider time,
        string? from, string? to, string? step, string? format)
    {
        var (entity, problem) = await ResolveAsync(user, tenant, tenants, http.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (format is not null && !format.Equals("csv", StringComparison.OrdinalIgnoreCase) && !format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"'{format}' is not a format: use json or csv."] });
        }

        var now = time.GetUtcNow();
        var (fromAt, toAt, stepValue, errors) = Parse(from, to, step, now, reports.RetentionStart(now));
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, detail: errors.First().Value[0]);
        }

        var report = await reports.BuildAsync(entity!, fromAt, toAt, stepValue, http.RequestAborted);
        if (WantsCsv(http.Request))
        {
            return Results.Stream(
                stream => UsageCsv.WriteAsync(report, stream, http.RequestAborted), UsageCsv.ContentType, UsageCsv.FileName(report));
        }

        return Results.Ok(new
        {
            tenant = report.TenantId,
            displayName = report.DisplayName,
            plan = report.Plan,
            from = report.From,
            to = report.To,
            step = report.Step.ToString().ToLowerInvariant(),
            kinds = report.Kinds,
            rows = report.Rows.Select(r => new
            {
                start = r.Start,
                end = r.End,
                values = report.Kinds.ToDictionary(k => k, r.Value),
                consoleDownMinutes = r.ConsoleDownMinutes,
                partial = r.Partial,
                open = r.Open,
            }),
            totals = report.Totals,
        });
    }

    private static bool TryTime(string text, out DateTimeOffset at)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            && seconds is > 0 and < 253_402_300_799)
        {
            at = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at)
            && at.Year is > 1970 and < 9999;
    }
}
