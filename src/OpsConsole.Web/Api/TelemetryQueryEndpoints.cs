using System.Globalization;
using System.Security.Claims;
using System.Text;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

public sealed record SpanView(
    string TraceId, string SpanId, string? ParentSpanId, string Name, string Service, string Kind, DateTimeOffset StartTime, double DurationMs,
    ulong StartTimeUnixNano, ulong EndTimeUnixNano, string Status, string? StatusMessage, IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource, IReadOnlyList<SpanEventView> Events)
{
    public static SpanView From(Span s) => new(
        s.TraceId.ToString(), s.SpanId.ToString(), s.ParentSpanId.IsEmpty ? null : s.ParentSpanId.ToString(), s.Name, s.ServiceName,
        s.Kind.ToString().ToLowerInvariant(), UnixTime.FromNanos(s.StartTimeUnixNano), s.Duration.TotalMilliseconds, s.StartTimeUnixNano, s.EndTimeUnixNano,
        s.StatusCode.ToString().ToLowerInvariant(), s.StatusMessage, Texts(s.Attributes), Texts(s.Resource.Attributes),
        [.. s.Events.Select(e => new SpanEventView(e.Name, UnixTime.FromNanos(e.TimeUnixNano), Texts(e.Attributes)))]);

    internal static Dictionary<string, string> Texts(IReadOnlyList<Domain.Telemetry.Attribute> attributes)
    {
        var d = new Dictionary<string, string>(attributes.Count);
        foreach (var a in attributes)
        {
            d[a.Key] = a.Value.ToString();
        }

        return d;
    }
}

public sealed record SpanEventView(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);

public sealed record TraceView(string TraceId, IReadOnlyList<SpanView> Spans);

public sealed record TraceSummaryView(string TraceId, string RootService, string RootOperation, DateTimeOffset Start, double DurationMs, int SpanCount, IReadOnlyList<string> Services, int ErrorCount);

public sealed record PageView<T>(IReadOnlyList<T> Items, long TotalCount);

public sealed record SeriesView(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<double[]> Samples);

/// <summary>
/// Reading telemetry through the native API. The tenant comes from the caller: tenant admins (and their keys)
/// only ever get their own tenant, enforced here in the query, whatever the request asks for.
/// </summary>
public static class TelemetryQueryEndpoints
{
    public static IEndpointRouteBuilder MapTelemetryQueries(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/monitoring").WithTags("Query");

        group.MapGet("/traces/{traceId}", async (string traceId, ClaimsPrincipal user, TelemetryStores stores, TelemetryReader reader, CancellationToken ct) =>
        {
            if (!TraceId.TryParse(traceId, out var id))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["traceId"] = ["A trace id is 32 hex digits, not all zero."] });
            }

            var tenant = user.GetTenantId();
            var spans = stores.Spans.GetTrace(tenant, id);
            if (spans.Count == 0)
            {
                spans = await reader.GetTraceAsync(tenant, id, ct); // older than the hot window
            }

