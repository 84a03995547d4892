using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Core.Storage.Traces;

namespace OpsConsole.Core.Storage;

/// <summary>What the hot stores did with one batch.</summary>
public readonly record struct StoredBatch(int Spans, int Logs, SeriesAppendResult Samples);

/// <summary>
/// The three hot stores and their new-data events, as one entry point for the intake pipeline: <see cref="Store"/>
/// hands each part of a batch to its store and then announces it.
/// </summary>
public sealed class TelemetryStores
{
    public TelemetryStores(HotStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        Spans = new SpanStore(options.Traces, timeProvider);
        Logs = new LogStore(options.Logs, timeProvider);
        Series = new SeriesStore(options.Metrics, timeProvider);
        Events = new TelemetryEvents(timeProvider);
    }

    public SpanStore Spans { get; }

    public LogStore Logs { get; }

    public SeriesStore Series { get; }

    public TelemetryEvents Events { get; }

    public StoredBatch Store(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var spans = Spans.Add(batch.Spans);
        var logs = Logs.Add(batch.Logs);
        var samples = Series.Append(batch.Samples);
        if (batch.Metadata.Count > 0)
        {
            Series.SetMetadata(batch.Metadata);
        }

        Events.Record(spans, logs, samples.Appended, ByTenant(batch));
        return new StoredBatch(spans, logs, samples);
    }

    /// <summary>The batch's items per tenant (as sent; the stores may have refused a few, e.g. duplicates).</summary>
    private static List<TenantItemCounts> ByTenant(TelemetryBatch batch)
    {
        var counts = new Dictionary<string, (int Spans, int Logs, int Samples)>(StringComparer.Ordinal);
        foreach (var s in batch.Spans)
        {
            var c = counts.GetValueOrDefault(s.TenantId);
            counts[s.TenantId] = (c.Spans + 1, c.Logs, c.Samples);
        }

        foreach (var l in batch.Logs)
        {
            var c = counts.GetValueOrDefault(l.TenantId);
            counts[l.TenantId] = (c.Spans, c.Logs + 1, c.Samples);
        }

        foreach (var m in batch.Samples)
        {
            var c = counts.GetValueOrDefault(m.TenantId);
            counts[m.TenantId] = (c.Spans, c.Logs, c.Samples + 1);
        }

        return [.. counts.Select(c => new TenantItemCounts(c.Key, c.Value.Spans, c.Value.Logs, c.Value.Samples))];
    }
}
