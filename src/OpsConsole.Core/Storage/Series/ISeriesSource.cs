using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// Where a query engine reads series from: those of a tenant (every tenant when null) matching all matchers, with
/// their samples in [fromMs, toMs] (both inclusive), sorted by labels.
/// </summary>
public interface ISeriesSource
{
    IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs);
}
