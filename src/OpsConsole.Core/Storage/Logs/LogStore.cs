using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// The hot log store: records in segments of <see cref="SegmentCapacity"/>, each with an inverted index over body
/// terms (see <see cref="LogTokenizer"/>) and fields (level, service, tenant, trace_id, span_id, attributes).
/// Queries (<see cref="Query"/>, <see cref="Histogram"/>) are the primitives the log query language compiles to.
/// <para>
/// A record's time is its event time, else its observed time, else the time it arrived. Records older than
/// now − retention are evicted (and not stored when they arrive that old); over the memory budget the oldest go
/// first. The index memory of a segment is released when its last record goes.
/// </para>
/// Thread-safe: one lock; results are copies.
/// </summary>
public sealed class LogStore
{
    public const int SegmentCapacity = 8192;
    public const int MaxHistogramBuckets = 10_000;

    private const long SweepIntervalTicks = TimeSpan.TicksPerSecond;

    private readonly StoreLimits _limits;
    private readonly TimeProvider _time;
    private readonly int _segmentCapacity;
    private readonly Lock _gate = new();
    private readonly List<LogSegment> _sealed = [];
    private LogSegment _head;
    private long _nextSegment;
    private long _items;
    private long _bytes;
    private long _evicted;
    private long _rejected;
    private long _lastSweepTicks = long.MinValue;

    public LogStore(StoreLimits limits, TimeProvider timeProvider)
        : this(limits, timeProvider, SegmentCapacity)
    {
    }

