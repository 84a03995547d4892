using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Prometheus;
using Prometheus;
using NetFormat = Prometheus.ExpositionFormat;
using OurFormat = OpsConsole.Ingest.Prometheus.ExpositionFormat;

namespace OpsConsole.Scrape.Tests.Parsing;

/// <summary>Real-world pages: what prometheus-net (the library the console itself exports with) writes.</summary>
public sealed class PrometheusNetExpositionTests
{
    private static CollectorRegistry CreateRegistry()
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);

        var orders = factory.CreateCounter("orders_total", "Orders placed.", new CounterConfiguration { LabelNames = ["tenant_id", "note"] });
        orders.WithLabels("acme", "quote \" backslash \\ newline \n end").Inc(3);
        orders.WithLabels("globex", "plain").Inc();

        var queue = factory.CreateGauge("job_queue_size", "Jobs waiting in the upload queue.");
        queue.Set(-12.5);

        var latency = factory.CreateHistogram("http_request_duration_seconds", "Request latency.", new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = [0.1, 0.5, 1],
        });
        latency.WithLabels("/v1/chat").Observe(0.3);
        latency.WithLabels("/v1/chat").Observe(2);

        var payload = factory.CreateSummary("payload_bytes", "Payload size.", new SummaryConfiguration
        {
            Objectives = [new QuantileEpsilonPair(0.5, 0.05), new QuantileEpsilonPair(0.9, 0.01)],
        });
        payload.Observe(100);
        payload.Observe(300);
        return registry;
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry, NetFormat format)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, format);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Parse_PrometheusNetTextFormat_HasNoErrorsAndTheRightTypesAndValues()
    {
        // Arrange
        var page = await ExportAsync(CreateRegistry(), NetFormat.PrometheusText);

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.True(parsed.ErrorCount == 0, $"errors: {string.Join("; ", parsed.Errors)}\n{page}");
        Assert.Equal(MetricType.Counter, TypeOf(parsed, "orders_total"));
        Assert.Equal(MetricType.Gauge, TypeOf(parsed, "job_queue_size"));
        Assert.Equal(MetricType.Histogram, TypeOf(parsed, "http_request_duration_seconds"));
        Assert.Equal(MetricType.Summary, TypeOf(parsed, "payload_bytes"));
        Assert.Equal("Jobs waiting in the upload queue.", parsed.Metadata.Single(m => m.Name == "job_queue_size").Help);

        AssertValues(parsed, "orders_total");
        Assert.Equal(3, Value(parsed, "orders_total", ("tenant_id", "acme")));
        Assert.Equal("quote \" backslash \\ newline \n end", Series(parsed, "orders_total", ("tenant_id", "acme")).Labels.Get("note"));
        Assert.Equal(-12.5, Value(parsed, "job_queue_size"));
    }

    [Fact]
    public async Task Parse_PrometheusNetOpenMetrics_HasNoErrorsAndTheRightTypesAndValues()
    {
        // Arrange
        var page = await ExportAsync(CreateRegistry(), NetFormat.OpenMetricsText);

        // Act
        var parsed = ExpositionParser.ParseText(page, OurFormat.OpenMetrics);

        // Assert
        Assert.True(parsed.ErrorCount == 0, $"errors: {string.Join("; ", parsed.Errors)}\n{page}");
        Assert.Equal(MetricType.Counter, parsed.Samples.First(s => s.Labels.Name == "orders_total").Type);
        Assert.Equal(MetricType.Gauge, parsed.Samples.First(s => s.Labels.Name == "job_queue_size").Type);
        AssertValues(parsed, "orders_total");
        Assert.Equal(3, Value(parsed, "orders_total", ("tenant_id", "acme")));
    }

    private static void AssertValues(ExpositionPage parsed, string counterName)
    {
        Assert.Equal(2, parsed.Samples.Count(s => s.Labels.Name == counterName));

        // Histogram: buckets are cumulative; the family is the histogram's.
        Assert.Equal(0, Value(parsed, "http_request_duration_seconds_bucket", ("le", "0.1")));
        Assert.Equal(1, Value(parsed, "http_request_duration_seconds_bucket", ("le", "0.5")));
        Assert.Equal(1, Value(parsed, "http_request_duration_seconds_bucket", ("le", "1")) + Value(parsed, "http_request_duration_seconds_bucket", ("le", "1.0")));
        Assert.Equal(2, Value(parsed, "http_request_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(2.3, Value(parsed, "http_request_duration_seconds_sum"), 9);
        Assert.Equal(2, Value(parsed, "http_request_duration_seconds_count"));
        Assert.All(
            parsed.Samples.Where(s => s.Labels.Name!.StartsWith("http_request_duration_seconds", StringComparison.Ordinal)),
            s => Assert.Equal(("http_request_duration_seconds", MetricType.Histogram), (s.Family, s.Type)));

        // Summary: quantiles, sum and count.
        Assert.Equal(2, parsed.Samples.Count(s => s.Labels.Name == "payload_bytes" && s.Labels.Get("quantile") is not null));
        Assert.Equal(400, Value(parsed, "payload_bytes_sum"));
        Assert.Equal(2, Value(parsed, "payload_bytes_count"));
        Assert.All(
            parsed.Samples.Where(s => s.Labels.Name!.StartsWith("payload_bytes", StringComparison.Ordinal)),
            s => Assert.Equal(("payload_bytes", MetricType.Summary), (s.Family, s.Type)));
    }

    private static MetricType TypeOf(ExpositionPage parsed, string family) => parsed.Metadata.Single(m => m.Name == family).Type;

    private static ExposedSample Series(ExpositionPage parsed, string name, params (string Name, string Value)[] labels) =>
        parsed.Samples.Single(s => s.Labels.Name == name && labels.All(l => s.Labels.Get(l.Name) == l.Value));

    private static double Value(ExpositionPage parsed, string name, params (string Name, string Value)[] labels) =>
        parsed.Samples.Where(s => s.Labels.Name == name && labels.All(l => s.Labels.Get(l.Name) == l.Value)).Sum(s => s.Value);

    [Fact]
    public async Task Parse_PrometheusNetHelpWithANewline_ReportsTheBrokenLineAndKeepsTheRest()
    {
        // prometheus-net 8.2.1 writes HELP text unescaped, so a newline in it breaks the page in two; Prometheus itself
        // rejects such a page. We report the stray line and keep every sample.
        // Arrange
        var registry = Metrics.NewCustomRegistry();
        Metrics.WithCustomRegistry(registry).CreateGauge("queue_size", "Jobs waiting.\nSecond line.").Set(7);
        var page = await ExportAsync(registry, NetFormat.PrometheusText);

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Equal([new ExpositionError(2, "invalid value 'line.' for Second")], parsed.Errors);
        Assert.Equal(7, Value(parsed, "queue_size"));
        Assert.Equal(new MetricMetadata("queue_size", MetricType.Gauge, "Jobs waiting.", null), Assert.Single(parsed.Metadata));
    }
}