            return spans.Count == 0
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No trace {traceId} (or it is older than the retention).")
                : Results.Ok(new TraceView(id.ToString(), [.. spans.Select(SpanView.From)]));
        }).RequireAuthorization(Policies.ViewTelemetry);

        group.MapGet("/traces", (HttpContext http, ClaimsPrincipal user, TelemetryStores stores) =>
        {
            var q = http.Request.Query;
            var errors = new Dictionary<string, string[]>();
            var tags = new List<TagFilter>();
            foreach (var tag in q["tag"])
            {
                try
                {
                    tags.Add(TagFilter.Parse(tag ?? ""));
                }
                catch (ArgumentException ex)
                {
                    errors["tag"] = [ex.Message];
                }
            }

            var from = QueryTime.Parse(q["from"], "from", errors);
            var to = QueryTime.Parse(q["to"], "to", errors);
            var limit = QueryTime.Int(q["limit"], "limit", TraceQuery.DefaultLimit, 1, TraceQuery.MaxLimit, errors);
            var minMs = QueryTime.Int(q["minDurationMs"], "minDurationMs", 0, 0, int.MaxValue, errors);
            var maxMs = QueryTime.Int(q["maxDurationMs"], "maxDurationMs", int.MaxValue, 0, int.MaxValue, errors);
            var sort = (string?)q["sort"] switch
            {
                null or "" or "start" => TraceSort.StartTimeDescending,
                "duration" => TraceSort.DurationDescending,
                var other => Invalid(errors, "sort", $"sort must be 'start' or 'duration', not '{other}'."),
            };
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            var result = stores.Spans.Search(new TraceQuery
            {
                TenantId = user.GetTenantId(),
                Service = NullIfEmpty(q["service"]),
                Operation = NullIfEmpty(q["operation"]),
                Tags = tags,
                MinDuration = minMs > 0 ? TimeSpan.FromMilliseconds(minMs) : null,
                MaxDuration = maxMs < int.MaxValue ? TimeSpan.FromMilliseconds(maxMs) : null,
                ErrorsOnly = q["errors"] == "true",
                From = from,
                To = to,
                Limit = limit,
                Sort = sort,
            });
            return Results.Ok(new PageView<TraceSummaryView>(
                [.. result.Items.Select(t => new TraceSummaryView(t.TraceId.ToString(), t.RootService, t.RootOperation, t.Start, t.Duration.TotalMilliseconds, t.SpanCount, t.Services, t.ErrorCount))],
                result.TotalCount));
        }).RequireAuthorization(Policies.ViewTelemetry);

        group.MapGet("/metrics", (HttpContext http, ClaimsPrincipal user, TelemetryStores stores, TimeProvider time) =>
        {
            var q = http.Request.Query;
            var errors = new Dictionary<string, string[]>();
            var name = (string?)q["name"];
            var now = time.GetUtcNow();
            if (string.IsNullOrEmpty(name))
            {
                // No metric named: list the metric names that have data, so callers can discover them.
                return Results.Ok(stores.Series.LabelValues(user.GetTenantId(), LabelSet.MetricName, null, now.AddHours(-1).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds()));
            }

            if (!Ingest.Native.PrometheusNames.IsValidMetricName(name))
            {
                errors["name"] = [$"'{name}' is not a metric name."];
            }

            var from = QueryTime.Parse(q["from"], "from", errors) ?? now.AddHours(-1);
            var to = QueryTime.Parse(q["to"], "to", errors) ?? now;
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            var series = stores.Series.Select(user.GetTenantId(), [LabelMatcher.Equal(LabelSet.MetricName, name!)], from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
            return Results.Ok(series.Take(1000).Select(s => new SeriesView(
                s.Labels.Labels.ToDictionary(l => l.Key, l => l.Value),
                [.. s.ToList().Select(p => new[] { p.TimestampMs, p.Value })])));
        }).RequireAuthorization(Policies.ViewDashboards);

        group.MapGet("/prometheus", (ClaimsPrincipal user, TelemetryStores stores, TimeProvider time) =>
            Results.Text(PrometheusExport.Write(stores.Series, user.GetTenantId(), time.GetUtcNow()), "text/plain; version=0.0.4; charset=utf-8", Encoding.UTF8))
            .RequireAuthorization(Policies.ViewDashboards);
        return app;
    }

    private static TraceSort Invalid(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return TraceSort.StartTimeDescending;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

/// <summary>Query-string times (RFC 3339 or Unix milliseconds) and bounded integers, with errors per field.</summary>
internal static class QueryTime
{
    public static DateTimeOffset? Parse(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }

        errors[field] = [$"'{text}' is not a time: use RFC 3339 (2026-11-22T09:30:00Z) or Unix milliseconds."];
        return null;
    }

    public static int Int(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
        {
            return v;
        }

        errors[field] = [$"{field} must be a whole number from {min} to {max}."];
        return fallback;
    }
}
