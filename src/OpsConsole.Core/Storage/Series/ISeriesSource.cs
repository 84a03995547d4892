using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// Where a query engine reads series from: those of a tenant (every tenant when null) matching all matchers, with
/// their samples in [fromMs, toMs] (both inclusive), sorted by labels (see <see cref="SelectedSeries.Compare"/>).
/// </summary>
public interface ISeriesSource
{
    IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs);

    /// <summary>As <see cref="Select(string?, IReadOnlyList{LabelMatcher}, long, long)"/>, stopping early when cancelled
    /// (sources that read slow storage honour it; the in-memory store answers at once).</summary>
    IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Select(tenantId, matchers, fromMs, toMs);
    }
}
