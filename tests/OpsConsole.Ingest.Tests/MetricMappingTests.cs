using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Resource;
using OpsConsole.Ingest.Tests.Support;

namespace OpsConsole.Ingest.Tests;

public class MetricMappingTests
{
    private const ulong T1 = 1_700_000_000_123_456_789;
    private const ulong T2 = 1_700_000_060_123_456_789;
    private const long T1Ms = 1_700_000_000_123;
    private const long T2Ms = 1_700_000_060_123;
    private const ulong Received = 1_700_000_999_000_000_000;

    private static readonly IngestLimits Limits = new();

    private static Resource Service() => OtlpWire.Resource(
        OtlpWire.Attr("service.name", "checkout"), OtlpWire.Attr("service.namespace", "shop"), OtlpWire.Attr("service.instance.id", "pod-7"),
        OtlpWire.Attr("deployment.environment", "prod"), OtlpWire.Attr("host.name", "node-1"));

    private static (TelemetryBatch Batch, IntakeReport Report) Map(ExportMetricsServiceRequest request, DeltaToCumulative? deltas = null, IngestContext? context = null)
    {
        var report = new IntakeReport();
        var batch = OtlpMetricMapper.Map(request, context ?? IngestContext.Unbound, Limits, deltas ?? new DeltaToCumulative(), new DeltaLedger(), Received, report);
        return (batch, report);
    }

    private static Dictionary<string, double> ByLabels(TelemetryBatch batch) => batch.Samples.ToDictionary(s => s.Labels.ToString(), s => s.Value);

    [Fact]
    public void Map_Gauge_SeriesWithJobInstanceAndSanitisedLabels()
    {
        var request = OtlpWire.Metrics(Service(), OtlpWire.Gauge("cpu.utilization", "1", OtlpWire.Point(0.75, T1, OtlpWire.Attr("cpu.core", 3L), OtlpWire.Attr("state", "user"))));

        var (batch, report) = Map(request);

        Assert.Equal(0, report.RejectedItems);
        var sample = Assert.Single(batch.Samples, s => s.Labels.Name == "cpu_utilization_ratio");
        Assert.Equal("cpu_utilization_ratio{cpu_core=\"3\", instance=\"pod-7\", job=\"shop/checkout\", state=\"user\"}", sample.Labels.ToString());
        Assert.Equal(0.75, sample.Value);
        Assert.Equal(T1Ms, sample.TimestampMs);
        Assert.Equal("default", sample.TenantId);
        Assert.Contains(new MetricMetadata("cpu_utilization_ratio", MetricType.Gauge, "cpu.utilization help", "ratio"), batch.Metadata);
    }

    [Fact]
    public void Map_IntegerPoint_ValueAsDouble()
    {
        var point = new NumberDataPoint { AsInt = -42, TimeUnixNano = T1 };

        var (batch, _) = Map(OtlpWire.Metrics(null, OtlpWire.Gauge("temperature", "Cel", point)));

        var sample = Assert.Single(batch.Samples);
        Assert.Equal("temperature_celsius", sample.Labels.ToString());
        Assert.Equal(-42, sample.Value);
    }

    [Fact]
    public void Map_ResourceAttributes_OneTargetInfoPerResource()
    {
        var request = OtlpWire.Metrics(Service(), OtlpWire.Gauge("a", "", OtlpWire.Point(1, T1)), OtlpWire.Gauge("b", "", OtlpWire.Point(2, T2)));

        var (batch, _) = Map(request);

        var info = Assert.Single(batch.Samples, s => s.Labels.Name == "target_info");
        Assert.Equal("target_info{deployment_environment=\"prod\", host_name=\"node-1\", instance=\"pod-7\", job=\"shop/checkout\"}", info.Labels.ToString());
        Assert.Equal(1, info.Value);
        Assert.Equal(T2Ms, info.TimestampMs);
        Assert.Contains(batch.Metadata, m => m.Name == "target_info" && m.Type == MetricType.Gauge);
    }

