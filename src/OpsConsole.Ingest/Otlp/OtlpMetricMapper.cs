using System.Globalization;
using Google.Protobuf.Collections;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Metrics;
using OtlpResource = OpsConsole.Ingest.Otlp.Proto.Resource.Resource;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// OTLP metrics to Prometheus-style <see cref="SeriesSample"/>s and <see cref="MetricMetadata"/>, following
/// the OpenTelemetry-to-Prometheus compatibility rules:
/// <list type="bullet">
/// <item>names and units as <see cref="PrometheusNaming"/> describes; point attributes become labels with
/// sanitised names (attributes whose names sanitise alike have their values joined with <c>;</c>, in order of
/// the original keys);</item>
/// <item>resource <c>service.namespace</c>/<c>service.name</c> becomes <c>job</c> and
/// <c>service.instance.id</c> becomes <c>instance</c> on every series (overriding point attributes of those
/// names); the other resource attributes go on one <c>target_info</c> gauge (value 1) per resource;</item>
/// <item>gauges and non-monotonic sums become gauges; monotonic sums become <c>_total</c> counters;
/// histograms become <c>_bucket{le}</c> (cumulative counts, <c>+Inf</c> = count), <c>_sum</c> (when sent) and
/// <c>_count</c>; summaries become <c>{quantile}</c> series plus <c>_sum</c> and <c>_count</c>;</item>
/// <item>delta sums and histograms are accumulated into cumulative series by <see cref="DeltaToCumulative"/>;</item>
/// <item>timestamps are nanoseconds → milliseconds; a point without one takes the time the request arrived;
/// points flagged "no recorded value" are skipped; exemplars and scope attributes are not kept;</item>
/// <item>exponential histograms are rejected (counted, with a message asking for explicit buckets).</item>
/// </list>
/// Series cardinality (<see cref="IngestLimits.MaxSeriesPerMetric"/>) is not checked here: only the store knows
/// which series already exist, so it enforces that limit.
/// </summary>
internal sealed class OtlpMetricMapper
{
    public const string TargetInfo = "target_info";
    public const string JobLabel = "job";
    public const string InstanceLabel = "instance";

    private const ulong NanosPerMilli = 1_000_000;
    private const string ServiceName = "service.name";
    private const string ServiceNamespace = "service.namespace";
    private const string ServiceInstanceId = "service.instance.id";

    private readonly IngestContext _context;
    private readonly IngestLimits _limits;
    private readonly DeltaToCumulative _deltas;
    private readonly DeltaLedger _ledger;
    private readonly ulong _receivedUnixNano;
    private readonly IntakeReport _report;
    private readonly List<SeriesSample> _samples = [];
    private readonly List<MetricMetadata> _metadata = [];
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private readonly List<(string Label, string Key, string Value)> _attributeScratch = [];
    private readonly Dictionary<string, string> _labelNames = new(StringComparer.Ordinal);

    private OtlpMetricMapper(IngestContext context, IngestLimits limits, DeltaToCumulative deltas, DeltaLedger ledger, ulong receivedUnixNano, IntakeReport report)
    {
        _context = context;
        _limits = limits;
        _deltas = deltas;
        _ledger = ledger;
        _receivedUnixNano = receivedUnixNano;
        _report = report;
    }

    /// <summary>
    /// Maps one export request. What the request added to <paramref name="deltas"/> is recorded in
    /// <paramref name="ledger"/>, to be undone if the batch is not stored.
    /// </summary>
    public static TelemetryBatch Map(ExportMetricsServiceRequest request, IngestContext context, IngestLimits limits, DeltaToCumulative deltas,
        DeltaLedger ledger, ulong receivedUnixNano, IntakeReport report)
    {
        var mapper = new OtlpMetricMapper(context, limits, deltas, ledger, receivedUnixNano, report);
        foreach (var rm in request.ResourceMetrics)
        {
            mapper.MapResource(rm);
        }

        return mapper._samples.Count == 0 && mapper._metadata.Count == 0
            ? TelemetryBatch.Empty
            : new TelemetryBatch { Samples = mapper._samples, Metadata = mapper._metadata };
    }

    private void MapResource(ResourceMetrics rm)
    {
        var resource = OtlpAttributes.ToResource(rm.Resource, _limits.MaxAttributesPerItem, _report);
        if (!_context.TryResolveTenant(resource, out var tenantId, out var tenantError))
        {
            var count = 0;
            foreach (var sm in rm.ScopeMetrics)
            {
                foreach (var metric in sm.Metrics)
                {
                    count += PointCount(metric);
                }
            }

            _report.Reject(count, tenantError);
            return;
        }

        var resourceLabels = ResourceLabels(rm.Resource);
        var latestMs = -1L;
        foreach (var sm in rm.ScopeMetrics)
        {
            foreach (var metric in sm.Metrics)
            {
                latestMs = Math.Max(latestMs, MapMetric(metric, tenantId, resourceLabels));
            }
        }

        if (latestMs >= 0)
        {
            AddTargetInfo(rm.Resource, tenantId, resourceLabels, latestMs);
        }
    }

