using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace OpsConsole.Simulator.Tests.Support;

/// <summary>A finished span as a service's tracer provider exported it, with that provider's resource.</summary>
internal sealed record CapturedSpan(string Service, Activity Activity, IReadOnlyDictionary<string, object> Resource)
{
    public object? Tag(string key) => Activity.GetTagItem(key);

    public ActivitySpanId? ParentId => Activity.ParentSpanId == default ? null : Activity.ParentSpanId;
}

/// <summary>A log record as a service's logger provider exported it.</summary>
internal sealed record CapturedLog(
    string Service, DateTime Timestamp, ActivityTraceId TraceId, ActivitySpanId SpanId, LogLevel Level,
    IReadOnlyDictionary<string, object?> Attributes, IReadOnlyDictionary<string, object> Resource)
{
    public string Body => Attributes.TryGetValue("{OriginalFormat}", out var body) ? body?.ToString() ?? "" : "";

    public object? this[string key] => Attributes.TryGetValue(key, out var value) ? value : null;
}

/// <summary>
/// In-memory exporters on every service's tracer and logger provider (the simulator's test seam), so tests see exactly
/// what would go out over OTLP, resource included.
/// </summary>
internal sealed class CapturedTelemetry
{
    public ConcurrentQueue<CapturedSpan> Spans { get; } = new();

    public ConcurrentQueue<CapturedLog> Logs { get; } = new();

    public DemoWorkloadOptions AttachTo(DemoWorkloadOptions options) => options with
    {
        SpanProcessor = service => new SimpleActivityExportProcessor(new SpanSink(service, this)),
        LogProcessor = service => new SimpleLogRecordExportProcessor(new LogSink(service, this)),
    };

    public void Clear()
    {
        Spans.Clear();
        Logs.Clear();
    }

    private static Dictionary<string, object> Attributes(Resource resource) => resource.Attributes.ToDictionary(a => a.Key, a => a.Value);

    private sealed class SpanSink(string service, CapturedTelemetry into) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            var resource = Attributes(ParentProvider.GetResource());
            foreach (var activity in batch)
            {
                into.Spans.Enqueue(new CapturedSpan(service, activity, resource));
            }

            return ExportResult.Success;
        }
    }

    private sealed class LogSink(string service, CapturedTelemetry into) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            var resource = Attributes(ParentProvider.GetResource());
            foreach (var record in batch)
            {
                var attributes = (record.Attributes ?? []).ToDictionary(a => a.Key, a => a.Value);
                into.Logs.Enqueue(new CapturedLog(service, record.Timestamp, record.TraceId, record.SpanId, record.LogLevel, attributes, resource));
            }

            return ExportResult.Success;
        }
    }
}
