using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// The hot metric store: Prometheus-style series with label postings, samples in XOR-compressed chunks of 120.
/// <para>
/// <b>Tenants.</b> A series is identified by (tenant, label set). The tenant is its own dimension, not a label:
/// labels read back exactly as ingested (so <c>/api/v1/series</c> and exports show what was sent, including an
/// application's own <c>tenant_id</c> label), and a tenant-restricted selection is answered from the tenant's own
/// postings in the store. Two tenants may therefore hold series with equal labels; an all-tenant (admin) query
/// sees both, each with its <see cref="SelectedSeries.TenantId"/>, and the query engine decides how to tell them
/// apart (e.g. a <c>__tenant_id__</c> label, as Mimir does for cross-tenant queries).
/// </para>
/// <para>
/// <b>Order.</b> Samples of a series must arrive in time order: an older one is rejected (out of order), the same
/// timestamp with another value is rejected (duplicate), the same timestamp with the same value is accepted once.
/// </para>
/// <para>
/// <b>Limits.</b> Whole chunks are evicted when they end before now − retention, and the oldest sealed chunks go
/// first when the estimated memory passes the budget. A series whose samples are all gone is dropped.
/// </para>
/// <para>
/// <b>Coverage.</b> <see cref="CompleteFromMs"/> is the time from which the store holds every sample it accepted:
/// evictions and a start-up reload that only brought back a recent window move it forward. Anything older is only
/// in the database (see the history source of the query engine).
/// </para>
/// Thread-safe: one lock; selections copy what they read, so cursors run without it.
/// </summary>
public sealed class SeriesStore : ISeriesSource
{
    private const long SweepIntervalMs = 1000;
    private const int SeriesOverheadBytes = 240;

