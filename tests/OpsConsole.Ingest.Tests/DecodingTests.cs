using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Tests.Support;

namespace OpsConsole.Ingest.Tests;

public class DecodingTests
{
    private const string JsonTraces = """
        {
          "resourceSpans": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "checkout" } }] },
            "scopeSpans": [{
              "scope": { "name": "orders", "version": "1.0" },
              "spans": [{
                "traceId": "5B8EFFF798038103D269B633813FC60C",
                "spanId": "eee19b7ec3c1b174",
                "parentSpanId": "eee19b7ec3c1b173",
                "traceState": "vendor=1",
                "name": "GET /orders",
                "kind": 2,
                "startTimeUnixNano": "1544712660000000001",
                "endTimeUnixNano": 1544712661000000000,
                "attributes": [
                  { "key": "http.status_code", "value": { "intValue": "200" } },
                  { "key": "cached", "value": { "boolValue": true } },
                  { "key": "ratio", "value": { "doubleValue": 0.5 } },
                  { "key": "blob", "value": { "bytesValue": "AQID" } },
                  { "key": "tags", "value": { "arrayValue": { "values": [{ "stringValue": "a" }, { "intValue": 2 }] } } },
                  { "key": "map", "value": { "kvlistValue": { "values": [{ "key": "k", "value": { "stringValue": "v" } }] } } }
                ],
                "events": [{ "timeUnixNano": "1544712660500000000", "name": "exception",
                             "attributes": [{ "key": "exception.message", "value": { "stringValue": "boom" } }] }],
                "links": [{ "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "1112131415161718", "attributes": [] }],
                "status": { "code": 2, "message": "boom" },
                "aFieldFromTheFuture": { "nested": [1, 2, 3] }
              }]
            }]
          }]
        }
        """;

    private static T Decode<T>(string json)
        where T : IMessage<T>, new()
    {
        Assert.True(OtlpDecoder.TryDecode(Encoding.UTF8.GetBytes(json), OtlpPayloadFormat.Json, new MessageParser<T>(() => new T()), out var message, out var error), error);
        return message!;
    }

    private static string? DecodeError<T>(byte[] payload, OtlpPayloadFormat format)
        where T : IMessage<T>, new()
    {
        Assert.False(OtlpDecoder.TryDecode(payload, format, new MessageParser<T>(() => new T()), out _, out var error));
        return error;
    }

    [Fact]
    public void TryDecode_OtlpJsonTraces_HexIdsInt64StringsEnumsAndUnknownFields()
    {
        var request = Decode<ExportTraceServiceRequest>(JsonTraces);

        var span = Assert.Single(OtlpTraceMapper.Map(request, IngestContext.Unbound, new IngestLimits(), new IntakeReport()).Spans);
        Assert.Equal("5b8efff798038103d269b633813fc60c", span.TraceId.ToString());
        Assert.Equal("eee19b7ec3c1b174", span.SpanId.ToString());
        Assert.Equal("eee19b7ec3c1b173", span.ParentSpanId.ToString());
        Assert.Equal("vendor=1", span.TraceState);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.Equal(1544712660000000001UL, span.StartTimeUnixNano);
        Assert.Equal(1544712661000000000UL, span.EndTimeUnixNano);
        Assert.Equal(SpanStatusCode.Error, span.StatusCode);
        Assert.Equal("boom", span.StatusMessage);
        Assert.Equal(["200", "true", "0.5", "AQID", "[\"a\",2]", "{\"k\":\"v\"}"], span.Attributes.Select(a => a.Value.ToString()));
        Assert.Equal(AttributeKind.Int, span.Attributes[0].Value.Kind);
        Assert.Equal(1544712660500000000UL, Assert.Single(span.Events).TimeUnixNano);
        Assert.Equal("1112131415161718", Assert.Single(span.Links).SpanId.ToString());
        Assert.Equal("checkout", span.ServiceName);
    }

