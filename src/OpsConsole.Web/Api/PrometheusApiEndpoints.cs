using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
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
        api.MapMethods("/labels", ["GET", "POST"], (ClaimsPrincipal user, TelemetryStores stores) =>
            Success(stores.Series.LabelNames(user.GetTenantId())));
        api.MapGet("/label/{name}/values", (string name, ClaimsPrincipal user, TelemetryStores stores) =>
            Success(stores.Series.LabelValues(user.GetTenantId(), name)));
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

    private static async Task<IResult> QueryAsync(HttpContext http, ClaimsPrincipal user, TelemetryStores stores, TimeProvider time)
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

        return Evaluate(() =>
        {
            var result = new PromQlEngine(stores.Series).Instant(p.Get("query")!, at, user.GetTenantId(), http.RequestAborted);
            return result switch
            {
                ScalarResult s => new { resultType = "scalar", result = (object)Point(s.TimestampMs, PromQlFormat.Decimal(s.Value)) },
                StringResult s => new { resultType = "string", result = (object)Point(s.TimestampMs, s.Value) },
                InstantVector v => new { resultType = "vector", result = (object)v.Samples.Select(x => new { metric = Metric(x.Labels), value = Point(x.TimestampMs, Format(x.Value)) }) },
                RangeMatrix m => new { resultType = "matrix", result = (object)Matrix(m) },
                _ => throw new PromQlUnsupportedException("unknown result type"),
            };
        });
    }

    private static async Task<IResult> QueryRangeAsync(HttpContext http, ClaimsPrincipal user, TelemetryStores stores, TimeProvider time)
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

        if ((end - start) / step > 11_000)
        {
            return BadData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        }

        return Evaluate(() =>
        {
            var m = new PromQlEngine(stores.Series).Range(p.Get("query")!, start, end, step, user.GetTenantId(), http.RequestAborted);
            return new { resultType = "matrix", result = Matrix(m) };
        });
    }

    private static async Task<IResult> SeriesAsync(HttpContext http, ClaimsPrincipal user, TelemetryStores stores, TimeProvider time)
    {
        var p = await ParametersAsync(http);
        var matches = p.GetAll("match[]");
        if (matches.Count == 0)
        {
            return BadData("no match[] parameter provided");
        }

        var now = time.GetUtcNow();
        TryTime(p.Get("start"), now.AddHours(-1), out var start);
        TryTime(p.Get("end"), now, out var end);
        return Evaluate(() =>
        {
            var seen = new Dictionary<ulong, LabelSet>();
            foreach (var match in matches)
            {
                foreach (var series in stores.Series.Select(user.GetTenantId(), SelectorMatchers(match), start, end))
                {
                    seen.TryAdd(series.Labels.Fingerprint, series.Labels);
                }
            }

            return seen.Values.Select(Metric).ToList();
        });
    }

    /// <summary>The matchers of a plain selector such as <c>up{job="x"}</c> (validated by the parser first).</summary>
    private static IReadOnlyList<LabelMatcher> SelectorMatchers(string selector) =>
        PromQlParser.Parse(selector) is VectorSelector v ? v.Matchers : throw new PromQlEvaluationException("match[] must be a series selector, like up{job=\"api\"}");

    private static IResult Evaluate(Func<object> run)
    {
        try
        {
            return Success(run());
        }
        catch (PromQlParseException ex)
        {
            return BadData(ex.Message);
        }
        catch (PromQlUnsupportedException ex)
        {
            return Results.Json(new PrometheusResponse("error", ErrorType: "bad_data", Error: "unsupported: " + ex.Message), statusCode: StatusCodes.Status400BadRequest);
        }
        catch (PromQlEvaluationException ex)
        {
            return Results.Json(new PrometheusResponse("error", ErrorType: "execution", Error: ex.Message), statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (OperationCanceledException)
        {
            return Results.Json(new PrometheusResponse("error", ErrorType: "canceled", Error: "query was canceled"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult Success(object data) => Results.Json(new PrometheusResponse("success", data));

    private static IResult BadData(string message) =>
        Results.Json(new PrometheusResponse("error", ErrorType: "bad_data", Error: message), statusCode: StatusCodes.Status400BadRequest);

    private static object[] Point(long ms, string value) => [ms / 1000.0, value];

    private static IEnumerable<object> Matrix(RangeMatrix m) =>
        m.Series.Select(s => new { metric = Metric(s.Labels), values = s.Points.Select(p => Point(p.TimestampMs, Format(p.Value))) });

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

    private static bool TryDurationMs(string? text, out long ms)
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
