using Google.Protobuf;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Logs;
using OpsConsole.Ingest.Tests.Support;
using DomainAttribute = OpsConsole.Domain.Telemetry.Attribute;
using DomainLogRecord = OpsConsole.Domain.Telemetry.LogRecord;
using OtlpLogRecord = OpsConsole.Ingest.Otlp.Proto.Logs.LogRecord;

namespace OpsConsole.Ingest.Tests;

public class LogMappingTests
{
    private const ulong Received = 1_700_000_999_000_000_000;
    private static readonly IngestLimits Limits = new();

    private static TelemetryBatchResult Map(IngestLimits limits, params OtlpLogRecord[] records)
    {
        var report = new IntakeReport();
        var batch = OtlpLogMapper.Map(OtlpWire.Logs(OtlpWire.Resource(OtlpWire.Attr("service.name", "billing")), records), IngestContext.Unbound, limits, Received, report);
        return new TelemetryBatchResult(batch.Logs, report);
    }

    [Fact]
    public void Map_FullRecord_EveryFieldArrives()
    {
        var record = new OtlpLogRecord
        {
            TimeUnixNano = 1_700_000_000_000_000_123,
            ObservedTimeUnixNano = 1_700_000_000_000_000_456,
            SeverityNumber = SeverityNumber.Warn2,
            SeverityText = "Warning",
            Body = new AnyValue { StringValue = "card declined for order 42" },
            TraceId = OtlpWire.Hex(OtlpWire.TraceHex),
            SpanId = OtlpWire.Hex(OtlpWire.SpanHex),
        };
        record.Attributes.Add(OtlpWire.Attr("order.id", 42L));
        record.Attributes.Add(OtlpWire.Attr("user.id", "u-7"));

        var (logs, report) = Map(Limits, record);

        var log = Assert.Single(logs);
        Assert.Equal(0, report.RejectedItems);
        Assert.Equal("default", log.TenantId);
        Assert.Equal(1_700_000_000_000_000_123UL, log.TimeUnixNano);
        Assert.Equal(1_700_000_000_000_000_456UL, log.ObservedTimeUnixNano);
        Assert.Equal(14, log.SeverityNumber);
        Assert.Equal("Warning", log.SeverityText);
        Assert.Equal("warn", log.Level);
        Assert.Equal(AttributeValue.Of("card declined for order 42"), log.Body);
        Assert.Equal(OtlpWire.TraceHex, log.TraceId.ToString());
        Assert.Equal(OtlpWire.SpanHex, log.SpanId.ToString());
        Assert.Equal([new DomainAttribute("order.id", AttributeValue.Of(42L)), new DomainAttribute("user.id", AttributeValue.Of("u-7"))], log.Attributes);
        Assert.Equal("billing", log.ServiceName);
        Assert.Equal("orders.log", log.Scope.Name);
        Assert.Null(log.Scope.Version);
    }

    [Fact]
    public void Map_StructuredBody_KeptWithItsType()
    {
        var body = new KeyValueList();
        body.Values.Add(OtlpWire.Attr("event", "login"));
        body.Values.Add(OtlpWire.Attr("ok", false));

        var (logs, _) = Map(Limits, new OtlpLogRecord { TimeUnixNano = 5, Body = new AnyValue { KvlistValue = body } });

        var log = Assert.Single(logs);
        Assert.Equal(AttributeKind.Map, log.Body.Kind);
        Assert.Equal("{\"event\":\"login\",\"ok\":false}", log.Body.ToString());
    }

    [Theory]
    [InlineData(7UL, 9UL, 7UL)]
    [InlineData(0UL, 9UL, 9UL)]
    [InlineData(0UL, 0UL, Received)]
    public void Map_Time_FallsBackToObservedThenReceived(ulong time, ulong observed, ulong expected)
    {
        var (logs, _) = Map(Limits, new OtlpLogRecord { TimeUnixNano = time, ObservedTimeUnixNano = observed });

        Assert.Equal(expected, Assert.Single(logs).TimeUnixNano);
    }

    [Fact]
    public void Map_NoTraceContext_EmptyIds()
    {
        var (logs, _) = Map(Limits, new OtlpLogRecord { TimeUnixNano = 1, SeverityText = "error" });

        var log = Assert.Single(logs);
        Assert.True(log.TraceId.IsEmpty);
        Assert.True(log.SpanId.IsEmpty);
        Assert.Equal(0, log.SeverityNumber);
        Assert.Equal("error", log.Level);
    }

    [Theory]
    [InlineData(16, 3, "log record: span id has 3 bytes, not 8")]
    [InlineData(12, 8, "log record: trace id has 12 bytes, not 16")]
    public void Map_WrongIdLength_RecordRejected(int traceBytes, int spanBytes, string reason)
    {
        var bad = new OtlpLogRecord { TimeUnixNano = 1, TraceId = ByteString.CopyFrom(new byte[traceBytes]), SpanId = ByteString.CopyFrom(new byte[spanBytes]) };

        var (logs, report) = Map(Limits, bad, new OtlpLogRecord { TimeUnixNano = 2 });

        Assert.Equal(2UL, Assert.Single(logs).TimeUnixNano);
        Assert.Equal($"1 log records rejected: {reason}", report.ToMessage("log records", 128));
    }

    [Fact]
    public void Map_BodyOverLimit_RecordRejected()
    {
        var limits = new IngestLimits { MaxLogBodyBytes = 10 };
        var fits = new OtlpLogRecord { TimeUnixNano = 1, Body = new AnyValue { StringValue = "ééééé" } };
        var tooBig = new OtlpLogRecord { TimeUnixNano = 2, Body = new AnyValue { StringValue = "éééééé" } };
        var tooBigBytes = new OtlpLogRecord { TimeUnixNano = 3, Body = new AnyValue { BytesValue = ByteString.CopyFrom(new byte[11]) } };

        var (logs, report) = Map(limits, fits, tooBig, tooBigBytes);

        Assert.Equal(1UL, Assert.Single(logs).TimeUnixNano);
        Assert.Equal(2, report.RejectedItems);
        Assert.Equal("2 log records rejected: log record: body of 12 bytes is over the limit of 10; log record: body of 11 bytes is over the limit of 10",
            report.ToMessage("log records", 128));
    }

    private sealed record TelemetryBatchResult(IReadOnlyList<DomainLogRecord> Logs, IntakeReport Report);
}