    [Fact]
    public void TryDecode_OtlpJsonLogs_SeverityBodyAndTraceContext()
    {
        var request = Decode<ExportLogsServiceRequest>("""
            { "resourceLogs": [{ "scopeLogs": [{ "logRecords": [{
                "timeUnixNano": "1700000000000000001", "observedTimeUnixNano": "1700000000000000002",
                "severityNumber": 17, "severityText": "ERROR",
                "body": { "stringValue": "payment failed" },
                "attributes": [{ "key": "order.id", "value": { "intValue": 42 } }],
                "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "flags": 1 }] }] }] }
            """);

        var log = Assert.Single(OtlpLogMapper.Map(request, IngestContext.Unbound, new IngestLimits(), 0, new IntakeReport()).Logs);
        Assert.Equal(1700000000000000001UL, log.TimeUnixNano);
        Assert.Equal(17, log.SeverityNumber);
        Assert.Equal("error", log.Level);
        Assert.Equal("payment failed", log.Body.StringValue);
        Assert.Equal(42L, Assert.Single(log.Attributes).Value.IntValue);
        Assert.Equal(OtlpWire.TraceHex, log.TraceId.ToString());
        Assert.Equal(OtlpWire.SpanHex, log.SpanId.ToString());
    }

    [Fact]
    public void TryDecode_OtlpJsonMetrics_SumGaugeAndHistogram()
    {
        var request = Decode<ExportMetricsServiceRequest>("""
            { "resourceMetrics": [{ "scopeMetrics": [{ "metrics": [
                { "name": "orders", "unit": "{order}", "sum": { "aggregationTemporality": 2, "isMonotonic": true,
                  "dataPoints": [{ "asInt": "5", "timeUnixNano": "1700000000000000000" }] } },
                { "name": "load", "unit": "1", "gauge": { "dataPoints": [{ "asDouble": 0.5, "timeUnixNano": "1700000000000000000" }] } },
                { "name": "latency", "unit": "s", "histogram": { "aggregationTemporality": 2,
                  "dataPoints": [{ "count": "3", "sum": 1.5, "bucketCounts": ["1", 2], "explicitBounds": [0.5], "timeUnixNano": "1700000000000000000" }] } }
            ] }] }] }
            """);

        var batch = OtlpMetricMapper.Map(request, IngestContext.Unbound, new IngestLimits(), new DeltaToCumulative(), new DeltaLedger(), 0, new IntakeReport());

        var values = batch.Samples.ToDictionary(s => s.Labels.ToString(), s => s.Value);
        Assert.Equal(5, values["orders_total"]);
        Assert.Equal(0.5, values["load_ratio"]);
        Assert.Equal(1, values["latency_seconds_bucket{le=\"0.5\"}"]);
        Assert.Equal(3, values["latency_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Equal(1.5, values["latency_seconds_sum"]);
        Assert.All(batch.Samples, s => Assert.Equal(1_700_000_000_000, s.TimestampMs));
    }

    [Fact]
    public void TryDecode_JsonIdOfWrongLength_DecodesAndMappingRejectsTheItem()
    {
        var request = Decode<ExportTraceServiceRequest>(JsonTraces.Replace("5B8EFFF798038103D269B633813FC60C", "5B8EFFF798038103D269B633813F", StringComparison.Ordinal));
        var report = new IntakeReport();

        var batch = OtlpTraceMapper.Map(request, IngestContext.Unbound, new IngestLimits(), report);

        Assert.Empty(batch.Spans);
        Assert.Equal("1 spans rejected: span 'GET /orders': trace id has 14 bytes, not 16", report.ToMessage("spans", 128));
    }

    [Theory]
    [InlineData("{\"resourceSpans\": [", "The body is not valid JSON")]
    [InlineData("not json at all", "The body is not valid JSON")]
    [InlineData("", "The body is not valid JSON")]
    [InlineData("{\"resourceSpans\": \"oops\"}", "The body is not a valid OTLP/JSON ExportTraceServiceRequest")]
    [InlineData("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"traceId\": \"xyz\"}]}]}]}", "traceId \"xyz\" is not a hex string")]
    [InlineData("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"spanId\": \"abc\"}]}]}]}", "spanId \"abc\" is not a hex string")]
    [InlineData("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"startTimeUnixNano\": \"soon\"}]}]}]}", "The body is not a valid OTLP/JSON ExportTraceServiceRequest")]
    public void TryDecode_MalformedJson_ClearError(string json, string expected)
    {
        var error = DecodeError<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(json), OtlpPayloadFormat.Json);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_Protobuf_RoundTrips()
    {
        var sent = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("service.name", "api")), OtlpWire.Span());

        Assert.True(OtlpDecoder.TryDecode(sent.ToByteArray(), OtlpPayloadFormat.Protobuf, ExportTraceServiceRequest.Parser, out var received, out _));

        Assert.Equal(sent, received);
    }

