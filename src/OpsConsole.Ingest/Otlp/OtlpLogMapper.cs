using System.Text;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using AnyValue = OpsConsole.Ingest.Otlp.Proto.Common.AnyValue;
using DomainLogRecord = OpsConsole.Domain.Telemetry.LogRecord;
using OtlpLogRecord = OpsConsole.Ingest.Otlp.Proto.Logs.LogRecord;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// OTLP log records to domain <see cref="DomainLogRecord"/>s. The time falls back to the observed time, then to
/// when the request was received. A record whose body is over <see cref="IngestLimits.MaxLogBodyBytes"/> or
/// whose trace/span id has the wrong length is rejected on its own and counted.
/// </summary>
internal static class OtlpLogMapper
{
    public static TelemetryBatch Map(ExportLogsServiceRequest request, IngestContext context, IngestLimits limits, ulong receivedUnixNano, IntakeReport report)
    {
        var total = 0;
        foreach (var rl in request.ResourceLogs)
        {
            foreach (var sl in rl.ScopeLogs)
            {
                total += sl.LogRecords.Count;
            }
        }

        if (total == 0)
        {
            return TelemetryBatch.Empty;
        }

        var logs = new List<DomainLogRecord>(total);
        var maxAttributes = limits.MaxAttributesPerItem;
        foreach (var rl in request.ResourceLogs)
        {
            var resource = OtlpAttributes.ToResource(rl.Resource, maxAttributes, report);
            if (!context.TryResolveTenant(resource, out var tenantId, out var tenantError))
            {
                var count = 0;
                foreach (var sl in rl.ScopeLogs)
                {
                    count += sl.LogRecords.Count;
                }

                report.Reject(count, tenantError);
                continue;
            }

            foreach (var sl in rl.ScopeLogs)
            {
                var scope = OtlpAttributes.ToScope(sl.Scope);
                foreach (var record in sl.LogRecords)
                {
                    var mapped = MapRecord(record, tenantId, resource, scope, limits, receivedUnixNano, report);
                    if (mapped is not null)
                    {
                        logs.Add(mapped);
                    }
                }
            }
        }

        return new TelemetryBatch { Logs = logs };
    }

    private static DomainLogRecord? MapRecord(OtlpLogRecord record, string tenantId, TelemetryResource resource, InstrumentationScope scope,
        IngestLimits limits, ulong receivedUnixNano, IntakeReport report)
    {
        if (!OtlpIds.TryOptionalTraceId(record.TraceId, out var traceId, out var error)
            || !OtlpIds.TryOptionalSpanId(record.SpanId, "span id", out var spanId, out error))
        {
            report.Reject(report.WantsDetail ? $"log record: {error}" : null);
            return null;
        }

        var bodyBytes = BodySize(record.Body);
        if (bodyBytes > limits.MaxLogBodyBytes)
        {
            report.Reject(report.WantsDetail ? $"log record: body of {bodyBytes} bytes is over the limit of {limits.MaxLogBodyBytes}" : null);
            return null;
        }

        var severity = (int)record.SeverityNumber;
        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano
            : record.ObservedTimeUnixNano != 0 ? record.ObservedTimeUnixNano
            : receivedUnixNano;
        return new DomainLogRecord
        {
            TenantId = tenantId,
            TimeUnixNano = time,
            ObservedTimeUnixNano = record.ObservedTimeUnixNano,
            SeverityNumber = severity is >= 0 and <= 24 ? severity : 0,
            SeverityText = record.SeverityText.Length == 0 ? null : record.SeverityText,
            Body = OtlpAttributes.ToValue(record.Body),
            Attributes = OtlpAttributes.ToAttributes(record.Attributes, limits.MaxAttributesPerItem, report),
            TraceId = traceId,
            SpanId = spanId,
            Resource = resource,
            Scope = scope,
        };
    }

    /// <summary>The body's size: UTF-8 bytes of a string, length of bytes, encoded size of anything else.</summary>
    internal static long BodySize(AnyValue? body) => body?.ValueCase switch
    {
        null or AnyValue.ValueOneofCase.None => 0,
        AnyValue.ValueOneofCase.StringValue => Encoding.UTF8.GetByteCount(body.StringValue),
        AnyValue.ValueOneofCase.BytesValue => body.BytesValue.Length,
        _ => body.CalculateSize(),
    };
}
