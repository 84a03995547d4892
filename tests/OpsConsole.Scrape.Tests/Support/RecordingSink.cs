using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Scrape.Tests.Support;

/// <summary>An <see cref="ITelemetrySink"/> that keeps every batch it is given, answering with <see cref="Answer"/>.</summary>
public sealed class RecordingSink : ITelemetrySink
{
    private readonly Lock _gate = new();
    private readonly List<TelemetryBatch> _batches = [];

    /// <summary>Thrown from <see cref="WriteAsync"/> when set (the store is broken).</summary>
    public Exception? Failure { get; set; }

    public IngestResult Answer { get; set; } = IngestResult.Accepted;

    public IReadOnlyList<TelemetryBatch> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<SeriesSample> Samples => [.. Batches.SelectMany(b => b.Samples)];

    public ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        lock (_gate)
        {
            _batches.Add(batch);
        }

        return ValueTask.FromResult(Answer);
    }

    /// <summary>The samples of the series named <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public IReadOnlyList<SeriesSample> SamplesOf(string metric, params (string Name, string Value)[] labels) =>
        [.. Samples.Where(s => s.Labels.Name == metric && labels.All(l => s.Labels.Get(l.Name) == l.Value))];

    /// <summary>The newest sample of that series (failing when there is none).</summary>
    public SeriesSample Latest(string metric, params (string Name, string Value)[] labels)
    {
        var samples = SamplesOf(metric, labels);
        Assert.True(samples.Count > 0, $"no sample of {metric} was written; written: {string.Join(", ", Samples.Select(s => s.Labels.Name).Distinct())}");
        return samples[^1];
    }
}
