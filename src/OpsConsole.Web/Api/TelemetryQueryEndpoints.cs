using System.Globalization;
using System.Security.Claims;
using System.Text;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Core.Traces;
using OpsConsole.Web.Security;
using OpsConsole.Web.Traces;

namespace OpsConsole.Web.Api;

public sealed record SpanView(
    string TraceId, string SpanId, string? ParentSpanId, string Name, string Service, string Kind, DateTimeOffset StartTime, double DurationMs,
    ulong StartTimeUnixNano, ulong EndTimeUnixNano, string Status, string? StatusMessage, IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource, IReadOnlyList<SpanEventView> Events)
{
    public IReadOnlyList<SpanLinkView> Links { get; init; } = [];

    public string TenantId { get; init; } = "";

    public static SpanView From(Span s) => new(
        s.TraceId.ToString(), s.SpanId.ToString(), s.ParentSpanId.IsEmpty ? null : s.ParentSpanId.ToString(), s.Name, s.ServiceName,
        s.Kind.ToString().ToLowerInvariant(), UnixTime.FromNanos(s.StartTimeUnixNano), s.Duration.TotalMilliseconds, s.StartTimeUnixNano, s.EndTimeUnixNano,
        s.StatusCode.ToString().ToLowerInvariant(), s.StatusMessage, Texts(s.Attributes), Texts(s.Resource.Attributes),
        [.. s.Events.Select(e => new SpanEventView(e.Name, UnixTime.FromNanos(e.TimeUnixNano), Texts(e.Attributes)))])
    {
        Links = [.. s.Links.Select(l => new SpanLinkView(l.TraceId.ToString(), l.SpanId.ToString(), Texts(l.Attributes)))],
        TenantId = s.TenantId,
    };

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

public sealed record SpanLinkView(string TraceId, string SpanId, IReadOnlyDictionary<string, string> Attributes);

public sealed record SpanEventView(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);

public sealed record TraceView(string TraceId, IReadOnlyList<SpanView> Spans);

public sealed record TraceSummaryView(
    string TraceId, string TenantId, string RootService, string RootOperation, bool HasRootSpan, DateTimeOffset Start, double DurationMs, int SpanCount,
    IReadOnlyList<string> Services, int ErrorCount)
{
    public static TraceSummaryView From(TraceSummary t) => new(
        t.TraceId.ToString(), t.TenantId, t.RootService, t.RootOperation, t.HasRootSpan, t.Start, t.Duration.TotalMilliseconds, t.SpanCount, t.Services, t.ErrorCount);
}

/// <summary>A page of trace search results; <c>complete</c> is false when the database part stopped at its cap.</summary>
public sealed record TraceSearchView(
    IReadOnlyList<TraceSummaryView> Items, long TotalCount, bool Complete, bool UsedDatabase, DateTimeOffset From, DateTimeOffset? To);

public sealed record ServiceMapNodeView(string Name, string Kind, int Layer, double X, double Y, long Spans, long Errors, string? IdentifiedBy);

public sealed record ServiceMapEdgeView(string From, string To, long Calls, double CallsPerSecond, long Errors, double ErrorRate, double P50Ms, double P95Ms);

public sealed record ServiceMapView(
    IReadOnlyList<ServiceMapNodeView> Nodes, IReadOnlyList<ServiceMapEdgeView> Edges, DateTimeOffset From, DateTimeOffset To, long SpansRead, bool Complete)
{
    public static ServiceMapView Of(ServiceMapGraph g) => new(
        [.. g.Nodes.Select(n => new ServiceMapNodeView(n.Name, n.Kind.ToString().ToLowerInvariant(), n.Layer, n.X, n.Y, n.Spans, n.Errors, n.IdentifiedBy))],
        [.. g.Edges.Select(e => new ServiceMapEdgeView(e.From, e.To, e.Calls, e.CallsPerSecond, e.Errors, e.ErrorRate, e.P50.TotalMilliseconds, e.P95.TotalMilliseconds))],
        g.From, g.To, g.SpansRead, g.Complete);
}

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

        group.MapGet("/traces/{traceId}", async (string traceId, ClaimsPrincipal user, TraceExplorer explorer, CancellationToken ct) =>
        {
            if (!TraceId.TryParse(traceId, out var id))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["traceId"] = [$"'{Shorten(traceId)}' is not a trace id: a trace id is 32 hex digits, not all zero."] });
            }

            var spans = await explorer.GetTraceAsync(user.GetTenantId(), id, ct);
            return spans.Count == 0
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No trace {traceId} (or it is older than the retention).")
                : Results.Ok(new TraceView(id.ToString(), [.. spans.Select(SpanView.From)]));
        }).RequireAuthorization(Policies.ViewTelemetry);

        group.MapGet("/traces", async (HttpContext http, ClaimsPrincipal user, TraceExplorer explorer, TimeProvider time) =>
        {
            var parameters = TraceSearchParameters.Read(name => http.Request.Query[name]);
            var (query, errors) = parameters.ToQuery(user.GetTenantId(), time.GetUtcNow());
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The trace search has errors");
            }

            try
            {
                var result = await explorer.SearchAsync(query, http.RequestAborted);
                return Results.Ok(new TraceSearchView(
                    [.. result.Items.Select(TraceSummaryView.From)], result.TotalCount, result.Complete, result.UsedDatabase, query.From!.Value, query.To));
            }
            catch (TraceSearchTimeoutException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Search timed out", detail: ex.Message);
            }
        }).RequireAuthorization(Policies.ViewTelemetry);

        group.MapGet("/service-map", async (HttpContext http, ClaimsPrincipal user, TraceExplorer explorer, TimeProvider time) =>
        {
            var parameters = TraceSearchParameters.Read(name => http.Request.Query[name]);
            var (query, errors) = (parameters with { Limit = null, Sort = null }).ToQuery(user.GetTenantId(), time.GetUtcNow());
            foreach (var unsupported in new[] { "service", "operation", "tag", "services", "minDuration", "maxDuration", "errors" })
            {
                if (!string.IsNullOrEmpty(http.Request.Query[unsupported]))
                {
                    errors[unsupported] = [$"The service map takes only from, to, range and tenant; '{unsupported}' is a trace search parameter."];
                }
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The service map request has errors");
            }

            try
            {
                var graph = await explorer.ServiceMapAsync(query.TenantId, query.From!.Value, query.To ?? time.GetUtcNow(), http.RequestAborted);
                return Results.Ok(ServiceMapView.Of(graph));
            }
            catch (TraceSearchTimeoutException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Timed out", detail: ex.Message);
            }
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

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}

/// <summary>Query-string times (RFC 3339 or Unix milliseconds) and bounded integers, with errors per field.</summary>
internal static class QueryTime
{
    /// <summary>9999-12-31T23:59:59.999Z: larger numbers are not a time (and would overflow).</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    public static DateTimeOffset? Parse(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= MaxUnixMilliseconds)
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
