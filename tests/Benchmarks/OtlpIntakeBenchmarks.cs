using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using OpsConsole.Ingest;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Resource;
using OpsConsole.Ingest.Otlp.Proto.Trace;

namespace OpsConsole.Benchmarks;

/// <summary>The OTLP decode path: protobuf bytes to domain spans, and to Prometheus series (per export request).</summary>
[MemoryDiagnoser]
public class OtlpIntakeBenchmarks
{
    private const int Spans = 512;
    private const int Series = 64;

    private static readonly IngestLimits Limits = new();

    private byte[] _traces = [];
    private byte[] _metrics = [];
    private byte[] _tracesJson = [];

    [GlobalSetup]
    public void Setup()
    {
        var resource = new Resource();
        resource.Attributes.Add(Attr("service.name", "checkout"));
        resource.Attributes.Add(Attr("service.instance.id", "pod-1"));
        resource.Attributes.Add(Attr("deployment.environment", "prod"));

        var scopeSpans = new ScopeSpans { Scope = new InstrumentationScope { Name = "bench" } };
        var random = new Random(7);
        for (var i = 0; i < Spans; i++)
        {
            var ids = new byte[24];
            random.NextBytes(ids);
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(ids, 0, 16),
                SpanId = ByteString.CopyFrom(ids, 16, 8),
                Name = "GET /orders/{id}",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = 1_700_000_000_000_000_000 + (ulong)i,
                EndTimeUnixNano = 1_700_000_000_100_000_000 + (ulong)i,
            };
            span.Attributes.Add(Attr("http.request.method", "GET"));
            span.Attributes.Add(Attr("http.route", "/orders/{id}"));
            span.Attributes.Add(new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = 200 } });
            span.Attributes.Add(Attr("tenant.id", "acme"));
            scopeSpans.Spans.Add(span);
        }

        var traces = new ExportTraceServiceRequest();
        traces.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scopeSpans } });
        _traces = traces.ToByteArray();
        _tracesJson = OtlpJson(traces);

        var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
        for (var i = 0; i < Series; i++)
        {
            var point = new HistogramDataPoint { TimeUnixNano = 1_700_000_000_000_000_000, Count = 10, Sum = 1.5 };
            point.ExplicitBounds.AddRange([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
            point.BucketCounts.AddRange([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1]);
            point.Attributes.Add(Attr("http.route", "/route/" + i));
            point.Attributes.Add(Attr("http.request.method", "GET"));
            histogram.DataPoints.Add(point);
        }

        var metrics = new ExportMetricsServiceRequest();
        metrics.ResourceMetrics.Add(new ResourceMetrics
        {
            Resource = resource,
            ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "http.server.request.duration", Unit = "s", Histogram = histogram } } } },
        });
        _metrics = metrics.ToByteArray();
    }

    [Benchmark]
    public int Traces512Protobuf()
    {
        OtlpDecoder.TryDecode(_traces, OtlpPayloadFormat.Protobuf, ExportTraceServiceRequest.Parser, out var request, out _);
        return OtlpTraceMapper.Map(request!, IngestContext.Unbound, Limits, new IntakeReport()).ItemCount;
    }

    [Benchmark]
    public int Traces512Json()
    {
        OtlpDecoder.TryDecode(_tracesJson, OtlpPayloadFormat.Json, ExportTraceServiceRequest.Parser, out var request, out _);
        return OtlpTraceMapper.Map(request!, IngestContext.Unbound, Limits, new IntakeReport()).ItemCount;
    }

    [Benchmark]
    public int Histograms64Protobuf()
    {
        OtlpDecoder.TryDecode(_metrics, OtlpPayloadFormat.Protobuf, ExportMetricsServiceRequest.Parser, out var request, out _);
        return OtlpMetricMapper.Map(request!, IngestContext.Unbound, Limits, new DeltaToCumulative(), new DeltaLedger(), 0, new IntakeReport()).ItemCount;
    }

    /// <summary>OTLP/JSON: proto3 JSON with trace and span ids as hex instead of base64.</summary>
    private static byte[] OtlpJson(ExportTraceServiceRequest request)
    {
        var json = JsonNode.Parse(JsonFormatter.Default.Format(request))!;
        foreach (var span in json["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]!.AsArray())
        {
            foreach (var id in (string[])["traceId", "spanId"])
            {
                span![id] = Convert.ToHexStringLower(Convert.FromBase64String(span[id]!.GetValue<string>()));
            }
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
}
