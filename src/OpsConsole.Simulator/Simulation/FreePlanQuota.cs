using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Simulation;

/// <summary>
/// The free plan's per-minute request quota, set half again above the free tenant's normal peak traffic; now and then
/// that tenant runs a batch script that multiplies its traffic and runs into the quota (429s).
/// </summary>
internal sealed class FreePlanQuota
{
    public const double BurstMultiplier = 5;

    private readonly Chance _chance;
    private DateTimeOffset _minute;
    private readonly Dictionary<string, int> _used = [];
    private DateTimeOffset _burstStarts;
    private DateTimeOffset _burstEnds;

    public FreePlanQuota(Chance chance, double peakRate, DateTimeOffset now)
    {
        _chance = chance;
        var freeShare = Tenant.All.Where(t => t.IsOnFreePlan).Sum(t => t.TrafficShare);
        PerMinute = Math.Max(10, (int)Math.Ceiling(peakRate * 60 * freeShare * 1.5));
        ScheduleBurst(now);
    }

    public int PerMinute { get; }

    /// <summary>How much more traffic the free tenant sends right now.</summary>
    public double TrafficMultiplier(DateTimeOffset now)
    {
        if (now >= _burstEnds)
        {
            ScheduleBurst(now);
        }

        return now >= _burstStarts ? BurstMultiplier : 1;
    }

    /// <summary>Counts the request against the tenant's quota; false when the quota for this minute is used up.</summary>
    public bool Admit(Tenant tenant, DateTimeOffset at)
    {
        if (!tenant.IsOnFreePlan)
        {
            return true;
        }

        var minute = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, at.Offset);
        if (minute != _minute)
        {
            _minute = minute;
            _used.Clear();
        }

        var used = _used[tenant.Id] = _used.GetValueOrDefault(tenant.Id) + 1;
        return used <= PerMinute;
    }

    private void ScheduleBurst(DateTimeOffset now)
    {
        _burstStarts = now + TimeSpan.FromMinutes(_chance.Uniform(8, 35));
        _burstEnds = _burstStarts + TimeSpan.FromSeconds(_chance.Uniform(90, 240));
    }
}
