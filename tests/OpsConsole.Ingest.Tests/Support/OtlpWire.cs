using Google.Protobuf;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Logs;
using OpsConsole.Ingest.Otlp.Proto.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Resource;
using OpsConsole.Ingest.Otlp.Proto.Trace;

namespace OpsConsole.Ingest.Tests.Support;

/// <summary>Small builders for OTLP wire messages.</summary>
internal static class OtlpWire
{
    public const string TraceHex = "5b8efff798038103d269b633813fc60c";
    public const string SpanHex = "eee19b7ec3c1b174";
    public const string ParentHex = "eee19b7ec3c1b173";

    public static ByteString Hex(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    public static ByteString Zeros(int length) => ByteString.CopyFrom(new byte[length]);

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
    public static KeyValue Attr(string key, bool value) => new() { Key = key, Value = new AnyValue { BoolValue = value } };
    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };
    public static KeyValue Attr(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };
    public static KeyValue Attr(string key, AnyValue value) => new() { Key = key, Value = value };

    public static Resource Resource(params KeyValue[] attributes)
    {
        var resource = new Resource();
        resource.Attributes.AddRange(attributes);
        return resource;
    }

    public static Span Span(string name = "GET /orders", string traceHex = TraceHex, string spanHex = SpanHex) => new()
    {
        TraceId = Hex(traceHex),
        SpanId = Hex(spanHex),
        Name = name,
        StartTimeUnixNano = 1_700_000_000_123_456_789,
        EndTimeUnixNano = 1_700_000_000_223_456_789,
    };

    public static ExportTraceServiceRequest Traces(Resource? resource, params Span[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "orders", Version = "1.2.3" } };
        scope.Spans.AddRange(spans);
        var rs = new ResourceSpans { Resource = resource };
        rs.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(rs);
        return request;
    }

    public static ExportLogsServiceRequest Logs(Resource? resource, params LogRecord[] records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "orders.log" } };
        scope.LogRecords.AddRange(records);
        var rl = new ResourceLogs { Resource = resource };
        rl.ScopeLogs.Add(scope);
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(rl);
        return request;
    }

    public static ExportMetricsServiceRequest Metrics(Resource? resource, params Metric[] metrics)
    {
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "orders.metrics" } };
        scope.Metrics.AddRange(metrics);
        var rm = new ResourceMetrics { Resource = resource };
        rm.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(rm);
        return request;
    }

    public static NumberDataPoint Point(double value, ulong timeUnixNano, params KeyValue[] attributes)
    {
        var point = new NumberDataPoint { AsDouble = value, TimeUnixNano = timeUnixNano, StartTimeUnixNano = 1 };
        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Gauge(string name, string unit, params NumberDataPoint[] points)
    {
        var gauge = new Gauge();
        gauge.DataPoints.AddRange(points);
        return new Metric { Name = name, Unit = unit, Description = name + " help", Gauge = gauge };
    }

    public static Metric Sum(string name, string unit, bool monotonic, AggregationTemporality temporality, params NumberDataPoint[] points)
    {
        var sum = new Sum { IsMonotonic = monotonic, AggregationTemporality = temporality };
        sum.DataPoints.AddRange(points);
        return new Metric { Name = name, Unit = unit, Description = name + " help", Sum = sum };
    }

    public static HistogramDataPoint HistogramPoint(ulong timeUnixNano, double[] bounds, ulong[] counts, double? sum, params KeyValue[] attributes)
    {
        var point = new HistogramDataPoint { TimeUnixNano = timeUnixNano, StartTimeUnixNano = 1 };
        point.ExplicitBounds.AddRange(bounds);
        point.BucketCounts.AddRange(counts);
        ulong count = 0;
        foreach (var c in counts)
        {
            count += c;
        }

        point.Count = count;
        if (sum is { } s)
        {
            point.Sum = s;
        }

        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Histogram(string name, string unit, AggregationTemporality temporality, params HistogramDataPoint[] points)
    {
        var histogram = new Histogram { AggregationTemporality = temporality };
        histogram.DataPoints.AddRange(points);
        return new Metric { Name = name, Unit = unit, Description = name + " help", Histogram = histogram };
    }
}
