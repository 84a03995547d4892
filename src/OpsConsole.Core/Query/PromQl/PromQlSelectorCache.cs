using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>
/// Selector data shared by the instant queries of one evaluation time (rule evaluation: a thousand rules at the same
/// slot often select the same series over the same range). Holds only selectors with a metric name
/// (<c>__name__="…"</c>) and only for the newest time asked; a query at another time, or one beyond
/// <see cref="MaxSamples"/>, reads the store directly. Whoever writes series at that time (recording rules, ALERTS)
/// calls <see cref="Invalidate"/> with their metric names, so later queries see what was written; data loaded while a
/// write happened is not kept. Thread-safe.
/// </summary>
public sealed class PromQlSelectorCache(long maxSamples = 20_000_000)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, (LoadedSeries[] Series, long Samples)>> _byMetric = new(StringComparer.Ordinal);
    private long _timeMs = long.MinValue;
    private long _generation;
    private long _samples;

    /// <summary>The most samples held at once.</summary>
    public long MaxSamples { get; } = maxSamples;

    /// <summary>The metric name a selector's data can be cached under, or null.</summary>
    internal static string? MetricOf(IReadOnlyList<LabelMatcher> matchers)
    {
        foreach (var m in matchers)
        {
            if (m.Name == LabelSet.MetricName && m.Type == LabelMatchType.Equal)
            {
                return m.Value;
            }
        }

        return null;
    }

    internal static string KeyOf(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs) =>
        string.Join('\u0001', [tenantId ?? "", fromMs.ToString(System.Globalization.CultureInfo.InvariantCulture), toMs.ToString(System.Globalization.CultureInfo.InvariantCulture), .. matchers.Select(m => m.ToString())]);

    /// <summary>The cached data, or null with the generation to hand to <see cref="Add"/>.</summary>
    internal (LoadedSeries[]? Series, long Samples, long Generation) Get(long timeMs, string metric, string key)
    {
        lock (_gate)
        {
            if (timeMs > _timeMs)
            {
                _byMetric.Clear();
                _samples = 0;
                _timeMs = timeMs;
                _generation++;
            }

            if (timeMs == _timeMs && _byMetric.TryGetValue(metric, out var entries) && entries.TryGetValue(key, out var hit))
            {
                return (hit.Series, hit.Samples, _generation);
            }

            return (null, 0, timeMs == _timeMs ? _generation : -1);
        }
    }

    internal void Add(long timeMs, long generation, string metric, string key, LoadedSeries[] series, long samples)
    {
        lock (_gate)
        {
            if (timeMs != _timeMs || generation != _generation || _samples + samples > MaxSamples)
            {
                return;
            }

            if (!_byMetric.TryGetValue(metric, out var entries))
            {
                _byMetric[metric] = entries = new Dictionary<string, (LoadedSeries[], long)>(StringComparer.Ordinal);
            }

            if (entries.TryAdd(key, (series, samples)))
            {
                _samples += samples;
            }
        }
    }

    /// <summary>Series of these metric names were written: their cached data is dropped.</summary>
    public void Invalidate(IEnumerable<string> metricNames)
    {
        ArgumentNullException.ThrowIfNull(metricNames);
        lock (_gate)
        {
            _generation++;
            foreach (var name in metricNames)
            {
                if (_byMetric.Remove(name, out var entries))
                {
                    _samples -= entries.Values.Sum(e => e.Samples);
                }
            }
        }
    }
}