    private readonly StoreLimits _limits;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<SeriesKey, MemSeries> _series = [];
    private readonly Dictionary<int, MemSeries> _byId = [];
    private readonly LabelIndex _index = new();
    private readonly Queue<(MemSeries Series, long MinT)> _sealedInOrder = new();
    private readonly Dictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);
    private int _nextId;
    private long _samples;
    private long _bytes;
    private long _evicted;
    private long _outOfOrder;
    private long _duplicates;
    private long _tooOld;
    private long _lastSweepMs = long.MinValue;
    private long _completeFromMs = long.MinValue;

    public SeriesStore(StoreLimits limits, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(timeProvider);
        limits.Validate("metrics");
        _limits = limits;
        _time = timeProvider;
    }

    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                return _series.Count;
            }
        }
    }

    /// <summary>
    /// The earliest time from which this store holds every sample it was given (nothing at or after it was evicted,
    /// and nothing older than retention is accepted). <see cref="long.MinValue"/> while it never lost anything.
    /// </summary>
    public long CompleteFromMs
    {
        get
        {
            var retentionCutoff = NowMs() - (long)_limits.Retention.TotalMilliseconds;
            lock (_gate)
            {
                return Math.Max(_completeFromMs, retentionCutoff);
            }
        }
    }

    /// <summary>
    /// Declares that samples before <paramref name="timestampMs"/> may exist elsewhere (the database) but not here,
    /// e.g. after a start-up reload of only a recent window. Never moves <see cref="CompleteFromMs"/> backwards.
    /// </summary>
    public void MarkIncompleteBefore(long timestampMs)
    {
        lock (_gate)
        {
            _completeFromMs = Math.Max(_completeFromMs, timestampMs);
        }
    }

    /// <summary>Appends one sample.</summary>
    public SeriesAppendResult Append(string tenantId, LabelSet labels, long timestampMs, double value)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(labels);
        var now = NowMs();
        lock (_gate)
        {
            var result = AppendLocked(tenantId, labels, timestampMs, value, now - (long)_limits.Retention.TotalMilliseconds);
            AfterAppendLocked(now);
            return result;
        }
    }

    /// <summary>Appends a batch under one lock acquisition (the intake's path).</summary>
    public SeriesAppendResult Append(IReadOnlyList<SeriesSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return default;
        }

        var now = NowMs();
        var cutoff = now - (long)_limits.Retention.TotalMilliseconds;
        var result = default(SeriesAppendResult);
        lock (_gate)
        {
            for (var i = 0; i < samples.Count; i++)
            {
                var s = samples[i];
                result += AppendLocked(s.TenantId, s.Labels, s.TimestampMs, s.Value, cutoff);
            }

            AfterAppendLocked(now);
        }

        return result;
    }

    /// <summary>Records what is known about metric families (last write wins per metric name).</summary>
    public void SetMetadata(IReadOnlyList<MetricMetadata> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        lock (_gate)
        {
            foreach (var m in metadata)
            {
                _metadata[m.Name] = m;
            }
        }
    }

    /// <summary>
    /// Metadata of metric families that have series visible to <paramref name="tenantId"/> (all when null), optionally
    /// only for <paramref name="metricName"/>; sorted by name.
    /// </summary>
    public IReadOnlyList<MetricMetadata> Metadata(string? tenantId, string? metricName = null)
    {
        lock (_gate)
        {
            HashSet<string>? visible = null;
            if (tenantId is not null)
            {
                visible = new HashSet<string>(LabelValuesLocked(tenantId, LabelSet.MetricName, [], long.MinValue, long.MaxValue), StringComparer.Ordinal);
            }

            var result = new List<MetricMetadata>();
            foreach (var (name, m) in _metadata)
            {
                if ((metricName is null || name == metricName) && (visible is null || visible.Contains(name)))
                {
                    result.Add(m);
                }
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }
    }

    /// <summary>
    /// The series of <paramref name="tenantId"/> (every tenant when null) matching all <paramref name="matchers"/>
    /// that have samples in [<paramref name="fromMs"/>, <paramref name="toMs"/>] (both inclusive, as Prometheus's
    /// querier), sorted by labels, each with a cursor over those samples. No matchers selects every series.
    /// </summary>
    public IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var result = new List<SelectedSeries>();
        if (fromMs > toMs)
        {
            return result;
        }

        lock (_gate)
        {
            SweepIfDueLocked(NowMs());
            foreach (var id in _index.Resolve(tenantId, matchers))
            {
                var series = _byId[id];
                if (series.MaxT < fromMs || series.MinT > toMs)
                {
                    continue;
                }

                var chunks = series.SnapshotChunks(fromMs, toMs);
                if (chunks.Length > 0)
                {
                    result.Add(new SelectedSeries(series.TenantId, series.Labels, chunks, fromMs, toMs));
                }
            }
        }

        result.Sort(SelectedSeries.Compare);
        return result;
    }

    /// <summary>The tenants that hold series now, sorted (recording rules are evaluated for each).</summary>
    public IReadOnlyList<string> TenantIds()
    {
        lock (_gate)
        {
            return _index.Tenants();
        }
    }

    /// <summary>Label names of the matching series with samples in range (for <c>/api/v1/labels</c>), sorted.</summary>
    public IReadOnlyList<string> LabelNames(string? tenantId, IReadOnlyList<LabelMatcher>? matchers = null, long fromMs = long.MinValue, long toMs = long.MaxValue)
    {
        lock (_gate)
        {
            SweepIfDueLocked(NowMs());
            if (tenantId is null && (matchers is null || matchers.Count == 0) && fromMs == long.MinValue && toMs == long.MaxValue)
            {
                return _index.Names();
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in _index.Resolve(tenantId, matchers ?? []))
            {
                var series = _byId[id];
                if (series.MaxT >= fromMs && series.MinT <= toMs)
                {
                    foreach (var (name, _) in series.Labels.Labels)
                    {
                        names.Add(name);
                    }
                }
            }

            var list = new List<string>(names);
            list.Sort(StringComparer.Ordinal);
            return list;
        }
    }

    /// <summary>Values of label <paramref name="name"/> among the matching series with samples in range (for
    /// <c>/api/v1/label/{name}/values</c>), sorted.</summary>
    public IReadOnlyList<string> LabelValues(string? tenantId, string name, IReadOnlyList<LabelMatcher>? matchers = null, long fromMs = long.MinValue, long toMs = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            SweepIfDueLocked(NowMs());
            return LabelValuesLocked(tenantId, name, matchers ?? [], fromMs, toMs);
        }
    }

    /// <summary>Drops what is older than the retention window now (also done on appends and queries, at most once a second).</summary>
    public void EvictExpired()
    {
        lock (_gate)
        {
            SweepLocked(NowMs());
        }
    }

    /// <summary>Samples held, their estimated memory, the time span held, evictions and rejections since start.</summary>
    public StoreStats Stats()
    {
        lock (_gate)
        {
            SweepIfDueLocked(NowMs());
            var oldest = long.MaxValue;
            var newest = long.MinValue;
            foreach (var s in _byId.Values)
            {
                oldest = Math.Min(oldest, s.MinT);
                newest = Math.Max(newest, s.MaxT);
            }

            return new StoreStats(
                _samples,
                _bytes,
                _byId.Count == 0 ? null : UnixTime.FromMillis(oldest),
                _byId.Count == 0 ? null : UnixTime.FromMillis(newest),
                _evicted,
                _outOfOrder + _duplicates + _tooOld);
        }
    }

    /// <summary>Rejections by reason since start.</summary>
    public SeriesAppendResult Rejections()
    {
        lock (_gate)
        {
            return new SeriesAppendResult(0, (int)Math.Min(_outOfOrder, int.MaxValue), (int)Math.Min(_duplicates, int.MaxValue), (int)Math.Min(_tooOld, int.MaxValue));
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private SeriesAppendResult AppendLocked(string tenantId, LabelSet labels, long t, double value, long cutoffMs)
    {
        if (t < cutoffMs)
        {
            _tooOld++;
            return new SeriesAppendResult(0, 0, 0, 1);
        }

        var key = new SeriesKey(tenantId, labels);
        if (!_series.TryGetValue(key, out var series))
        {
            series = new MemSeries(_nextId++, tenantId, labels, SeriesOverheadBytes + TelemetrySize.Of(labels) + (labels.Count * 8));
            _series.Add(key, series);
            _byId.Add(series.Id, series);
            _index.Add(series);
            _bytes += series.OverheadBytes;
        }
        else if (t <= series.LastT)
        {
            if (t < series.LastT)
            {
                _outOfOrder++;
                return new SeriesAppendResult(0, 1, 0, 0);
            }

            if (BitConverter.DoubleToUInt64Bits(value) == series.LastValueBits)
            {
                return default; // the very same sample again: nothing to do, nothing wrong
            }

            _duplicates++;
            return new SeriesAppendResult(0, 0, 1, 0);
        }

        _bytes += series.Append(t, value, out var sealedChunk);
        _samples++;
        if (sealedChunk is { } chunk)
        {
            _sealedInOrder.Enqueue((series, chunk.MinT));
        }

        return new SeriesAppendResult(1, 0, 0, 0);
    }

    private void AfterAppendLocked(long nowMs)
    {
        SweepIfDueLocked(nowMs);
        if (_bytes > _limits.MemoryBudgetBytes)
        {
            EnforceBudgetLocked();
        }
    }

    private void SweepIfDueLocked(long nowMs)
    {
        if (_lastSweepMs == long.MinValue || nowMs - _lastSweepMs >= SweepIntervalMs)
        {
            SweepLocked(nowMs);
        }
    }

    private void SweepLocked(long nowMs)
    {
        _lastSweepMs = nowMs;
        var cutoff = nowMs - (long)_limits.Retention.TotalMilliseconds;
        List<MemSeries>? emptied = null;
        foreach (var series in _byId.Values)
        {
            if (series.MinT >= cutoff)
            {
                continue;
            }

            while (series.SealedChunkCount > 0 && series.FirstSealed.MaxT < cutoff)
            {
                DropFirstChunkLocked(series);
            }

            if (series.SealedChunkCount == 0 && series.HeadMaxT < cutoff)
            {
                DropHeadLocked(series);
            }

            if (series.IsEmpty)
            {
                (emptied ??= []).Add(series);
            }
        }

        if (emptied is not null)
        {
            RemoveSeriesLocked(emptied);
        }

        while (_sealedInOrder.Count > 0 && IsStale(_sealedInOrder.Peek()))
        {
            _sealedInOrder.Dequeue();
        }
    }

    private void EnforceBudgetLocked()
    {
        List<MemSeries>? emptied = null;
        while (_bytes > _limits.MemoryBudgetBytes && _sealedInOrder.Count > 0)
        {
            var entry = _sealedInOrder.Dequeue();
            if (IsStale(entry))
            {
                continue;
            }

            var series = entry.Series;
            DropFirstChunkLocked(series);
            if (series.IsEmpty)
            {
                series.Removed = true; // drop it from the postings below, in one pass
                (emptied ??= []).Add(series);
            }
        }

        if (emptied is not null)
        {
            RemoveSeriesLocked(emptied);
        }
    }

    private static bool IsStale((MemSeries Series, long MinT) entry) =>
        entry.Series.Removed || entry.Series.SealedChunkCount == 0 || entry.Series.FirstSealed.MinT != entry.MinT;

    private void DropFirstChunkLocked(MemSeries series)
    {
        var chunk = series.DropFirstSealed();
        _completeFromMs = Math.Max(_completeFromMs, chunk.MaxT + 1);
        _bytes -= chunk.EstimatedBytes;
        _samples -= chunk.Count;
        _evicted += chunk.Count;
    }

    private void DropHeadLocked(MemSeries series)
    {
        _bytes -= series.HeadBufferBytes;
        _completeFromMs = Math.Max(_completeFromMs, series.HeadMaxT + 1);
        var count = series.DropHead();
        _samples -= count;
        _evicted += count;
    }

    private void RemoveSeriesLocked(List<MemSeries> emptied)
    {
        foreach (var series in emptied)
        {
            if (series.HeadCount == 0 && series.HeadBufferBytes > 0)
            {
                _bytes -= series.HeadBufferBytes;
                series.DropHead();
            }

            series.Removed = true;
            _series.Remove(new SeriesKey(series.TenantId, series.Labels));
            _byId.Remove(series.Id);
            _bytes -= series.OverheadBytes;
        }

        _index.Remove(emptied);
    }

    private IReadOnlyList<string> LabelValuesLocked(string? tenantId, string name, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs)
    {
        if (tenantId is null && matchers.Count == 0 && fromMs == long.MinValue && toMs == long.MaxValue)
        {
            return _index.Values(name);
        }

        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in _index.Resolve(tenantId, matchers))
        {
            var series = _byId[id];
            if (series.MaxT >= fromMs && series.MinT <= toMs && series.Labels.Get(name) is { } value)
            {
                values.Add(value);
            }
        }

        var list = new List<string>(values);
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
