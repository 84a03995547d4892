using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>
/// The series source queries read: the hot <see cref="SeriesStore"/>, and for the part of a range before the hot
/// store's coverage (<see cref="SeriesStore.CompleteFromMs"/>: what retention, the memory budget or a short start-up
/// reload let go of) the database. Per series the database's samples before the coverage start are followed by the
/// hot samples from it on, so nothing is counted twice at the seam; NaNs and stale markers come back as stored.
/// A range the hot store covers never touches the database.
/// </summary>
public sealed class HistorySeriesSource(SeriesStore hot, TelemetryReader reader) : ISeriesSource
{
    public IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs) =>
        Select(tenantId, matchers, fromMs, toMs, CancellationToken.None);

    public IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var completeFrom = hot.CompleteFromMs;
        if (fromMs >= completeFrom || fromMs > toMs)
        {
            return hot.Select(tenantId, matchers, fromMs, toMs);
        }

        // The database is read synchronously here because the engine's source interface is; the token still
        // cancels the queries (a timed-out or abandoned query stops waiting for the database).
        var older = ReadOlderAsync(tenantId, matchers, fromMs, Math.Min(toMs, completeFrom - 1), cancellationToken).GetAwaiter().GetResult();
        if (older.Count == 0)
        {
            return toMs >= completeFrom ? hot.Select(tenantId, matchers, completeFrom, toMs) : [];
        }

        var result = new List<SelectedSeries>();
        if (toMs >= completeFrom)
        {
            foreach (var series in hot.Select(tenantId, matchers, completeFrom, toMs))
            {
                result.Add(older.Remove((series.TenantId, series.Labels), out var samples)
                    ? SelectedSeries.Concat(series.TenantId, series.Labels, samples, series)
                    : series);
            }
        }

        foreach (var ((tenant, labels), samples) in older)
        {
            result.Add(SelectedSeries.Concat(tenant, labels, samples, null));
        }

        result.Sort(SelectedSeries.Compare);
        return result;
    }

    /// <summary>Label names of the matching series (for <c>/api/v1/labels</c>); the database's series too when a
    /// <paramref name="fromMs"/> is given (not <see cref="long.MinValue"/>) before the hot store's coverage.</summary>
    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(hot.LabelNames(null, matchers, fromMs, toMs), StringComparer.Ordinal);
        if (fromMs != long.MinValue && fromMs < hot.CompleteFromMs)
        {
            foreach (var series in await reader.FindSeriesAsync(null, matchers, cancellationToken))
            {
                foreach (var (name, _) in series.Labels.Labels)
                {
                    names.Add(name);
                }
            }
        }

        return [.. names];
    }

    /// <summary>Values of label <paramref name="name"/> among the matching series (for <c>/api/v1/label/{name}/values</c>);
    /// the database's series too when a <paramref name="fromMs"/> is given before the hot store's coverage.</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        var values = new SortedSet<string>(hot.LabelValues(null, name, matchers, fromMs, toMs), StringComparer.Ordinal);
        if (fromMs != long.MinValue && fromMs < hot.CompleteFromMs)
        {
            foreach (var series in await reader.FindSeriesAsync(null, matchers, cancellationToken))
            {
                if (series.Labels.Get(name) is { } value)
                {
                    values.Add(value);
                }
            }
        }

        return [.. values];
    }

    private async Task<Dictionary<(string Tenant, LabelSet Labels), Sample[]>> ReadOlderAsync(
        string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        var series = await reader.FindSeriesAsync(tenantId, matchers, cancellationToken).ConfigureAwait(false);
        var samples = await reader.GetSamplesAsync(series, fromMs, toMs, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<(string, LabelSet), Sample[]>(samples.Count);
        foreach (var (s, points) in samples)
        {
            result[(s.TenantId, s.Labels)] = points;
        }

        return result;
    }
}