    /// <summary>With a smaller segment size (tests exercise many segments with few records).</summary>
    public LogStore(StoreLimits limits, TimeProvider timeProvider, int segmentCapacity)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentCapacity, 1);
        limits.Validate("logs");
        _limits = limits;
        _time = timeProvider;
        _segmentCapacity = segmentCapacity;
        _head = NewSegment();
        _bytes = _head.EstimatedBytes;
    }

    /// <summary>Stores records (one export's worth under one lock). Returns how many were stored; the others were
    /// older than the retention window.</summary>
    public int Add(IReadOnlyList<LogRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return 0;
        }

        var now = _time.GetUtcNow();
        var nowNs = UnixTime.ToNanos(now);
        var cutoff = UnixTime.ToNanos(now - _limits.Retention);
        var added = 0;
        lock (_gate)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano != 0 ? record.ObservedTimeUnixNano : nowNs;
                if (time < cutoff)
                {
                    _rejected++;
                    continue;
                }

                if (_head.IsFull)
                {
                    SealHeadLocked();
                }

                var before = _head.EstimatedBytes;
                _head.Add(record, time);
                _bytes += _head.EstimatedBytes - before;
                _items++;
                added++;
            }

            SweepIfDueLocked(now);
            EnforceBudgetLocked();
        }

        return added;
    }

    /// <summary>The newest matching records first (equal times: the later arrival first), at most the query's limit,
    /// with the count of all matches.</summary>
    public PagedResult<LogRecord> Query(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, LogQuery.MaxLimit);
        var (from, to) = Range(query);
        var plan = ResolvedLogQuery.From(query);
        var hits = new List<(ulong Time, long Segment, int Index, LogRecord Record)>();
        var total = 0;
        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            var matches = new List<int>();
            foreach (var segment in SegmentsLocked())
            {
                matches.Clear();
                segment.Collect(plan, from, to, matches);
                total += matches.Count;

                // Sealed segments list matches oldest first, so their newest are at the end; the head is unordered.
                var start = segment.IsSealed ? Math.Max(0, matches.Count - limit) : 0;
                for (var k = start; k < matches.Count; k++)
                {
                    var i = matches[k];
                    hits.Add((segment.TimeAt(i), segment.Sequence, i, segment.RecordAt(i)));
                }
            }
        }

        hits.Sort(static (a, b) =>
        {
            var c = b.Time.CompareTo(a.Time);
            if (c == 0)
            {
                c = b.Segment.CompareTo(a.Segment);
            }

            return c != 0 ? c : b.Index.CompareTo(a.Index);
        });
        var page = new List<LogRecord>(Math.Min(limit, hits.Count));
        for (var k = 0; k < hits.Count && k < limit; k++)
        {
            page.Add(hits[k].Record);
        }

        return new PagedResult<LogRecord>(page, total);
    }

    /// <summary>
    /// Counts of matching records per time bucket and level, buckets aligned to multiples of
    /// <paramref name="bucket"/> since the Unix epoch, covering the query's range (or what is held when open), oldest
    /// first, empty buckets included. The query's limit does not apply.
    /// </summary>
    public IReadOnlyList<LogHistogramBucket> Histogram(LogQuery query, TimeSpan bucket)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        var bucketNs = (ulong)bucket.Ticks * 100;
        var plan = ResolvedLogQuery.From(query);
        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            var (from, to) = Range(query);
            if (query.From is null || query.To is null)
            {
                var (oldest, newest) = HeldRangeLocked();
                if (oldest > newest)
                {
                    return [];
                }

                from = query.From is null ? oldest : from;
                to = query.To is null ? newest + 1 : to;
            }

            if (from >= to)
            {
                return [];
            }

            var first = from / bucketNs * bucketNs;
            var count = (to - first + bucketNs - 1) / bucketNs;
            if (count > MaxHistogramBuckets)
            {
                throw new ArgumentOutOfRangeException(nameof(bucket), bucket, $"The range needs {count} buckets; at most {MaxHistogramBuckets} are allowed.");
            }

            var counts = new int[(int)count, LogFieldNames.Levels.Count];
            var matches = new List<int>();
            foreach (var segment in SegmentsLocked())
            {
                matches.Clear();
                segment.Collect(plan, from, to, matches);
                foreach (var i in matches)
                {
                    counts[(int)((segment.TimeAt(i) - first) / bucketNs), segment.LevelAt(i)]++;
                }
            }

            var buckets = new List<LogHistogramBucket>((int)count);
            for (var b = 0; b < (int)count; b++)
            {
                var total = 0;
                for (var l = 0; l < LogFieldNames.Levels.Count; l++)
                {
                    total += counts[b, l];
                }

                buckets.Add(new LogHistogramBucket(
                    UnixTime.FromNanos(first + ((ulong)b * bucketNs)), total, counts[b, 0], counts[b, 1], counts[b, 2], counts[b, 3], counts[b, 4], counts[b, 5]));
            }

            return buckets;
        }
    }

    /// <summary>Drops records older than the retention window now (also done on writes and reads, at most once a second).</summary>
    public void EvictExpired()
    {
        lock (_gate)
        {
            SweepLocked(_time.GetUtcNow());
        }
    }

    /// <summary>Records held, their estimated memory (records and index), the time span held, evictions and records
    /// refused as too old since start.</summary>
    public StoreStats Stats()
    {
        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            var (oldest, newest) = HeldRangeLocked();
            var any = _items > 0;
            return new StoreStats(
                _items,
                _bytes,
                any ? UnixTime.FromNanos(oldest) : null,
                any ? UnixTime.FromNanos(newest) : null,
                _evicted,
                _rejected);
        }
    }

    private static (ulong From, ulong To) Range(LogQuery query) =>
        (query.From is { } f ? UnixTime.ToNanos(f) : 0, query.To is { } t ? UnixTime.ToNanos(t) : ulong.MaxValue);

    private LogSegment NewSegment() => new(_nextSegment++, _segmentCapacity);

    private IEnumerable<LogSegment> SegmentsLocked()
    {
        foreach (var s in _sealed)
        {
            yield return s;
        }

        yield return _head;
    }

    private (ulong Oldest, ulong Newest) HeldRangeLocked()
    {
        var oldest = ulong.MaxValue;
        ulong newest = 0;
        foreach (var s in SegmentsLocked())
        {
            if (s.LiveCount > 0)
            {
                oldest = Math.Min(oldest, s.OldestLiveTime);
                newest = Math.Max(newest, s.MaxTime);
            }
        }

        return (oldest, newest);
    }

    private void SealHeadLocked()
    {
        var before = _head.EstimatedBytes;
        _head.Seal();
        _bytes += _head.EstimatedBytes - before;
        _sealed.Add(_head);
        _head = NewSegment();
        _bytes += _head.EstimatedBytes;
    }

    private void SweepIfDueLocked(DateTimeOffset now)
    {
        if (_lastSweepTicks == long.MinValue || now.UtcTicks - _lastSweepTicks >= SweepIntervalTicks)
        {
            SweepLocked(now);
        }
    }

    private void SweepLocked(DateTimeOffset now)
    {
        _lastSweepTicks = now.UtcTicks;
        var cutoff = UnixTime.ToNanos(now - _limits.Retention);
        if (_head.Count > 0 && _head.MinTime < cutoff)
        {
            SealHeadLocked();
        }

        foreach (var segment in _sealed)
        {
            var before = segment.EstimatedBytes;
            var dropped = segment.DropBefore(cutoff);
            _bytes += segment.EstimatedBytes - before;
            _items -= dropped;
            _evicted += dropped;
        }

        RemoveEmptySegmentsLocked();
    }

    private void EnforceBudgetLocked()
    {
        while (_bytes > _limits.MemoryBudgetBytes && _items > 0)
        {
            if (_sealed.Count == 0)
            {
                SealHeadLocked();
            }

            var oldest = _sealed[0];
            foreach (var s in _sealed)
            {
                if (s.OldestLiveTime < oldest.OldestLiveTime)
                {
                    oldest = s;
                }
            }

            while (_bytes > _limits.MemoryBudgetBytes && oldest.LiveCount > 0)
            {
                var before = oldest.EstimatedBytes;
                oldest.DropOldest();
                _bytes += oldest.EstimatedBytes - before;
                _items--;
                _evicted++;
            }

            RemoveEmptySegmentsLocked();
        }
    }

    private void RemoveEmptySegmentsLocked()
    {
        _sealed.RemoveAll(s =>
        {
            if (s.LiveCount > 0)
            {
                return false;
            }

            _bytes -= s.EstimatedBytes;
            return true;
        });
    }
}
