using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Tests.Support;
using DomainSpanKind = OpsConsole.Domain.Telemetry.SpanKind;
using SdkLogRecord = OpenTelemetry.Logs.LogRecord;

namespace OpsConsole.Ingest.Tests;

/// <summary>
/// A real OpenTelemetry .NET SDK exports to the receivers over gRPC and over http/protobuf; what arrives at the
/// sink must be exactly what the SDK produced (captured beside the exporter), field by field.
/// </summary>
public sealed class OpenTelemetrySdkTests : IAsyncLifetime
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    private OtlpTestHost _host = null!;

    public async Task InitializeAsync() => _host = await OtlpTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static ResourceBuilder Resource() => ResourceBuilder.CreateEmpty()
        .AddService("checkout", serviceNamespace: "shop", serviceVersion: "1.4.0", autoGenerateServiceInstanceId: false, serviceInstanceId: "pod-1")
        .AddAttributes([new("deployment.environment", "test")]);

    private void Configure(OtlpExporterOptions options, OtlpExportProtocol protocol, string path)
    {
        options.Protocol = protocol;
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? _host.GrpcEndpoint : _host.HttpEndpoint(path);
        options.TimeoutMilliseconds = 10_000;
    }

    private static ulong Nanos(DateTime utc) => (ulong)(utc.Ticks - EpochTicks) * 100;

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Traces_ParentChildAttributesEventsLinksStatus_ArriveExactly(OtlpExportProtocol protocol)
    {
        var sourceName = "OpsConsole.Tests.Traces." + protocol;
        using var source = new ActivitySource(sourceName, "2.0.0");
        var produced = new List<Activity>();
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "linked=1");
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddSource(sourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(produced)
            .AddOtlpExporter(o => Configure(o, protocol, "/v1/traces"))
            .Build())
        {
            using (var parent = source.StartActivity("POST /checkout", ActivityKind.Server)!)
            {
                parent.TraceStateString = "vendor=1";
                parent.SetTag("http.route", "/checkout");
                parent.SetTag("cache.hit", true);
                parent.SetTag("http.status_code", 201);
                parent.SetTag("order.total", 99.5);
                parent.SetTag("long.value", long.MaxValue);
                parent.SetTag("tags", new[] { "a", "b" });
                parent.SetTag("flags", new[] { true, false });
                parent.SetTag("codes", new[] { 1L, 2L });
                parent.SetTag("weights", new[] { 0.5, 1.5 });
                parent.AddEvent(new ActivityEvent("cart.loaded", DateTimeOffset.UtcNow, new ActivityTagsCollection { ["items"] = 3 }));
                using (var child = source.StartActivity("charge card", ActivityKind.Client, parent.Context,
                    links: [new ActivityLink(linked, new ActivityTagsCollection { ["link.reason"] = "retry of" })])!)
                {
                    child.AddException(new InvalidOperationException("card declined"));
                    child.SetStatus(ActivityStatusCode.Error, "card declined");
                }

                using (source.StartActivity("audit", ActivityKind.Producer))
                {
                }

                parent.SetStatus(ActivityStatusCode.Ok);
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        Assert.Equal(3, produced.Count);
        var traceId = produced[0].TraceId.ToHexString();
        await Eventually.TrueAsync(() => _host.Sink.Spans.Count(s => s.TraceId.ToString() == traceId) == 3, "the three spans reached the sink");
        var received = _host.Sink.Spans.Where(s => s.TraceId.ToString() == traceId).ToDictionary(s => s.SpanId.ToString());
        foreach (var activity in produced)
        {
            var span = received[activity.SpanId.ToHexString()];
            Assert.Equal(activity.TraceId.ToHexString(), span.TraceId.ToString());
            Assert.Equal(activity.ParentSpanId == default ? "0000000000000000" : activity.ParentSpanId.ToHexString(), span.ParentSpanId.ToString());
            Assert.Equal(activity.DisplayName, span.Name);
            Assert.Equal((DomainSpanKind)((int)activity.Kind + 1), span.Kind);
            Assert.Equal(Nanos(activity.StartTimeUtc), span.StartTimeUnixNano);
            Assert.Equal(Nanos(activity.StartTimeUtc) + ((ulong)activity.Duration.Ticks * 100), span.EndTimeUnixNano);
            Assert.Equal(activity.TraceStateString, span.TraceState);
            Assert.Equal((SpanStatusCode)(int)activity.Status, span.StatusCode);
            Assert.Equal(activity.StatusDescription, span.StatusMessage);
            Assert.Equal(Expected(activity.TagObjects), span.Attributes);
            Assert.Equal(activity.Events.Select(e => $"{e.Name}@{Nanos(e.Timestamp.UtcDateTime)} {Describe(Expected(e.Tags))}"),
                span.Events.Select(e => $"{e.Name}@{e.TimeUnixNano} {Describe(e.Attributes)}"));
            Assert.Equal(activity.Links.Select(l => $"{l.Context.TraceId.ToHexString()}/{l.Context.SpanId.ToHexString()} {l.Context.TraceState} {Describe(Expected(l.Tags ?? []))}"),
                span.Links.Select(l => $"{l.TraceId}/{l.SpanId} {l.TraceState} {Describe(l.Attributes)}"));
            Assert.Equal(sourceName, span.Scope.Name);
            Assert.Equal("2.0.0", span.Scope.Version);
            Assert.Equal("checkout", span.ServiceName);
            Assert.Equal("pod-1", span.Resource.Find("service.instance.id")?.StringValue);
            Assert.Equal("test", span.Resource.Find("deployment.environment")?.StringValue);
            Assert.Equal("default", span.TenantId);
        }

        var root = received.Values.Single(s => s.Name == "POST /checkout");
        var charge = received.Values.Single(s => s.Name == "charge card");
        Assert.True(root.IsRoot);
        Assert.Equal(root.SpanId, charge.ParentSpanId);
        Assert.Equal(SpanStatusCode.Error, charge.StatusCode);
        var exception = Assert.Single(charge.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Contains(exception.Attributes, a => a.Key == "exception.type" && a.Value.StringValue == "System.InvalidOperationException");
        Assert.Contains(exception.Attributes, a => a.Key == "exception.message" && a.Value.StringValue == "card declined");
        Assert.Equal(AttributeValue.Of(long.MaxValue), root.Attributes.Single(a => a.Key == "long.value").Value);
        Assert.Equal(AttributeValue.Of([AttributeValue.Of(true), AttributeValue.Of(false)]), root.Attributes.Single(a => a.Key == "flags").Value);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Logs_SeverityBodyAttributesTraceContext_ArriveExactly(OtlpExportProtocol protocol)
    {
        var category = "Checkout.Payments." + protocol;
        var produced = new List<ProducedLog>();
        using var source = new ActivitySource("OpsConsole.Tests.Logs." + protocol);
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(source.Name).SetSampler(new AlwaysOnSampler()).Build();
        string traceId, spanId;
        using (var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(Resource());
            options.IncludeFormattedMessage = true;
            options.AddProcessor(new CapturingLogProcessor(produced));
            options.AddOtlpExporter((exporter, processor) =>
            {
                Configure(exporter, protocol, "/v1/logs");
                processor.ExportProcessorType = ExportProcessorType.Simple;
            });
        })))
        {
            var logger = factory.CreateLogger(category);
            using (var activity = source.StartActivity("pay")!)
            {
                traceId = activity.TraceId.ToHexString();
                spanId = activity.SpanId.ToHexString();
                logger.LogWarning("Card {CardId} declined after {Attempts} attempts", "c-1", 3);
            }

            logger.LogError("Payment provider unreachable");
        }

        Assert.Equal(2, produced.Count);
        await Eventually.TrueAsync(() => _host.Sink.Logs.Count(l => l.Scope.Name == category) == 2, "both log records reached the sink");
        var received = _host.Sink.Logs.Where(l => l.Scope.Name == category).OrderBy(l => l.TimeUnixNano).ToList();
        var warning = received[0];
        Assert.Equal(produced[0].TimeUnixNano, warning.TimeUnixNano);
        Assert.Equal(13, warning.SeverityNumber);
        Assert.Equal("warn", warning.Level);
        Assert.Equal("Card c-1 declined after 3 attempts", produced[0].FormattedMessage);
        Assert.Equal(AttributeValue.Of(produced[0].FormattedMessage!), warning.Body);
        Assert.Contains(new Domain.Telemetry.Attribute("CardId", AttributeValue.Of("c-1")), warning.Attributes);
        Assert.Contains(new Domain.Telemetry.Attribute("Attempts", AttributeValue.Of(3L)), warning.Attributes);
        Assert.Equal(traceId, warning.TraceId.ToString());
        Assert.Equal(spanId, warning.SpanId.ToString());
        Assert.Equal(produced[0].TraceId, warning.TraceId.ToString());
        Assert.Equal("checkout", warning.ServiceName);

        var error = received[1];
        Assert.Equal(produced[1].TimeUnixNano, error.TimeUnixNano);
        Assert.Equal(17, error.SeverityNumber);
        Assert.Equal("error", error.Level);
        Assert.Equal("Payment provider unreachable", error.Body.StringValue);
        Assert.True(error.TraceId.IsEmpty);
        Assert.True(error.SpanId.IsEmpty);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Metrics_CounterUpDownGaugeHistogram_ArriveAsPrometheusSeries(OtlpExportProtocol protocol)
    {
        var meterName = "OpsConsole.Tests.Metrics." + protocol;
        using var meter = new Meter(meterName, "1.0");
        var orders = meter.CreateCounter<long>("orders.placed", "{order}", "Orders placed");
        var queue = meter.CreateUpDownCounter<int>("queue.depth", "{item}", "Items waiting");
        var cpu = meter.CreateGauge<double>("cpu.utilization", "1", "CPU in use");
        var duration = meter.CreateHistogram("checkout.duration", "s", "Checkout time",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });
        long before, after;
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddMeter(meterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, protocol, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build())
        {
            orders.Add(3, new KeyValuePair<string, object?>("payment.method", "card"));
            orders.Add(2, new KeyValuePair<string, object?>("payment.method", "card"));
            queue.Add(2);
            queue.Add(-3);
            cpu.Record(0.75, new KeyValuePair<string, object?>("cpu", 0));
            duration.Record(0.05);
            duration.Record(0.3);
            duration.Record(2.0);
            before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.True(provider.ForceFlush(10_000));
            after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }

        await Eventually.TrueAsync(() => _host.Sink.Samples.Any(s => s.Labels.Name == "orders_placed_total"), "the metrics reached the sink");
        // The export forced by ForceFlush; disposing the provider exports once more.
        var flushed = _host.Sink.Batches[0];
        var samples = flushed.Samples.ToDictionary(s => s.Labels.ToString(), s => s);
        const string service = "instance=\"pod-1\", job=\"shop/checkout\"";
        Assert.Equal(5, samples[$"orders_placed_total{{{service}, payment_method=\"card\"}}"].Value);
        Assert.Equal(-1, samples[$"queue_depth{{{service}}}"].Value);
        Assert.Equal(0.75, samples[$"cpu_utilization_ratio{{cpu=\"0\", {service}}}"].Value);
        Assert.Equal(1, samples[$"checkout_duration_seconds_bucket{{{service}, le=\"0.1\"}}"].Value);
        Assert.Equal(2, samples[$"checkout_duration_seconds_bucket{{{service}, le=\"0.5\"}}"].Value);
        Assert.Equal(2, samples[$"checkout_duration_seconds_bucket{{{service}, le=\"1\"}}"].Value);
        Assert.Equal(3, samples[$"checkout_duration_seconds_bucket{{{service}, le=\"+Inf\"}}"].Value);
        Assert.Equal(2.35, samples[$"checkout_duration_seconds_sum{{{service}}}"].Value, 10);
        Assert.Equal(3, samples[$"checkout_duration_seconds_count{{{service}}}"].Value);
        Assert.Equal(1, samples[$"target_info{{deployment_environment=\"test\", {service}, service_version=\"1.4.0\"}}"].Value);
        Assert.All(samples.Values, s => Assert.InRange(s.TimestampMs, before, after));
        Assert.All(samples.Values, s => Assert.Equal("default", s.TenantId));

        var metadata = flushed.Metadata.ToDictionary(m => m.Name);
        Assert.Equal(new MetricMetadata("orders_placed_total", Domain.Telemetry.MetricType.Counter, "Orders placed", null), metadata["orders_placed_total"]);
        Assert.Equal(new MetricMetadata("queue_depth", Domain.Telemetry.MetricType.Gauge, "Items waiting", null), metadata["queue_depth"]);
        Assert.Equal(new MetricMetadata("cpu_utilization_ratio", Domain.Telemetry.MetricType.Gauge, "CPU in use", "ratio"), metadata["cpu_utilization_ratio"]);
        Assert.Equal(new MetricMetadata("checkout_duration_seconds", Domain.Telemetry.MetricType.Histogram, "Checkout time", "seconds"), metadata["checkout_duration_seconds"]);
    }

    [Fact]
    public async Task Metrics_DeltaTemporality_AccumulatedIntoCumulativeSeries()
    {
        var meterName = "OpsConsole.Tests.Metrics.Delta";
        using var meter = new Meter(meterName);
        var jobs = meter.CreateCounter<long>("jobs.completed");
        var wait = meter.CreateHistogram("job.wait", "ms", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 100] });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddMeter(meterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, OtlpExportProtocol.HttpProtobuf, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
            })
            .Build();

        jobs.Add(5);
        wait.Record(5);
        Assert.True(provider.ForceFlush(10_000));
        jobs.Add(2);
        wait.Record(50);
        wait.Record(500);
        Assert.True(provider.ForceFlush(10_000));

        await Eventually.TrueAsync(() => _host.Sink.Samples.Count(s => s.Labels.Name == "jobs_completed_total") == 2, "both delta exports reached the sink");
        Assert.Equal([5.0, 7.0], _host.Sink.Samples.Where(s => s.Labels.Name == "jobs_completed_total").Select(s => s.Value));
        var last = _host.Sink.Batches[^1].Samples.ToDictionary(s => s.Labels.ToString(), s => s.Value);
        const string service = "instance=\"pod-1\", job=\"shop/checkout\"";
        Assert.Equal(1, last[$"job_wait_milliseconds_bucket{{{service}, le=\"10\"}}"]);
        Assert.Equal(2, last[$"job_wait_milliseconds_bucket{{{service}, le=\"100\"}}"]);
        Assert.Equal(3, last[$"job_wait_milliseconds_bucket{{{service}, le=\"+Inf\"}}"]);
        Assert.Equal(555, last[$"job_wait_milliseconds_sum{{{service}}}"]);
    }

    private static string Describe(IEnumerable<Domain.Telemetry.Attribute> attributes) =>
        string.Join(", ", attributes.Select(a => $"{a.Key}={a.Value.Kind}:{a.Value}"));

    private static List<Domain.Telemetry.Attribute> Expected(IEnumerable<KeyValuePair<string, object?>> tags) =>
        [.. tags.Select(t => new Domain.Telemetry.Attribute(t.Key, Expected(t.Value)))];

    private static AttributeValue Expected(object? value) => value switch
    {
        null => AttributeValue.Empty,
        string s => AttributeValue.Of(s),
        bool b => AttributeValue.Of(b),
        int i => AttributeValue.Of((long)i),
        long l => AttributeValue.Of(l),
        double d => AttributeValue.Of(d),
        System.Collections.IEnumerable items => AttributeValue.Of([.. items.Cast<object?>().Select(Expected)]),
        _ => AttributeValue.Of(value.ToString() ?? ""),
    };

    private sealed record ProducedLog(ulong TimeUnixNano, string TraceId, string SpanId, LogLevel Level, string? FormattedMessage);

    /// <summary>Captures what the SDK produced, beside the exporter (log records are pooled, so fields are copied).</summary>
    private sealed class CapturingLogProcessor(List<ProducedLog> logs) : BaseProcessor<SdkLogRecord>
    {
        public override void OnEnd(SdkLogRecord data)
        {
            lock (logs)
            {
                logs.Add(new ProducedLog(Nanos(data.Timestamp), data.TraceId == default ? "" : data.TraceId.ToHexString(),
                    data.SpanId == default ? "" : data.SpanId.ToHexString(), data.LogLevel, data.FormattedMessage));
            }
        }
    }
}
