using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Ingest.Native;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>Marks an endpoint that answers 400 without its query parameters (like Prometheus's /api/v1/query).</summary>
[AttributeUsage(AttributeTargets.All)]
public sealed class RequiresQueryParametersAttribute : System.Attribute;

/// <summary>Prometheus's response envelope: <c>{"status":"success","data":…}</c> or <c>{"status":"error","errorType":…,"error":…}</c>.</summary>
public sealed record PrometheusResponse(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>
/// The Prometheus-compatible query API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>, <c>/api/v1/labels</c>,
/// <c>/api/v1/label/{name}/values</c>, <c>/api/v1/series</c>, <c>/api/v1/status/buildinfo</c>), GET and POST
/// form-encoded, with Prometheus's JSON shapes. The tenant comes from the caller and is applied in the engine.
/// </summary>
public static class PrometheusApiEndpoints
{
    public static IEndpointRouteBuilder MapPrometheusApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.ViewDashboards).WithTags("Prometheus API").DisableAntiforgery();
        api.MapMethods("/query", ["GET", "POST"], QueryAsync).WithMetadata(new RequiresQueryParametersAttribute());
        api.MapMethods("/query_range", ["GET", "POST"], QueryRangeAsync).WithMetadata(new RequiresQueryParametersAttribute());
        api.MapMethods("/labels", ["GET", "POST"], LabelsAsync);
        api.MapGet("/label/{name}/values", LabelValuesAsync);
        api.MapMethods("/series", ["GET", "POST"], SeriesAsync).WithMetadata(new RequiresQueryParametersAttribute());
        api.MapGet("/status/buildinfo", () => Success(new Dictionary<string, string>
        {
            ["version"] = "2.42.0",
            ["revision"] = "opsconsole",
            ["branch"] = "main",
            ["goVersion"] = "none (OpsConsole " + (typeof(PrometheusApiEndpoints).Assembly.GetName().Version?.ToString() ?? "dev") + ")",
        }));
        return app;
    }

    private static async Task<IResult> QueryAsync(HttpContext http, ClaimsPrincipal user, PromQlQueries queries, TimeProvider time)
    {
        var p = await ParametersAsync(http);
        if (string.IsNullOrWhiteSpace(p.Get("query")))
        {
            return BadData("invalid parameter \"query\": the query is empty");
        }

        if (!TryTime(p.Get("time"), time.GetUtcNow(), out var at))
        {
            return BadData($"invalid parameter \"time\": cannot parse \"{p.Get("time")}\" to a valid timestamp");
        }

        if (queries.Timeout(p.Get("timeout"), out var timeoutError) is not { } timeout)
        {
            return BadData(timeoutError!);
        }

        var maxSeries = queries.Options.MaxSeries;
        return await queries.RunAsync(http, timeout, ct =>
        {
            var result = queries.Engine(user).Instant(p.Get("query")!, at, null, ct);
            object data = result switch
            {
                ScalarResult s => new { resultType = "scalar", result = (object)Point(s.TimestampMs, PromQlFormat.Decimal(s.Value)) },
                StringResult s => new { resultType = "string", result = (object)Point(s.TimestampMs, s.Value) },
                InstantVector v => new { resultType = "vector", result = (object)Capped(v.Samples, maxSeries).Select(x => new { metric = Metric(x.Labels), value = Point(x.TimestampMs, Format(x.Value)) }) },
                RangeMatrix m => new { resultType = "matrix", result = (object)Matrix(Capped(m.Series, maxSeries)) },
                _ => throw new PromQlUnsupportedException("unknown result type"),
            };
            return Task.FromResult(data);
        });
    }

    private static async Task<IResult> QueryRangeAsync(HttpContext http, ClaimsPrincipal user, PromQlQueries queries, TimeProvider time)
    {
        var p = await ParametersAsync(http);
        if (string.IsNullOrWhiteSpace(p.Get("query")))
        {
            return BadData("invalid parameter \"query\": the query is empty");
        }

        var now = time.GetUtcNow();
        if (!TryTime(p.Get("start"), now, out var start) || p.Get("start") is null)
        {
            return BadData("invalid parameter \"start\": a time is required (RFC 3339 or Unix seconds)");
        }

        if (!TryTime(p.Get("end"), now, out var end) || p.Get("end") is null)
        {
            return BadData("invalid parameter \"end\": a time is required (RFC 3339 or Unix seconds)");
        }

        if (end < start)
        {
            return BadData("invalid parameter \"end\": end timestamp must not be before start time");
        }

        if (!TryDurationMs(p.Get("step"), out var step) || step <= 0)
        {
            return BadData("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        }

        if (queries.Timeout(p.Get("timeout"), out var timeoutError) is not { } timeout)
        {
            return BadData(timeoutError!);
        }

        var maxSeries = queries.Options.MaxSeries;
        return await queries.RunAsync(http, timeout, ct =>
        {
            var m = queries.Engine(user).Range(p.Get("query")!, start, end, step, null, ct);
            return Task.FromResult<object>(new { resultType = "matrix", result = Matrix(Capped(m.Series, maxSeries)) });
        });
    }

    private static async Task<IResult> SeriesAsync(HttpContext http, ClaimsPrincipal user, PromQlQueries queries, TimeProvider time)
    {
        var p = await ParametersAsync(http);
        var matches = p.GetAll("match[]");
        if (matches.Count == 0)
        {
            return BadData("no match[] parameter provided");
        }

        if (!TryRange(p, time.GetUtcNow(), TimeSpan.FromHours(1), out var start, out var end, out var rangeError))
        {
            return BadData(rangeError!);
        }

        if (queries.Timeout(p.Get("timeout"), out var timeoutError) is not { } timeout)
        {
            return BadData(timeoutError!);
        }

        var options = queries.EngineOptions(user);
        return await queries.RunAsync(http, timeout, ct =>
        {
            var seen = new Dictionary<LabelSet, LabelSet>();
            foreach (var match in matches)
            {
                foreach (var series in queries.Source.Select(null, options.Scoped(SelectorMatchers(match)), start, end, ct))
                {
                    seen.TryAdd(series.Labels, series.Labels);
                }
            }

            return Task.FromResult<object>(Capped(seen.Values.ToList(), queries.Options.MaxSeries).Select(Metric).ToList());
        });
    }

    private static async Task<IResult> LabelsAsync(HttpContext http, ClaimsPrincipal user, PromQlQueries queries, TimeProvider time)
    {
        var p = await ParametersAsync(http);
        return await LabelQueryAsync(http, p, user, queries, time, async (matchers, from, to, ct) => await queries.Source.LabelNamesAsync(matchers, from, to, ct));
    }

    private static async Task<IResult> LabelValuesAsync(string name, HttpContext http, ClaimsPrincipal user, PromQlQueries queries, TimeProvider time)
    {
        if (!PrometheusNames.IsValidLabelName(name))
        {
            return BadData($"invalid label name: \"{name}\"");
        }

        var p = await ParametersAsync(http);
        return await LabelQueryAsync(http, p, user, queries, time, async (matchers, from, to, ct) => await queries.Source.LabelValuesAsync(name, matchers, from, to, ct));
    }

    /// <summary>
    /// Label names or values over the union of the <c>match[]</c> selectors (every series without one), scoped to the
    /// caller's tenant; with a <c>start</c> older than the hot store's coverage the database's series count too.
    /// </summary>
    private static async Task<IResult> LabelQueryAsync(
        HttpContext http, RequestParameters p, ClaimsPrincipal user, PromQlQueries queries, TimeProvider time,
        Func<IReadOnlyList<LabelMatcher>, long, long, CancellationToken, Task<IReadOnlyList<string>>> read)
    {
        long from = long.MinValue, to = long.MaxValue;
        if (p.Get("start") is not null || p.Get("end") is not null)
        {
            if (!TryRange(p, time.GetUtcNow(), TimeSpan.FromDays(36500), out from, out to, out var rangeError))
            {
                return BadData(rangeError!);
            }
        }

        if (queries.Timeout(p.Get("timeout"), out var timeoutError) is not { } timeout)
        {
            return BadData(timeoutError!);
        }

        var options = queries.EngineOptions(user);
        var matches = p.GetAll("match[]");
        return await queries.RunAsync(http, timeout, async ct =>
        {
            if (matches.Count == 0)
            {
                return await read(options.ScopeMatchers, from, to, ct);
            }

            var all = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var match in matches)
            {
                all.UnionWith(await read(options.Scoped(SelectorMatchers(match)), from, to, ct));
            }

            return all.ToList();
        });
    }

    /// <summary>The <c>start</c> and <c>end</c> parameters (end defaults to now, start to end − <paramref name="defaultSpan"/>).</summary>
    private static bool TryRange(RequestParameters p, DateTimeOffset now, TimeSpan defaultSpan, out long start, out long end, out string? error)
    {
        error = null;
        start = 0;
        if (!TryTime(p.Get("end"), now, out end))
        {
            error = $"invalid parameter \"end\": cannot parse \"{p.Get("end")}\" to a valid timestamp";
            return false;
        }

        var endTime = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(end, -62_135_596_800_000, 253_402_300_799_999));
        var defaultStart = endTime - defaultSpan < DateTimeOffset.UnixEpoch ? DateTimeOffset.UnixEpoch : endTime - defaultSpan;
        if (!TryTime(p.Get("start"), defaultStart, out start))
        {
            error = $"invalid parameter \"start\": cannot parse \"{p.Get("start")}\" to a valid timestamp";
            return false;
        }

        if (end < start)
        {
            error = "invalid parameter \"end\": end timestamp must not be before start time";
            return false;
        }

        return true;
    }

    /// <summary>Refuses an answer of more than <paramref name="maxSeries"/> series.</summary>
    private static IReadOnlyList<T> Capped<T>(IReadOnlyList<T> series, int maxSeries) => series.Count <= maxSeries
        ? series
        : throw new PromQlEvaluationException(
            $"the answer would have {series.Count:N0} series, more than the limit of {maxSeries:N0} (Query:MaxSeries): narrow the selectors or aggregate");

    /// <summary>The matchers of a plain selector such as <c>up{job="x"}</c> (validated by the parser first).</summary>
    private static IReadOnlyList<LabelMatcher> SelectorMatchers(string selector) =>
        PromQlParser.Parse(selector) is VectorSelector v ? v.Matchers : throw new PromQlBadQueryException($"invalid parameter \"match[]\": {selector} is not a series selector, like up{{job=\"api\"}}");

    internal static IResult Success(object data) => Results.Json(new PrometheusResponse("success", data));

    internal static IResult BadData(string message) =>
        Results.Json(new PrometheusResponse("error", ErrorType: "bad_data", Error: message), statusCode: StatusCodes.Status400BadRequest);

    private static object[] Point(long ms, string value) => [ms / 1000.0, value];

    private static IEnumerable<object> Matrix(IReadOnlyList<RangeSeries> series) =>
        series.Select(s => new { metric = Metric(s.Labels), values = s.Points.Select(p => Point(p.TimestampMs, Format(p.Value))) });

    private static Dictionary<string, string> Metric(LabelSet labels) => labels.Labels.ToDictionary(l => l.Key, l => l.Value);

    /// <summary>Sample values as Prometheus's JSON writes them (no exponent between 1e-6 and 1e21).</summary>
    private static string Format(double v) => PromQlFormat.SampleValue(v);

    private static bool TryTime(string? text, DateTimeOffset fallback, out long ms)
    {
        ms = fallback.ToUnixTimeMilliseconds();
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            ms = (long)Math.Round(seconds * 1000);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            ms = t.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }

    internal static bool TryDurationMs(string? text, out long ms)
    {
        ms = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            ms = (long)Math.Round(seconds * 1000);
            return true;
        }

        var parsed = PromQlDuration.TryParseMs(text);
        ms = parsed ?? 0;
        return parsed is not null;
    }

    /// <summary>Query-string and form parameters together (Prometheus accepts both, form winning).</summary>
    private static async Task<RequestParameters> ParametersAsync(HttpContext http)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (k, v) in http.Request.Query)
        {
            values[k] = [.. v.Where(x => x is not null).Select(x => x!)];
        }

        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            foreach (var (k, v) in form)
            {
                values[k] = [.. v.Where(x => x is not null).Select(x => x!)];
            }
        }

        return new RequestParameters(values);
    }

    private sealed record RequestParameters(Dictionary<string, List<string>> Values)
    {
        public string? Get(string name) => Values.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

        public IReadOnlyList<string> GetAll(string name) => Values.TryGetValue(name, out var v) ? v : [];
    }
}
