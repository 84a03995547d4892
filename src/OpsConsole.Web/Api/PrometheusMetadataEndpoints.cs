using System.Globalization;
using System.Security.Claims;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// The parts of Prometheus's API that Grafana's Prometheus data source calls besides queries and labels:
/// <c>/api/v1/metadata</c> (its metric browser shows type and help) and <c>/api/v1/query_exemplars</c> (OpsConsole keeps
/// no exemplars, so the answer is always an honest empty list). Tenant-scoped callers only learn about metric names that
/// occur in their own tenant's series.
/// </summary>
public static class PrometheusMetadataEndpoints
{
    /// <summary>Suffixes under which a metric family's samples are stored (OpenMetrics / text format 0.0.4).</summary>
    private static readonly string[] FamilySuffixes = ["", "_total", "_bucket", "_count", "_sum", "_created", "_info"];

    public static IEndpointRouteBuilder MapPrometheusMetadataApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.ViewDashboards).WithTags("Prometheus API").DisableAntiforgery();
        api.MapGet("/metadata", MetadataAsync);
        api.MapMethods("/query_exemplars", ["GET", "POST"], ExemplarsAsync).WithMetadata(new RequiresQueryParametersAttribute());
        return app;
    }

    private static async Task<IResult> MetadataAsync(HttpContext http, ClaimsPrincipal user, PromQlQueries queries, TelemetryStores stores)
    {
        var metric = http.Request.Query["metric"].ToString();
        var limitText = http.Request.Query["limit"].ToString();
        var limit = int.MaxValue;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            return PrometheusApiEndpoints.BadData($"invalid parameter \"limit\": \"{limitText}\" is not a non-negative integer");
        }

        if (limit == 0)
        {
            limit = int.MaxValue; // as Prometheus: 0 means no limit
        }

        var scope = queries.EngineOptions(user);
        HashSet<string>? visibleNames = null;
        if (scope.TenantScope is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            timeout.CancelAfter(queries.Options.Timeout);
            var names = await queries.Source.LabelValuesAsync(LabelSet.MetricName, scope.ScopeMatchers, long.MinValue, long.MaxValue, timeout.Token);
            visibleNames = new HashSet<string>(names, StringComparer.Ordinal);
        }

        var data = new SortedDictionary<string, List<object>>(StringComparer.Ordinal);
        foreach (var m in stores.Series.Metadata(null, metric.Length > 0 ? metric : null))
        {
            if (data.Count >= limit && !data.ContainsKey(m.Name))
            {
                break;
            }

            if (visibleNames is not null && !FamilySuffixes.Any(s => visibleNames.Contains(m.Name + s)))
            {
                continue;
            }

            var entry = new { type = TypeName(m.Type), help = m.Help ?? string.Empty, unit = m.Unit ?? string.Empty };
            if (!data.TryGetValue(m.Name, out var list))
            {
                data[m.Name] = list = [];
            }

            if (!list.Contains(entry))
            {
                list.Add(entry);
            }
        }

        return PrometheusApiEndpoints.Success(data);
    }

    private static async Task<IResult> ExemplarsAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var query = http.Request.HasFormContentType
            ? (await http.Request.ReadFormAsync(cancellationToken))["query"].ToString()
            : http.Request.Query["query"].ToString();
        return string.IsNullOrWhiteSpace(query)
            ? PrometheusApiEndpoints.BadData("invalid parameter \"query\": the query is empty")
            : PrometheusApiEndpoints.Success(Array.Empty<object>());
    }

    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        MetricType.Summary => "summary",
        MetricType.Info => "info",
        MetricType.StateSet => "stateset",
        MetricType.GaugeHistogram => "gaugehistogram",
        _ => "unknown",
    };
}
