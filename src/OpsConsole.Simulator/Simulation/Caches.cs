using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Simulation;

/// <summary>Whether a cache lookup hits: each cache's usual hit rate, cut during an eviction storm.</summary>
internal sealed class Caches(Chance chance, Conditions conditions)
{
    private static readonly Dictionary<string, double> HitRates = new()
    {
        ["query"] = 0.62,
        ["embedding"] = 0.86,
        ["redis"] = 0.91,
    };

    public bool Lookup(string cacheType) => chance.Happens(HitRates[cacheType] * conditions.CacheHitFactor);
}
