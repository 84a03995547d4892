using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>Cache lookups by cache (redis, embedding, query).</summary>
internal sealed class CacheMetrics(MetricFactory factory)
{
    private readonly Counter _hits = factory.CreateCounter(
        "cache_hits_total", "Cache lookups that found the entry.", new CounterConfiguration { LabelNames = ["cache_type"] });

    private readonly Counter _misses = factory.CreateCounter(
        "cache_misses_total", "Cache lookups that missed.", new CounterConfiguration { LabelNames = ["cache_type"] });

    public void Looked(string cacheType, bool hit) => (hit ? _hits : _misses).WithLabels(cacheType).Inc();
}