    [Fact]
    public void TryDecode_EmptyProtobuf_EmptyRequest()
    {
        Assert.True(OtlpDecoder.TryDecode([], OtlpPayloadFormat.Protobuf, ExportTraceServiceRequest.Parser, out var received, out _));

        Assert.Empty(received!.ResourceSpans);
    }

    [Fact]
    public void TryDecode_TruncatedProtobuf_ClearError()
    {
        var bytes = OtlpWire.Traces(null, OtlpWire.Span()).ToByteArray();

        var error = DecodeError<ExportTraceServiceRequest>(bytes[..^5], OtlpPayloadFormat.Protobuf);

        Assert.StartsWith("The body is not a valid protobuf ExportTraceServiceRequest: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01 })]
    [InlineData(new byte[] { 0x0F })]
    public void TryDecode_GarbageProtobuf_ClearError(byte[] garbage)
    {
        var error = DecodeError<ExportLogsServiceRequest>(garbage, OtlpPayloadFormat.Protobuf);

        Assert.StartsWith("The body is not a valid protobuf ExportLogsServiceRequest: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Gzip_Decompressed()
    {
        var plain = Encoding.UTF8.GetBytes(JsonTraces);

        var (payload, problem) = await OtlpPayload.ReadAsync(new MemoryStream(Gzip(plain)), null, "gzip", 1_000_000, CancellationToken.None);

        using (payload)
        {
            Assert.Equal(PayloadProblem.None, problem);
            Assert.Equal(plain, payload!.Span.ToArray());
        }
    }

    [Fact]
    public async Task ReadAsync_NotGzip_BadCompression()
    {
        var (payload, problem) = await OtlpPayload.ReadAsync(new MemoryStream("plainly not gzip"u8.ToArray()), null, "gzip", 1_000_000, CancellationToken.None);

        Assert.Null(payload);
        Assert.Equal(PayloadProblem.BadCompression, problem);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("deflate")]
    public async Task ReadAsync_OtherEncoding_Unsupported(string encoding)
    {
        var (payload, problem) = await OtlpPayload.ReadAsync(new MemoryStream([1]), null, encoding, 100, CancellationToken.None);

        Assert.Null(payload);
        Assert.Equal(PayloadProblem.UnsupportedEncoding, problem);
    }

    [Fact]
    public async Task ReadAsync_ContentLengthOverLimit_TooLargeWithoutReading()
    {
        var body = new CountingStream(long.MaxValue);

        var (_, problem) = await OtlpPayload.ReadAsync(body, 1001, null, 1000, CancellationToken.None);

        Assert.Equal(PayloadProblem.TooLarge, problem);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task ReadAsync_EndlessBodyWithoutLength_StopsSoonAfterTheLimit()
    {
        var body = new CountingStream(long.MaxValue);

        var (_, problem) = await OtlpPayload.ReadAsync(body, null, null, 100_000, CancellationToken.None);

        Assert.Equal(PayloadProblem.TooLarge, problem);
        Assert.InRange(body.BytesRead, 100_001, 2 * 100_001);
    }

    [Fact]
    public async Task ReadAsync_GzipBomb_TooLargeOnDecompressedSize()
    {
        var bomb = Gzip(new byte[5_000_000]);

        var (_, problem) = await OtlpPayload.ReadAsync(new MemoryStream(bomb), bomb.Length, "gzip", 100_000, CancellationToken.None);

        Assert.True(bomb.Length < 100_000);
        Assert.Equal(PayloadProblem.TooLarge, problem);
    }

    [Fact]
    public async Task ReadAsync_AtTheLimit_Accepted()
    {
        var (payload, problem) = await OtlpPayload.ReadAsync(new MemoryStream(new byte[1000]), null, null, 1000, CancellationToken.None);

        using (payload)
        {
            Assert.Equal(PayloadProblem.None, problem);
            Assert.Equal(1000, payload!.Length);
        }
    }

    internal static byte[] Gzip(byte[] plain)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        return output.ToArray();
    }

    /// <summary>A body of zeros of a given length that counts what was read from it.</summary>
    internal sealed class CountingStream(long length) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - BytesRead);
            buffer.AsSpan(offset, n).Clear();
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
