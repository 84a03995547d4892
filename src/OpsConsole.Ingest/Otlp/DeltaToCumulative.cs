using Google.Protobuf.Collections;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// Running totals that turn OTLP <em>delta</em> sums and histograms into the cumulative series Prometheus-style
/// storage expects. One instance is shared by all OTLP metric intake of a process (register it as a singleton)
/// and handed to the metric mapping, which stays a function of its inputs plus this state.
/// <para>
/// A series is keyed by tenant and its label set (for a histogram, the family's labels without <c>le</c>). Each
/// delta point is added to its series' running total and the total is emitted with the point's timestamp; a
/// histogram whose bucket bounds change starts again from the new point. Points are assumed to arrive once:
/// a delta the sink refuses (throttled, unavailable) is rolled back with <see cref="Undo"/> so the exporter's
/// retry is not counted twice, but a duplicate delivery of an accepted export is counted twice, as in any
/// delta-to-cumulative conversion. Totals live in memory only: after a restart a series starts from zero,
/// which queries see as a counter reset.
/// </para>
/// <para>
/// Memory is bounded by <c>maxSeries</c>: when full, series not updated for <c>idleAfter</c> (in data time) are
/// forgotten; if none are, points of new delta series are rejected until some are.
/// </para>
/// </summary>
public sealed class DeltaToCumulative
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SeriesKey, RunningTotal> _totals = [];
    private readonly int _maxSeries;
    private readonly ulong _idleAfterNano;
    private ulong _lastSweepNano;

    public DeltaToCumulative()
        : this(100_000, TimeSpan.FromHours(1))
    {
    }

    public DeltaToCumulative(int maxSeries, TimeSpan idleAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleAfter, TimeSpan.Zero);
        _maxSeries = maxSeries;
        _idleAfterNano = (ulong)idleAfter.Ticks * 100;
    }

    /// <summary>How many delta series have a running total.</summary>
    public int SeriesCount
    {
        get
        {
            lock (_lock)
            {
                return _totals.Count;
            }
        }
    }

    /// <summary>Adds a delta to a sum's running total; false when the series cannot be tracked (state full).</summary>
    internal bool TryAddSum(string tenantId, LabelSet series, ulong timeUnixNano, double delta, DeltaLedger ledger, out double total)
    {
        lock (_lock)
        {
            if (!TryGet(tenantId, series, timeUnixNano, out var running))
            {
                total = 0;
                return false;
            }

            running.Sum += delta;
            total = running.Sum;
            ledger.Record(running, delta, 0, null);
            return true;
        }
    }

    /// <summary>
    /// Adds a delta histogram point (per-bucket counts) to its running total and copies the totals out:
    /// <paramref name="bucketTotals"/> (per bucket, same length as <paramref name="bucketCounts"/>), count and sum.
    /// </summary>
    internal bool TryAddHistogram(string tenantId, LabelSet series, ulong timeUnixNano, RepeatedField<double> bounds, RepeatedField<ulong> bucketCounts,
        ulong count, double sum, DeltaLedger ledger, ulong[] bucketTotals, out ulong countTotal, out double sumTotal)
    {
        lock (_lock)
        {
            if (!TryGet(tenantId, series, timeUnixNano, out var running))
            {
                countTotal = 0;
                sumTotal = 0;
                return false;
            }

            if (running.Buckets is null || running.Bounds is null || !SameBounds(running.Bounds, bounds) || running.Buckets.Length != bucketCounts.Count)
            {
                running.Bounds = [.. bounds];
                running.Buckets = new ulong[bucketCounts.Count];
                running.Sum = 0;
                running.Count = 0;
            }

            var deltas = new ulong[bucketCounts.Count];
            for (var i = 0; i < deltas.Length; i++)
            {
                deltas[i] = bucketCounts[i];
                running.Buckets[i] += deltas[i];
                bucketTotals[i] = running.Buckets[i];
            }

            running.Sum += sum;
            running.Count += count;
            countTotal = running.Count;
            sumTotal = running.Sum;
            ledger.Record(running, sum, count, deltas);
            return true;
        }
    }

    /// <summary>Takes back what a request added (its batch was not stored, so the sender will retry it).</summary>
    internal void Undo(DeltaLedger ledger)
    {
        if (ledger.Entries.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var entry in ledger.Entries)
            {
                var running = entry.Total;
                running.Sum -= entry.Sum;
                running.Count -= Math.Min(running.Count, entry.Count);
                if (entry.Buckets is not null && running.Buckets is not null && running.Buckets.Length == entry.Buckets.Length)
                {
                    for (var i = 0; i < entry.Buckets.Length; i++)
                    {
                        running.Buckets[i] -= Math.Min(running.Buckets[i], entry.Buckets[i]);
                    }
                }
            }
        }

        ledger.Entries.Clear();
    }

    private bool TryGet(string tenantId, LabelSet series, ulong timeUnixNano, out RunningTotal running)
    {
        var key = new SeriesKey(tenantId, series);
        if (!_totals.TryGetValue(key, out running!))
        {
            if (_totals.Count >= _maxSeries && !SweepIdle(timeUnixNano))
            {
                return false;
            }

            running = new RunningTotal();
            _totals.Add(key, running);
        }

        if (timeUnixNano > running.LastSeenUnixNano)
        {
            running.LastSeenUnixNano = timeUnixNano;
        }

        return true;
    }

    /// <summary>Forgets series idle for longer than the idle time; at most once per tenth of it. True when room was made.</summary>
    private bool SweepIdle(ulong nowUnixNano)
    {
        if (nowUnixNano - Math.Min(nowUnixNano, _lastSweepNano) < _idleAfterNano / 10)
        {
            return false;
        }

        _lastSweepNano = nowUnixNano;
        var cutoff = nowUnixNano - Math.Min(nowUnixNano, _idleAfterNano);
        var removed = false;
        foreach (var (key, total) in _totals)
        {
            if (total.LastSeenUnixNano < cutoff)
            {
                _totals.Remove(key);
                removed = true;
            }
        }

        return removed && _totals.Count < _maxSeries;
    }

    private static bool SameBounds(double[] known, RepeatedField<double> bounds)
    {
        if (known.Length != bounds.Count)
        {
            return false;
        }

        for (var i = 0; i < known.Length; i++)
        {
            if (!known[i].Equals(bounds[i]))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct SeriesKey(string TenantId, LabelSet Series);

    internal sealed class RunningTotal
    {
        public double Sum;
        public ulong Count;
        public ulong[]? Buckets;
        public double[]? Bounds;
        public ulong LastSeenUnixNano;
    }
}

/// <summary>What one request added to <see cref="DeltaToCumulative"/>, so that it can be taken back.</summary>
internal sealed class DeltaLedger
{
    internal List<Entry> Entries { get; } = [];

    internal void Record(DeltaToCumulative.RunningTotal total, double sum, ulong count, ulong[]? buckets) =>
        Entries.Add(new Entry(total, sum, count, buckets));

    internal readonly record struct Entry(DeltaToCumulative.RunningTotal Total, double Sum, ulong Count, ulong[]? Buckets);
}