    [Fact]
    public void Map_OnlyServiceAttributes_NoTargetInfo()
    {
        var request = OtlpWire.Metrics(OtlpWire.Resource(OtlpWire.Attr("service.name", "api")), OtlpWire.Gauge("a", "", OtlpWire.Point(1, T1)));

        var (batch, _) = Map(request);

        Assert.Equal("a{job=\"api\"}", Assert.Single(batch.Samples).Labels.ToString());
    }

    [Fact]
    public void Map_AttributesSanitisingAlike_ValuesJoinedInKeyOrder_AndResourceJobWins()
    {
        var point = OtlpWire.Point(1, T1, OtlpWire.Attr("http.route", "/b"), OtlpWire.Attr("http-route", "/a"), OtlpWire.Attr("job", "spoofed"), OtlpWire.Attr("__name__", "evil"));

        var (batch, _) = Map(OtlpWire.Metrics(OtlpWire.Resource(OtlpWire.Attr("service.name", "api")), OtlpWire.Gauge("requests.active", "", point)));

        Assert.Equal("requests_active{http_route=\"/a;/b\", job=\"api\", key__name__=\"evil\"}", Assert.Single(batch.Samples).Labels.ToString());
    }

    [Fact]
    public void Map_CumulativeMonotonicSum_TotalCounterPassedThrough()
    {
        var request = OtlpWire.Metrics(null, OtlpWire.Sum("http.server.requests", "{request}", true, AggregationTemporality.Cumulative,
            OtlpWire.Point(10, T1, OtlpWire.Attr("status", 200L)), OtlpWire.Point(12, T2, OtlpWire.Attr("status", 200L))));

        var (batch, _) = Map(request);

        Assert.Equal([10.0, 12.0], batch.Samples.Select(s => s.Value));
        Assert.All(batch.Samples, s => Assert.Equal("http_server_requests_total{status=\"200\"}", s.Labels.ToString()));
        Assert.Equal([T1Ms, T2Ms], batch.Samples.Select(s => s.TimestampMs));
        Assert.Equal(new MetricMetadata("http_server_requests_total", MetricType.Counter, "http.server.requests help", null), Assert.Single(batch.Metadata));
    }

    [Fact]
    public void Map_NonMonotonicSum_Gauge()
    {
        var request = OtlpWire.Metrics(null, OtlpWire.Sum("queue.depth", "{item}", false, AggregationTemporality.Cumulative, OtlpWire.Point(-3, T1)));

        var (batch, _) = Map(request);

        Assert.Equal("queue_depth", Assert.Single(batch.Samples).Labels.ToString());
        Assert.Equal(MetricType.Gauge, Assert.Single(batch.Metadata).Type);
    }

    [Fact]
    public void Map_DeltaSums_AccumulatedAcrossRequestsPerSeriesAndTenant()
    {
        var deltas = new DeltaToCumulative();
        ExportMetricsServiceRequest Request(double value, ulong time, string tenant) => OtlpWire.Metrics(OtlpWire.Resource(OtlpWire.Attr("tenant.id", tenant)),
            OtlpWire.Sum("jobs.done", "", true, AggregationTemporality.Delta, OtlpWire.Point(value, time, OtlpWire.Attr("queue", "a"))));

        var first = Map(Request(5, T1, "acme"), deltas).Batch;
        var second = Map(Request(2, T2, "acme"), deltas).Batch;
        var otherTenant = Map(Request(1, T2, "globex"), deltas).Batch;

        Assert.Equal(5, first.Samples.Single(s => s.Labels.Name == "jobs_done_total").Value);
        var total = second.Samples.Single(s => s.Labels.Name == "jobs_done_total");
        Assert.Equal(7, total.Value);
        Assert.Equal(T2Ms, total.TimestampMs);
        Assert.Equal(1, otherTenant.Samples.Single(s => s.Labels.Name == "jobs_done_total").Value);
        Assert.Equal(2, deltas.SeriesCount);
    }