    /// <summary>Maps one metric's points; returns the latest timestamp written (ms), or -1 for none.</summary>
    private long MapMetric(Metric metric, string tenantId, KeyValuePair<string, string>[] resourceLabels)
    {
        if (!HasNameCharacter(metric.Name))
        {
            _report.Reject(PointCount(metric), _report.WantsDetail ? $"metric name '{metric.Name}' has no letter or digit to make a Prometheus name of" : null);
            return -1;
        }

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
            {
                var name = Family(metric, PrometheusFamilyKind.Gauge, MetricType.Gauge);
                return MapNumbers(metric.Gauge.DataPoints, name, tenantId, resourceLabels, accumulate: false);
            }

            case Metric.DataOneofCase.Sum:
            {
                var sum = metric.Sum;
                var kind = sum.IsMonotonic ? PrometheusFamilyKind.Counter : PrometheusFamilyKind.NonMonotonicSum;
                var name = Family(metric, kind, sum.IsMonotonic ? MetricType.Counter : MetricType.Gauge);
                return MapNumbers(sum.DataPoints, name, tenantId, resourceLabels, sum.AggregationTemporality == AggregationTemporality.Delta);
            }

            case Metric.DataOneofCase.Histogram:
            {
                var histogram = metric.Histogram;
                var name = Family(metric, PrometheusFamilyKind.Histogram, MetricType.Histogram);
                return MapHistograms(histogram.DataPoints, name, tenantId, resourceLabels, histogram.AggregationTemporality == AggregationTemporality.Delta);
            }

            case Metric.DataOneofCase.Summary:
            {
                var name = Family(metric, PrometheusFamilyKind.Summary, MetricType.Summary);
                return MapSummaries(metric.Summary.DataPoints, name, tenantId, resourceLabels);
            }

            case Metric.DataOneofCase.ExponentialHistogram:
                _report.Reject(metric.ExponentialHistogram.DataPoints.Count, _report.WantsDetail
                    ? $"metric '{metric.Name}': exponential histograms are not supported; configure the exporter to aggregate histograms with explicit buckets"
                    : null);
                return -1;
            default:
                return -1;
        }
    }

    private long MapNumbers(RepeatedField<NumberDataPoint> points, string name, string tenantId, KeyValuePair<string, string>[] resourceLabels, bool accumulate)
    {
        var latest = -1L;
        foreach (var point in points)
        {
            if (NoRecordedValue(point.Flags))
            {
                continue;
            }

            var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
            var timeNano = Time(point.TimeUnixNano);
            var labels = Series(BaseLabels(point.Attributes, resourceLabels), name, null, null);
            if (accumulate && !_deltas.TryAddSum(tenantId, labels, timeNano, value, _ledger, out value))
            {
                RejectUntracked(name);
                continue;
            }

            var ms = ToMs(timeNano);
            _samples.Add(new SeriesSample(tenantId, labels, ms, value));
            latest = Math.Max(latest, ms);
        }

        return latest;
    }

    private long MapHistograms(RepeatedField<HistogramDataPoint> points, string name, string tenantId, KeyValuePair<string, string>[] resourceLabels, bool accumulate)
    {
        var latest = -1L;
        var bucketName = name + "_bucket";
        var sumName = name + "_sum";
        var countName = name + "_count";
        foreach (var point in points)
        {
            if (NoRecordedValue(point.Flags))
            {
                continue;
            }

            var bounds = point.ExplicitBounds;
            var counts = point.BucketCounts;
            if (!ValidBuckets(bounds, counts, out var error))
            {
                _report.Reject(_report.WantsDetail ? $"metric '{name}': {error}" : null);
                continue;
            }

            var timeNano = Time(point.TimeUnixNano);
            var baseLabels = BaseLabels(point.Attributes, resourceLabels);
            var count = point.Count;
            var sum = point.HasSum ? point.Sum : 0;
            ulong[] buckets;
            if (accumulate)
            {
                buckets = new ulong[counts.Count];
                if (!_deltas.TryAddHistogram(tenantId, Series(baseLabels, name, null, null), timeNano, bounds, counts, count, sum, _ledger, buckets, out count, out sum))
                {
                    RejectUntracked(name);
                    continue;
                }
            }
            else
            {
                buckets = counts.Count == 0 ? [] : [.. counts];
            }

            var ms = ToMs(timeNano);
            ulong cumulative = 0;
            for (var i = 0; i < bounds.Count; i++)
            {
                cumulative += buckets[i];
                Add(tenantId, Series(baseLabels, bucketName, "le", PrometheusNaming.FormatFloat(bounds[i])), ms, cumulative);
            }

            Add(tenantId, Series(baseLabels, bucketName, "le", "+Inf"), ms, count);
            if (point.HasSum)
            {
                Add(tenantId, Series(baseLabels, sumName, null, null), ms, sum);
            }

            Add(tenantId, Series(baseLabels, countName, null, null), ms, count);
            latest = Math.Max(latest, ms);
        }

        return latest;
    }

    private long MapSummaries(RepeatedField<SummaryDataPoint> points, string name, string tenantId, KeyValuePair<string, string>[] resourceLabels)
    {
        var latest = -1L;
        var sumName = name + "_sum";
        var countName = name + "_count";
        foreach (var point in points)
        {
            if (NoRecordedValue(point.Flags))
            {
                continue;
            }

            var ms = ToMs(Time(point.TimeUnixNano));
            var baseLabels = BaseLabels(point.Attributes, resourceLabels);
            foreach (var quantile in point.QuantileValues)
            {
                Add(tenantId, Series(baseLabels, name, "quantile", PrometheusNaming.FormatFloat(quantile.Quantile)), ms, quantile.Value);
            }

            Add(tenantId, Series(baseLabels, sumName, null, null), ms, point.Sum);
            Add(tenantId, Series(baseLabels, countName, null, null), ms, point.Count);
            latest = Math.Max(latest, ms);
        }

        return latest;
    }

    private void AddTargetInfo(OtlpResource? resource, string tenantId, KeyValuePair<string, string>[] resourceLabels, long ms)
    {
        if (resource is null)
        {
            return;
        }

        var labels = new List<KeyValuePair<string, string>>(resource.Attributes.Count + 2);
        var max = Math.Min(resource.Attributes.Count, _limits.MaxAttributesPerItem);
        for (var i = 0; i < max; i++)
        {
            var kv = resource.Attributes[i];
            if (kv.Key is not (ServiceName or ServiceNamespace or ServiceInstanceId))
            {
                labels.Add(new KeyValuePair<string, string>(LabelName(kv.Key), LabelValue(kv.Value)));
            }
        }

        if (labels.Count == 0)
        {
            return;
        }

        labels.AddRange(resourceLabels);
        labels.Add(new KeyValuePair<string, string>(LabelSet.MetricName, TargetInfo));
        if (_families.Add(TargetInfo))
        {
            _metadata.Add(new MetricMetadata(TargetInfo, MetricType.Gauge, "Target metadata", null));
        }

        _samples.Add(new SeriesSample(tenantId, LabelSet.From(labels), ms, 1));
    }

    /// <summary>The family name; metadata once per family and batch.</summary>
    private string Family(Metric metric, PrometheusFamilyKind kind, MetricType type)
    {
        var name = PrometheusNaming.MetricName(metric.Name, metric.Unit, kind);
        if (_families.Add(name))
        {
            var unit = PrometheusNaming.UnitName(metric.Unit, kind);
            _metadata.Add(new MetricMetadata(name, type, metric.Description.Length == 0 ? null : metric.Description, unit.Length == 0 ? null : unit));
        }

        return name;
    }

    /// <summary>
    /// The labels of a point without the metric name: its attributes as sanitised labels (colliding names joined
    /// with ';' in order of the original keys), then job and instance from the resource.
    /// </summary>
    private List<KeyValuePair<string, string>> BaseLabels(RepeatedField<KeyValue> attributes, KeyValuePair<string, string>[] resourceLabels)
    {
        var count = attributes.Count;
        var kept = Math.Min(count, _limits.MaxAttributesPerItem);
        if (kept < count)
        {
            _report.DroppedAttributesOnItem(count - kept);
        }

        var labels = new List<KeyValuePair<string, string>>(kept + resourceLabels.Length + 2);
        var scratch = _attributeScratch;
        scratch.Clear();
        var collides = false;
        for (var i = 0; i < kept; i++)
        {
            var kv = attributes[i];
            var label = LabelName(kv.Key);
            if (label.Length == 0 || IsResourceLabel(label, resourceLabels))
            {
                continue;
            }

            for (var j = 0; j < scratch.Count && !collides; j++)
            {
                collides = scratch[j].Label == label;
            }

            scratch.Add((label, kv.Key, LabelValue(kv.Value)));
        }

        if (collides)
        {
            scratch.Sort(static (a, b) =>
            {
                var byLabel = string.CompareOrdinal(a.Label, b.Label);
                return byLabel != 0 ? byLabel : string.CompareOrdinal(a.Key, b.Key);
            });
            for (var i = 0; i < scratch.Count; i++)
            {
                var value = scratch[i].Value;
                while (i + 1 < scratch.Count && scratch[i + 1].Label == scratch[i].Label)
                {
                    i++;
                    value = value + ";" + scratch[i].Value;
                }

                labels.Add(new KeyValuePair<string, string>(scratch[i].Label, value));
            }
        }
        else
        {
            foreach (var (label, _, value) in scratch)
            {
                labels.Add(new KeyValuePair<string, string>(label, value));
            }
        }

        labels.AddRange(resourceLabels);
        return labels;
    }

    /// <summary>The label name of an attribute key, sanitised once per request (keys repeat on every point).</summary>
    private string LabelName(string key)
    {
        if (!_labelNames.TryGetValue(key, out var label))
        {
            label = PrometheusNaming.LabelName(key);
            _labelNames.Add(key, label);
        }

        return label;
    }

    private static bool IsResourceLabel(string label, KeyValuePair<string, string>[] resourceLabels)
    {
        foreach (var (name, _) in resourceLabels)
        {
            if (name == label)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One series: the base labels plus the metric name and, for buckets and quantiles, one more label.</summary>
    private static LabelSet Series(List<KeyValuePair<string, string>> baseLabels, string name, string? extraLabel, string? extraValue)
    {
        var labels = new KeyValuePair<string, string>[baseLabels.Count + (extraLabel is null ? 1 : 2)];
        baseLabels.CopyTo(labels);
        labels[baseLabels.Count] = new KeyValuePair<string, string>(LabelSet.MetricName, name);
        if (extraLabel is not null)
        {
            labels[^1] = new KeyValuePair<string, string>(extraLabel, extraValue!);
        }

        return LabelSet.From(labels);
    }

    /// <summary>job (service.namespace/service.name, or service.name) and instance (service.instance.id).</summary>
    private static KeyValuePair<string, string>[] ResourceLabels(OtlpResource? resource)
    {
        if (resource is null)
        {
            return [];
        }

        string? name = null, ns = null, instance = null;
        foreach (var kv in resource.Attributes)
        {
            switch (kv.Key)
            {
                case ServiceName:
                    name = LabelValue(kv.Value);
                    break;
                case ServiceNamespace:
                    ns = LabelValue(kv.Value);
                    break;
                case ServiceInstanceId:
                    instance = LabelValue(kv.Value);
                    break;
            }
        }

        var job = string.IsNullOrEmpty(name) ? null : string.IsNullOrEmpty(ns) ? name : ns + "/" + name;
        return (job, string.IsNullOrEmpty(instance) ? null : instance) switch
        {
            (null, null) => [],
            (string j, null) => [new(JobLabel, j)],
            (null, string i) => [new(InstanceLabel, i)],
            (string j, string i) => [new(JobLabel, j), new(InstanceLabel, i)],
        };
    }

    /// <summary>An attribute value as label text: strings as they are, numbers invariant, arrays and maps as JSON-like text.</summary>
    internal static string LabelValue(AnyValue? value) => value?.ValueCase switch
    {
        null or AnyValue.ValueOneofCase.None => "",
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => PrometheusNaming.FormatFloat(value.DoubleValue),
        _ => OtlpAttributes.ToValue(value).ToString(),
    };

    private static bool ValidBuckets(RepeatedField<double> bounds, RepeatedField<ulong> counts, out string? error)
    {
        error = null;
        if (counts.Count != 0 && counts.Count != bounds.Count + 1)
        {
            error = $"histogram point has {counts.Count} bucket counts for {bounds.Count} bounds (expected {bounds.Count + 1})";
            return false;
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (double.IsNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                error = "histogram bucket bounds are not strictly increasing";
                return false;
            }
        }

        if (counts.Count == 0 && bounds.Count > 0)
        {
            error = $"histogram point has {bounds.Count} bounds but no bucket counts";
            return false;
        }

        return true;
    }

    private static bool HasNameCharacter(string name)
    {
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == ':')
            {
                return true;
            }
        }

        return false;
    }

    private void RejectUntracked(string name) =>
        _report.Reject(_report.WantsDetail ? $"metric '{name}': too many delta series to convert to cumulative; try again later or send cumulative temporality" : null);

    private void Add(string tenantId, LabelSet labels, long ms, double value) => _samples.Add(new SeriesSample(tenantId, labels, ms, value));

    private ulong Time(ulong timeUnixNano) => timeUnixNano != 0 ? timeUnixNano : _receivedUnixNano;

    private static long ToMs(ulong unixNano) => (long)(unixNano / NanosPerMilli);

    private static bool NoRecordedValue(uint flags) => (flags & (uint)DataPointFlags.NoRecordedValueMask) != 0;

    private static int PointCount(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };
}
