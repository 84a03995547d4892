using Google.Protobuf;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Rpc;
using OpsConsole.Ingest.Tests.Support;

namespace OpsConsole.Ingest.Tests;

public sealed class GrpcReceiverTests : IAsyncLifetime
{
    private const string TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string LogsExport = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    private const string MetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private OtlpTestHost _host = null!;

    public async Task InitializeAsync() => _host = await OtlpTestHost.StartAsync(new() { ["Ingest:MaxRequestBytes"] = "20000" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Export_ValidTraces_OkAndStored()
    {
        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, OtlpWire.Traces(null, OtlpWire.Span()).ToByteArray());

        Assert.Equal(0, call.Status);
        Assert.Null(call.Parse(ExportTraceServiceResponse.Parser).PartialSuccess);
        Assert.Equal("GET /orders", Assert.Single(_host.Sink.Spans).Name);
    }

    [Fact]
    public async Task Export_InvalidSpan_PartialSuccess()
    {
        var bad = OtlpWire.Span("bad");
        bad.TraceId = OtlpWire.Zeros(3);

        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, OtlpWire.Traces(null, bad, OtlpWire.Span()).ToByteArray());

        Assert.Equal(0, call.Status);
        var partial = call.Parse(ExportTraceServiceResponse.Parser).PartialSuccess;
        Assert.Equal((1L, "1 spans rejected: span 'bad': trace id has 3 bytes, not 16"), (partial.RejectedSpans, partial.ErrorMessage));
    }

    [Theory]
    [InlineData(TraceExport, "ExportTraceServiceRequest")]
    [InlineData(LogsExport, "ExportLogsServiceRequest")]
    [InlineData(MetricsExport, "ExportMetricsServiceRequest")]
    public async Task Export_MalformedProtobuf_InvalidArgumentWithMessage(string path, string messageName)
    {
        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, path, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);

        Assert.Equal(3, call.Status);
        Assert.StartsWith($"The request is not a valid protobuf {messageName}: ", call.Message, StringComparison.Ordinal);
        Assert.Equal(0, _host.Sink.Calls);
    }

    [Fact]
    public async Task Export_SinkThrottled_ResourceExhaustedWithRetryInfo()
    {
        _host.Sink.Respond = _ => new IngestResult(IngestOutcome.Throttled, Message: "queue full", RetryAfter: TimeSpan.FromSeconds(2));

        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, LogsExport,
            OtlpWire.Logs(null, new Otlp.Proto.Logs.LogRecord { TimeUnixNano = 1 }).ToByteArray());

        Assert.Equal(8, call.Status);
        Assert.Equal("queue full", call.Message);
        var details = Status.Parser.ParseFrom(call.DetailsBytes());
        Assert.Equal(8, details.Code);
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(details.Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
    }

    [Fact]
    public async Task Export_SinkUnavailable_UnavailableWithRetryInfo()
    {
        _host.Sink.Respond = _ => new IngestResult(IngestOutcome.Unavailable);

        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, MetricsExport,
            OtlpWire.Metrics(null, OtlpWire.Gauge("g", "", OtlpWire.Point(1, 1))).ToByteArray());

        Assert.Equal(14, call.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(Status.Parser.ParseFrom(call.DetailsBytes()).Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
    }

    [Fact]
    public async Task Export_OverMaxRequestBytes_ResourceExhausted()
    {
        var span = OtlpWire.Span();
        span.Attributes.Add(OtlpWire.Attr("big", new string('x', 25_000)));

        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, OtlpWire.Traces(null, span).ToByteArray());

        Assert.Equal(8, call.Status);
        Assert.Equal(0, _host.Sink.Calls);
    }
}
