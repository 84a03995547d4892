using Microsoft.Extensions.Options;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;

namespace OpsConsole.Ingest.Otlp;

/// <summary>What became of one export request: the sink's outcome, the items rejected (by validation and by
/// the sink) with the reason, and how long to wait before retrying a refused request.</summary>
internal readonly record struct OtlpExportResult(IngestOutcome Outcome, long RejectedItems, string? Message, TimeSpan RetryAfter)
{
    public bool HasPartialSuccess => RejectedItems > 0 || Message is not null;
}

/// <summary>
/// The part of OTLP intake shared by the gRPC and HTTP receivers: maps a decoded request (validating it item
/// by item) and hands the batch to <see cref="ITelemetrySink"/>.
/// </summary>
public sealed class OtlpIntake
{
    private readonly ITelemetrySink _sink;
    private readonly DeltaToCumulative _deltas;
    private readonly IOptionsMonitor<IngestLimits> _limits;
    private readonly IOptionsMonitor<OtlpIngestOptions> _options;
    private readonly TimeProvider _time;
    private readonly IngestQuotaLedger? _quotas;

    // quotas: per-tenant ingest quotas checked before the sink; none when the host has no ledger.
    public OtlpIntake(ITelemetrySink sink, DeltaToCumulative deltas, IOptionsMonitor<IngestLimits> limits, IOptionsMonitor<OtlpIngestOptions> options, TimeProvider time,
        IngestQuotaLedger? quotas = null)
    {
        _quotas = quotas;
        _sink = sink;
        _deltas = deltas;
        _limits = limits;
        _options = options;
        _time = time;
    }

    internal IngestLimits Limits => _limits.CurrentValue;

    internal ValueTask<OtlpExportResult> ExportAsync(ExportTraceServiceRequest request, IngestContext context, long requestBytes, CancellationToken cancellationToken)
    {
        var limits = Limits;
        var report = new IntakeReport();
        var batch = OtlpTraceMapper.Map(request, context, limits, report);
        return WriteAsync(batch, requestBytes, report, "spans", limits, null, cancellationToken);
    }

    internal ValueTask<OtlpExportResult> ExportAsync(ExportLogsServiceRequest request, IngestContext context, long requestBytes, CancellationToken cancellationToken)
    {
        var limits = Limits;
        var report = new IntakeReport();
        var batch = OtlpLogMapper.Map(request, context, limits, NowUnixNano(), report);
        return WriteAsync(batch, requestBytes, report, "log records", limits, null, cancellationToken);
    }

    internal ValueTask<OtlpExportResult> ExportAsync(ExportMetricsServiceRequest request, IngestContext context, long requestBytes, CancellationToken cancellationToken)
    {
        var limits = Limits;
        var report = new IntakeReport();
        var ledger = new DeltaLedger();
        var batch = OtlpMetricMapper.Map(request, context, limits, _deltas, ledger, NowUnixNano(), report);
        return WriteAsync(batch, requestBytes, report, "data points", limits, ledger, cancellationToken);
    }

    private async ValueTask<OtlpExportResult> WriteAsync(TelemetryBatch batch, long requestBytes, IntakeReport report, string itemNoun, IngestLimits limits,
        DeltaLedger? ledger, CancellationToken cancellationToken)
    {
        var message = report.ToMessage(itemNoun, limits.MaxAttributesPerItem);
        if (batch.ItemCount == 0 && batch.Metadata.Count == 0)
        {
            return new OtlpExportResult(IngestOutcome.Accepted, report.RejectedItems, message, TimeSpan.Zero);
        }

        // Quotas before anything is stored: a refused request leaves no trace (not even delta-to-cumulative state).
        var admission = _quotas?.TryAdmit(batch, requestBytes);
        if (admission?.Rejection is { } rejection)
        {
            if (ledger is not null)
            {
                _deltas.Undo(ledger);
            }

            return new OtlpExportResult(IngestOutcome.Throttled, 0, rejection.Message, TimeSpan.FromSeconds(rejection.RetryAfterSeconds));
        }

        IngestResult result;
        try
        {
            result = await _sink.WriteAsync(batch, cancellationToken);
        }
        catch
        {
            if (ledger is not null)
            {
                _deltas.Undo(ledger);
            }

            Refund(admission);
            throw;
        }

        if (result.Outcome != IngestOutcome.Accepted)
        {
            if (ledger is not null)
            {
                _deltas.Undo(ledger);
            }

            Refund(admission);

            var refusal = result.Message ?? (result.Outcome == IngestOutcome.Throttled
                ? "The console's intake queue is full; retry later."
                : "The console cannot store telemetry right now; retry later.");
            return new OtlpExportResult(result.Outcome, 0, refusal, result.RetryAfter ?? _options.CurrentValue.DefaultRetryAfter);
        }

        if (result.RejectedItems > 0 || result.Message is not null)
        {
            message = message is null ? result.Message : result.Message is null ? message : message + ". " + result.Message;
        }

        return new OtlpExportResult(IngestOutcome.Accepted, report.RejectedItems + (long)result.RejectedItems, message, TimeSpan.Zero);
    }

    private void Refund(IngestAdmission? admission)
    {
        if (admission is not null)
        {
            _quotas?.Refund(admission);
        }
    }

    private ulong NowUnixNano() => (ulong)(_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
}