    [Fact]
    public void Map_CumulativeHistogram_CumulativeBucketsInfSumCount()
    {
        var point = OtlpWire.HistogramPoint(T1, [0.005, 0.1, 1], [2, 3, 4, 1], 4.25, OtlpWire.Attr("route", "/pay"));

        var (batch, report) = Map(OtlpWire.Metrics(null, OtlpWire.Histogram("http.server.duration", "s", AggregationTemporality.Cumulative, point)));

        Assert.Equal(0, report.RejectedItems);
        Assert.Equal(new Dictionary<string, double>
        {
            ["http_server_duration_seconds_bucket{le=\"0.005\", route=\"/pay\"}"] = 2,
            ["http_server_duration_seconds_bucket{le=\"0.1\", route=\"/pay\"}"] = 5,
            ["http_server_duration_seconds_bucket{le=\"1\", route=\"/pay\"}"] = 9,
            ["http_server_duration_seconds_bucket{le=\"+Inf\", route=\"/pay\"}"] = 10,
            ["http_server_duration_seconds_sum{route=\"/pay\"}"] = 4.25,
            ["http_server_duration_seconds_count{route=\"/pay\"}"] = 10,
        }, ByLabels(batch));
        Assert.All(batch.Samples, s => Assert.Equal(T1Ms, s.TimestampMs));
        Assert.Equal(new MetricMetadata("http_server_duration_seconds", MetricType.Histogram, "http.server.duration help", "seconds"), Assert.Single(batch.Metadata));
    }

    [Fact]
    public void Map_HistogramWithoutSumOrBuckets_InfAndCountOnly()
    {
        var point = new HistogramDataPoint { TimeUnixNano = T1, Count = 4 };

        var (batch, _) = Map(OtlpWire.Metrics(null, OtlpWire.Histogram("latency", "ms", AggregationTemporality.Cumulative, point)));

        Assert.Equal(new Dictionary<string, double>
        {
            ["latency_milliseconds_bucket{le=\"+Inf\"}"] = 4,
            ["latency_milliseconds_count"] = 4,
        }, ByLabels(batch));
    }

    [Fact]
    public void Map_HistogramBucketCountMismatch_PointRejected()
    {
        var bad = OtlpWire.HistogramPoint(T1, [1, 2], [1, 1], 1);
        var good = OtlpWire.HistogramPoint(T2, [1], [1, 1], 1);

        var (batch, report) = Map(OtlpWire.Metrics(null, OtlpWire.Histogram("h", "", AggregationTemporality.Cumulative, bad, good)));

        Assert.All(batch.Samples, s => Assert.Equal(T2Ms, s.TimestampMs));
        Assert.Equal("1 data points rejected: metric 'h': histogram point has 2 bucket counts for 2 bounds (expected 3)", report.ToMessage("data points", 128));
    }

    [Fact]
    public void Map_DeltaHistogram_AccumulatedIntoCumulative()
    {
        var deltas = new DeltaToCumulative();
        ExportMetricsServiceRequest Request(ulong time, ulong[] counts, double sum) =>
            OtlpWire.Metrics(null, OtlpWire.Histogram("wait", "s", AggregationTemporality.Delta, OtlpWire.HistogramPoint(time, [1, 10], counts, sum)));

        Map(Request(T1, [1, 2, 0], 5), deltas);
        var (batch, _) = Map(Request(T2, [3, 0, 1], 20), deltas);

        Assert.Equal(new Dictionary<string, double>
        {
            ["wait_seconds_bucket{le=\"1\"}"] = 4,
            ["wait_seconds_bucket{le=\"10\"}"] = 6,
            ["wait_seconds_bucket{le=\"+Inf\"}"] = 7,
            ["wait_seconds_sum"] = 25,
            ["wait_seconds_count"] = 7,
        }, ByLabels(batch));
    }

