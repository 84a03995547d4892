using System.Data.Common;
using System.Security.Claims;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Logs;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// The log explorer's API: search (newest first, paged by cursor), statistics (a histogram stacked by level) and
/// the context around a line. Queries use the log query language (README); bad queries, ranges and limits are
/// answered 400 problem+json naming the parameter (and, for queries, the position). Tenant admins only ever get
/// their tenant's lines: the scope is added in the query layer, so <c>tenant:other</c> finds nothing.
/// </summary>
public static class LogEndpoints
{
    public const int DefaultContextLines = 20;
    public const int MaxContextLines = 500;

    public static IEndpointRouteBuilder MapLogQueries(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/monitoring/logs").WithTags("Query");

        group.MapGet("/search", async (HttpContext http, ClaimsPrincipal user, LogExplorer explorer) =>
        {
            var q = http.Request.Query;
            var errors = new Dictionary<string, string[]>();
            var request = Parse(http, explorer, errors, out var position);
            var limit = QueryTime.Int(q["limit"], "limit", LogQuery.DefaultLimit, 1, explorer.Options.MaxLimit, errors);
            LogRecordId? cursor = null;
            if (!string.IsNullOrEmpty(q["cursor"]))
            {
                if (LogRecordId.TryParse(q["cursor"], out var c))
                {
                    cursor = c;
                }
                else
                {
                    errors["cursor"] = ["cursor must be the nextCursor of a previous page."];
                }
            }

            if (errors.Count > 0 || request is not { } r)
            {
                return Bad(errors, position);
            }

            return await AnswerAsync(async () => Results.Ok(await explorer.SearchAsync(r.Match, user.GetTenantId(), r.From, r.To, limit, cursor, http.RequestAborted)));
        }).RequireAuthorization(Policies.ViewTelemetry);

        group.MapGet("/statistics", async (HttpContext http, ClaimsPrincipal user, LogExplorer explorer) =>
        {
            var errors = new Dictionary<string, string[]>();
            var request = Parse(http, explorer, errors, out var position);
            var bucketSeconds = QueryTime.Int(http.Request.Query["bucketSeconds"], "bucketSeconds", 0, 1, 86_400, errors);
            if (errors.Count > 0 || request is not { } r)
            {
                return Bad(errors, position);
            }

            var bucket = bucketSeconds > 0 ? TimeSpan.FromSeconds(bucketSeconds) : LogExplorer.ChooseBucket(r.To - r.From);
            if ((r.To - r.From) / bucket > LogStore.MaxHistogramBuckets)
            {
                return Bad(new() { ["bucketSeconds"] = [$"That range in {bucket.TotalSeconds:0}-second buckets would make more than {LogStore.MaxHistogramBuckets:N0} buckets; use larger buckets or leave bucketSeconds out."] }, null);
            }

            return await AnswerAsync(async () => Results.Ok(await explorer.HistogramAsync(r.Match, user.GetTenantId(), r.From, r.To, bucket, http.RequestAborted)));
        }).RequireAuthorization(Policies.ViewTelemetry);

        group.MapGet("/{id}/context", async (string id, HttpContext http, ClaimsPrincipal user, LogExplorer explorer) =>
        {
            var q = http.Request.Query;
            var errors = new Dictionary<string, string[]>();
            var before = QueryTime.Int(q["before"], "before", DefaultContextLines, 0, MaxContextLines, errors);
            var after = QueryTime.Int(q["after"], "after", DefaultContextLines, 0, MaxContextLines, errors);
            if (!LogRecordId.TryParse(id, out var recordId))
            {
                errors["id"] = ["A log line id looks like 1764000000000000000-42 (the id field of a search result)."];
            }

            if (errors.Count > 0)
            {
                return Bad(errors, null);
            }

            return await AnswerAsync(async () => await explorer.ContextAsync(recordId, user.GetTenantId(), before, after, http.RequestAborted) is { } context
                ? Results.Ok(context)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no log line {id} (it may be past retention, or belong to another tenant)."));
        }).RequireAuthorization(Policies.ViewTelemetry);
        return app;
    }

    private sealed record SearchRequest(LogMatch Match, DateTimeOffset From, DateTimeOffset To);

    /// <summary>
    /// The query (<c>q</c>, plus the <c>level</c>, <c>service</c> and <c>traceId</c> shorthands, which are ANDed) and
    /// the range (<c>from</c>/<c>to</c>: RFC 3339 or Unix ms; default the last hour).
    /// </summary>
    private static SearchRequest? Parse(HttpContext http, LogExplorer explorer, Dictionary<string, string[]> errors, out int? position)
    {
        var q = http.Request.Query;
        position = null;
        var match = LogExplorer.ParseQuery(q["q"], out var error);
        if (error is not null)
        {
            errors["q"] = [error.Message];
            position = error.Position;
        }

        var parts = new List<LogMatch>();
        if (!string.IsNullOrWhiteSpace(q["level"]))
        {
            var level = ((string)q["level"]!).Trim().ToLowerInvariant();
            if (!LogFieldNames.Levels.Contains(level))
            {
                errors["level"] = [$"level must be one of {string.Join(", ", LogFieldNames.Levels)}."];
            }

            parts.Add(LogMatch.FieldEquals(LogField.Level, level));
        }

        if (!string.IsNullOrWhiteSpace(q["service"]))
        {
            parts.Add(LogMatch.FieldEquals(LogField.Service, q["service"]!));
        }

        if (!string.IsNullOrWhiteSpace(q["traceId"]))
        {
            if (!TraceId.TryParse(q["traceId"], out var trace))
            {
                errors["traceId"] = ["A trace id is 32 hex digits, not all zero."];
            }

            parts.Add(LogMatch.FieldEquals(LogField.TraceId, trace.ToString()));
        }

        var to = QueryTime.Parse(q["to"], "to", errors) ?? explorer.Now;
        var from = QueryTime.Parse(q["from"], "from", errors) ?? to.AddHours(-1);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && explorer.CheckRange(from, to) is { } rangeError)
        {
            errors[from >= to ? "to" : "from"] = [rangeError];
        }

        return match is null || errors.Count > 0 ? null : new SearchRequest(LogMatch.And([match, .. parts]), from, to);
    }

    private static IResult Bad(Dictionary<string, string[]> errors, int? position) => position is { } p
        ? Results.ValidationProblem(errors, title: "The log query is not valid", detail: errors["q"][0], extensions: new Dictionary<string, object?> { ["position"] = p })
        : Results.ValidationProblem(errors);

    private static async Task<IResult> AnswerAsync(Func<Task<IResult>> run)
    {
        try
        {
            return await run();
        }
        catch (LogQueryTimeoutException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Query timed out", detail: e.Message);
        }
        catch (DbException)
        {
            // The database part of a search failed; the reason is in the server's log, not in the answer.
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable",
                detail: "Lines older than those held in memory are searched in the database, which did not answer; try again, or narrow the range to recent lines.");
        }
    }
}
