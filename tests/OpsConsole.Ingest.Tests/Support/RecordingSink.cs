using System.Collections.Concurrent;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Tests.Support;

/// <summary>An <see cref="ITelemetrySink"/> that keeps what it accepts and answers what the test tells it to.</summary>
public sealed class RecordingSink : ITelemetrySink
{
    private readonly ConcurrentQueue<TelemetryBatch> _accepted = new();

    /// <summary>The answer to the next batches; null accepts.</summary>
    public Func<TelemetryBatch, IngestResult>? Respond { get; set; }

    public int Calls => _calls;

    private int _calls;

    public IReadOnlyList<TelemetryBatch> Batches => [.. _accepted];

    public IReadOnlyList<Span> Spans => [.. _accepted.SelectMany(b => b.Spans)];

    public IReadOnlyList<LogRecord> Logs => [.. _accepted.SelectMany(b => b.Logs)];

    public IReadOnlyList<SeriesSample> Samples => [.. _accepted.SelectMany(b => b.Samples)];

    public IReadOnlyList<MetricMetadata> Metadata => [.. _accepted.SelectMany(b => b.Metadata)];

    public ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var result = Respond?.Invoke(batch) ?? IngestResult.Accepted;
        if (result.Outcome == IngestOutcome.Accepted)
        {
            _accepted.Enqueue(batch);
        }

        return ValueTask.FromResult(result);
    }
}