    [Fact]
    public void Map_Summary_QuantilesSumCount()
    {
        var point = new SummaryDataPoint { TimeUnixNano = T1, Count = 100, Sum = 12.5 };
        point.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 0.1 });
        point.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 0.9 });
        var summary = new Summary();
        summary.DataPoints.Add(point);

        var (batch, _) = Map(OtlpWire.Metrics(null, new Metric { Name = "gc.pause", Unit = "s", Summary = summary }));

        Assert.Equal(new Dictionary<string, double>
        {
            ["gc_pause_seconds{quantile=\"0.5\"}"] = 0.1,
            ["gc_pause_seconds{quantile=\"0.99\"}"] = 0.9,
            ["gc_pause_seconds_sum"] = 12.5,
            ["gc_pause_seconds_count"] = 100,
        }, ByLabels(batch));
        Assert.Equal(MetricType.Summary, Assert.Single(batch.Metadata).Type);
    }

    [Fact]
    public void Map_ExponentialHistogram_RejectedWithClearMessage()
    {
        var histogram = new ExponentialHistogram();
        histogram.DataPoints.Add(new ExponentialHistogramDataPoint { TimeUnixNano = T1, Count = 3 });
        histogram.DataPoints.Add(new ExponentialHistogramDataPoint { TimeUnixNano = T2, Count = 3 });

        var (batch, report) = Map(OtlpWire.Metrics(null, new Metric { Name = "latency", ExponentialHistogram = histogram }));

        Assert.Empty(batch.Samples);
        Assert.Equal(2, report.RejectedItems);
        Assert.Contains("exponential histograms are not supported", report.ToMessage("data points", 128));
    }

    [Fact]
    public void Map_NoRecordedValueAndMissingTime_SkippedAndReceivedTimeUsed()
    {
        var stale = OtlpWire.Point(1, T1);
        stale.Flags = (uint)DataPointFlags.NoRecordedValueMask;

        var (batch, report) = Map(OtlpWire.Metrics(null, OtlpWire.Gauge("g", "", stale, OtlpWire.Point(2, 0))));

        var sample = Assert.Single(batch.Samples);
        Assert.Equal(2, sample.Value);
        Assert.Equal((long)(Received / 1_000_000), sample.TimestampMs);
        Assert.Equal(0, report.RejectedItems);
    }

    [Fact]
    public void Map_BoundContext_SamplesCarryKeyTenant()
    {
        var request = OtlpWire.Metrics(OtlpWire.Resource(OtlpWire.Attr("tenant.id", "globex")), OtlpWire.Gauge("g", "", OtlpWire.Point(1, T1)));

        var (batch, _) = Map(request, context: IngestContext.ForTenant("acme"));

        Assert.All(batch.Samples, s => Assert.Equal("acme", s.TenantId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("...")]
    [InlineData("счётчик")]
    public void Map_NameWithoutNameCharacters_PointsRejected(string name)
    {
        var (batch, report) = Map(OtlpWire.Metrics(null, OtlpWire.Gauge(name, "s", OtlpWire.Point(1, T1), OtlpWire.Point(2, T2))));

        Assert.Empty(batch.Samples);
        Assert.Equal(2, report.RejectedItems);
        Assert.Contains($"metric name '{name}' has no letter or digit", report.ToMessage("data points", 128));
    }

    [Fact]
    public void Map_MetadataOncePerFamily()
    {
        var request = OtlpWire.Metrics(null, OtlpWire.Gauge("g", "", OtlpWire.Point(1, T1)), OtlpWire.Gauge("g", "", OtlpWire.Point(2, T2)));

        var (batch, _) = Map(request);

        Assert.Single(batch.Metadata);
        Assert.Equal(2, batch.Samples.Count);
    }
}
