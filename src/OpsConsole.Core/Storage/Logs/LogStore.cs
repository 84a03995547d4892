using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// The hot log store: records in segments of <see cref="SegmentCapacity"/>, each with an inverted index over body
/// terms (see <see cref="LogTokenizer"/>) and fields (level, service, tenant, trace_id, span_id, attributes).
/// <see cref="Search"/>, <see cref="Histogram(LogMatch, string?, DateTimeOffset?, DateTimeOffset?, TimeSpan, CancellationToken)"/> and <see cref="Context"/>
/// evaluate a <see cref="LogMatch"/> (what the log query language compiles to) over those indexes.
/// <para>
/// A record's time is its event time, else its observed time, else the time it arrived. Records older than
/// now − retention are evicted (and not stored when they arrive that old); over the memory budget the oldest go
/// first. The index memory of a segment is released when its last record goes.
/// </para>
/// Thread-safe: one lock; results are copies.
/// </summary>
public sealed class LogStore
{
    /// <summary>
    /// Lines per segment. A search pays a fixed cost per segment (a filter probe, finding its postings), so fewer, larger
    /// segments make searches over many lines cheaper: at 10 M lines, 32,768 took a filtered, counted search from
    /// about 5.5 ms (8,192) to 0.7 ms. The price is the seal, under the store lock: about 10 ms for a segment that
    /// arrived in time order, about 20 ms for one that must be re-ordered (README → Performance).
    /// </summary>
    public const int SegmentCapacity = 32_768;
    public const int MaxHistogramBuckets = 10_000;

    private const long SweepIntervalTicks = TimeSpan.TicksPerSecond;

    private readonly StoreLimits _limits;
    private readonly TimeProvider _time;
    private readonly int _segmentCapacity;
    private readonly Lock _gate = new();
    private readonly List<LogSegment> _sealed = [];
    private LogSegment[]? _sealedNewestFirst;
    private readonly HashSet<string> _tenants = new(StringComparer.Ordinal);
    private LogSegment _head;
    private long _nextSegment;
    private long _nextRecord;
    private long _items;
    private long _bytes;
    private long _evicted;
    private long _rejected;
    private long _lastSweepTicks = long.MinValue;
    private ulong _coveredFromNs;
    private ulong _budgetEvictedThroughNs;

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
        _coveredFromNs = UnixTime.ToNanos(timeProvider.GetUtcNow());
        Tail = new LogTail(timeProvider);
    }

    /// <summary>
    /// The store holds every line stamped at or after this instant that was stored while it ran: from its creation, or
    /// from the start of the window reloaded into it (<see cref="MarkCoveredFrom"/>), but never before the retention
    /// cutoff or the newest line that left memory over the budget. Older lines are only in the database.
    /// </summary>
    public DateTimeOffset CompleteSince
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                var ns = Math.Max(Math.Max(_coveredFromNs, UnixTime.ToNanos(now - _limits.Retention)), _budgetEvictedThroughNs == 0 ? 0 : _budgetEvictedThroughNs + 1);
                return UnixTime.FromNanos(ns + 99); // up to a whole tick, never before a line that left
            }
        }
    }

    /// <summary>Says that every line from <paramref name="from"/> on was loaded into the store (the start-up reload);
    /// only ever moves the covered window back.</summary>
    public void MarkCoveredFrom(DateTimeOffset from)
    {
        lock (_gate)
        {
            _coveredFromNs = Math.Min(_coveredFromNs, UnixTime.ToNanos(from));
        }
    }

    /// <summary>Newly stored records, pushed to live-tail subscribers as they arrive.</summary>
    public LogTail Tail { get; }

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
        var tailed = Tail.HasSubscribers ? new List<HeldLogRecord>(records.Count) : null;
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
                tailed?.Add(new HeldLogRecord(new LogRecordId(time, _nextRecord), record));
                _nextRecord++;
                _head.Add(record, time);
                _tenants.Add(record.TenantId);
                _bytes += _head.EstimatedBytes - before;
                _items++;
                added++;
            }

            SweepIfDueLocked(now);
            EnforceBudgetLocked();
        }

        if (tailed is { Count: > 0 })
        {
            Tail.Publish(tailed);
        }

        return added;
    }

    /// <summary>The newest matching records first (equal times: the later arrival first), at most the query's limit,
    /// with the count of all matches.</summary>
    public PagedResult<LogRecord> Query(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var result = Search(new LogSearch { Match = query.ToMatch(), From = query.From, To = query.To, Limit = Math.Clamp(query.Limit, 1, LogQuery.MaxLimit) });
        return new PagedResult<LogRecord>([.. result.Items.Select(h => h.Record)], result.TotalCount);
    }

    /// <summary>
    /// The newest matching records first (equal times: the later arrival first), at most the search's limit, with the
    /// count of all matches in the range and the cursor of the next page. Sealed segments are read outside the store
    /// lock, so a long search does not hold up intake; it checks <paramref name="cancellationToken"/> as it goes.
    /// <para>
    /// Segments are visited newest first. Once the page is full, a segment entirely older than the page's oldest record
    /// cannot add to it and is only counted (from its postings, see <see cref="LogSegment.CountMatches"/>); a segment whose
    /// filter lacks a term the search needs is skipped.
    /// </para>
    /// </summary>
    public LogSearchResult Search(LogSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        cancellationToken.ThrowIfCancellationRequested();
        var limit = Math.Clamp(search.Limit, 1, LogQuery.MaxLimit);
        var (from, end) = Range(search.From, search.To);
        var before = search.Before;

        // The cursor narrows the page's "to" to its time; the total counts the whole range [from, end).
        var to = before is { } b ? Math.Min(end, b.TimeUnixNano + 1) : end;
        var match = Scoped(search.Match, search.TenantId);

        // The newest `limit` matches so far, the oldest of them on top: a match is materialized only when it would
        // make the page, so a common term costs a count per segment, not a record per match.
        var best = new PriorityQueue<HeldLogRecord, LogRecordId>(limit + 1);
        var total = 0;
        var remaining = 0;
        var matches = new List<int>();

        bool Offer(LogSegment segment, int i)
        {
            var id = new LogRecordId(segment.TimeAt(i), segment.SequenceAt(i));
            if (best.Count == limit && best.TryPeek(out _, out var oldest) && id <= oldest)
            {
                return false;
            }

            if (segment.RecordAt(i) is { } record)
            {
                if (best.Count == limit)
                {
                    best.EnqueueDequeue(new HeldLogRecord(id, record), id);
                }
                else
                {
                    best.Enqueue(new HeldLogRecord(id, record), id);
                }
            }

            return true;
        }

        // Offers the segment's matches in [from, to) that come before the cursor; adds them to `remaining` and every
        // match in [from, end) to `total`.
        void Take(LogSegment segment, bool sealedOrder)
        {
            matches.Clear();
            segment.Collect(match, from, to, matches, cancellationToken);
            var all = matches.Count;
            var passing = all;
            if (before is { } cursor)
            {
                passing = 0;
                for (var k = 0; k < all; k++)
                {
                    var i = matches[k];
                    if (new LogRecordId(segment.TimeAt(i), segment.SequenceAt(i)) < cursor)
                    {
                        matches[passing++] = i;
                    }
                }
            }

            remaining += passing;
            if (sealedOrder)
            {
                // Sealed segments list matches oldest first: walk from the newest and stop at the first that is too old.
                for (var k = passing - 1; k >= 0 && Offer(segment, matches[k]); k--)
                {
                }
            }
            else
            {
                for (var k = 0; k < passing; k++)
                {
                    Offer(segment, matches[k]);
                }
            }

            total += to == end ? all : all + segment.CountMatches(match, to, end, matches, cancellationToken);
        }

        LogSegment[] newestFirst;
        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            newestFirst = SealedNewestFirstLocked();
            Take(_head, sealedOrder: false);
        }

        for (var k = 0; k < newestFirst.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var segment = newestFirst[k];
            if (best.Count == limit && best.TryPeek(out _, out var oldest) && segment.MaxTime < oldest.TimeUnixNano)
            {
                // Older than the whole page (and so than the cursor), as is every segment after it (their newest lines
                // are older still): their matches only count, and all of them remain.
                var count = SegmentCount.Of(newestFirst, k, match, from, end, matches, cancellationToken);
                total += count;
                remaining += count;
                break;
            }

            Take(segment, sealedOrder: true);
        }

        var hits = new List<HeldLogRecord>(best.Count);
        while (best.TryDequeue(out var hit, out _))
        {
            hits.Add(hit);
        }

        hits.Reverse(); // newest first
        return new LogSearchResult(hits, total, remaining > limit ? hits[^1].Id : null);
    }

    /// <summary>
    /// Counts of matching records per time bucket and level, buckets aligned to multiples of
    /// <paramref name="bucket"/> since the Unix epoch, covering the query's range (or what is held when open), oldest
    /// first, empty buckets included. The query's limit does not apply.
    /// </summary>
    public IReadOnlyList<LogHistogramBucket> Histogram(LogQuery query, TimeSpan bucket)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Histogram(query.ToMatch(), null, query.From, query.To, bucket);
    }

    /// <summary>
    /// Counts of records satisfying <paramref name="match"/> (of <paramref name="tenantId"/>, all when null) per time
    /// bucket and level, buckets aligned to multiples of <paramref name="bucket"/> since the Unix epoch, covering
    /// [from, to) (what is held where open), oldest first, empty buckets included.
    /// </summary>
    public IReadOnlyList<LogHistogramBucket> Histogram(LogMatch match, string? tenantId, DateTimeOffset? fromTime, DateTimeOffset? toTime, TimeSpan bucket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var bucketNs = (ulong)bucket.Ticks * 100;
        match = Scoped(match, tenantId);
        var (from, to) = Range(fromTime, toTime);
        LogSegment[] sealedSegments;
        int[,] counts;
        ulong first;
        ulong count;
        var matches = new List<int>();

        void Count(LogSegment segment)
        {
            matches.Clear();
            segment.Collect(match, from, to, matches, cancellationToken);
            foreach (var i in matches)
            {
                counts[(int)((segment.TimeAt(i) - first) / bucketNs), segment.LevelAt(i)]++;
            }
        }

        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            if (fromTime is null || toTime is null)
            {
                var (oldest, newest) = HeldRangeLocked();
                if (oldest > newest)
                {
                    return [];
                }

                from = fromTime is null ? oldest : from;
                to = toTime is null ? newest + 1 : to;
            }

            if (from >= to)
            {
                return [];
            }

            first = from / bucketNs * bucketNs;
            count = (to - first + bucketNs - 1) / bucketNs;
            if (count > MaxHistogramBuckets)
            {
                throw new ArgumentOutOfRangeException(nameof(bucket), bucket, $"The range needs {count} buckets; at most {MaxHistogramBuckets} are allowed.");
            }

            counts = new int[(int)count, LogFieldNames.Levels.Count];
            sealedSegments = SealedNewestFirstLocked();
            Count(_head);
        }

        foreach (var segment in sealedSegments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Count(segment);
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

    /// <summary>The record with this id (of <paramref name="tenantId"/> when given), or null when it is not held.</summary>
    public HeldLogRecord? Get(LogRecordId id, string? tenantId = null)
    {
        lock (_gate)
        {
            foreach (var segment in SegmentsLocked())
            {
                var i = segment.IndexOfSequence(id.Sequence);
                if (i >= 0)
                {
                    return segment.TimeAt(i) == id.TimeUnixNano && segment.RecordAt(i) is { } r && (tenantId is null || r.TenantId == tenantId)
                        ? new HeldLogRecord(id, r)
                        : null;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The record with this id and up to <paramref name="before"/> / <paramref name="after"/> records of the same
    /// service and tenant right before and after it (in time, then arrival), oldest first; null when not held (or
    /// not of <paramref name="tenantId"/>).
    /// </summary>
    public LogContext? Context(LogRecordId id, string? tenantId, int before, int after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(before);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        if (Get(id, tenantId) is not { } anchor)
        {
            return null;
        }

        var same = LogMatch.And(LogMatch.FieldEquals(LogField.Service, anchor.Record.ServiceName), LogMatch.FieldEquals(LogField.Tenant, anchor.Record.TenantId));
        var older = before == 0 ? [] : Search(new LogSearch { Match = same, Before = id, Limit = before }, cancellationToken).Items.Reverse().ToList();
        var newer = after == 0 ? [] : After(same, id, after, cancellationToken);
        return new LogContext(anchor, older, newer);
    }

    /// <summary>The oldest <paramref name="limit"/> records ordered after <paramref name="anchor"/>, oldest first.</summary>
    private List<HeldLogRecord> After(LogMatch match, LogRecordId anchor, int limit, CancellationToken cancellationToken)
    {
        var hits = new List<HeldLogRecord>();
        var matches = new List<int>();

        void Take(LogSegment segment, bool sealedOrder)
        {
            matches.Clear();
            segment.Collect(match, anchor.TimeUnixNano, ulong.MaxValue, matches, cancellationToken);
            var taken = 0;
            foreach (var i in matches)
            {
                var id = new LogRecordId(segment.TimeAt(i), segment.SequenceAt(i));
                if (id > anchor && segment.RecordAt(i) is { } record)
                {
                    hits.Add(new HeldLogRecord(id, record));
                    if (sealedOrder && ++taken == limit)
                    {
                        break;
                    }
                }
            }
        }

        LogSegment[] sealedSegments;
        lock (_gate)
        {
            sealedSegments = SealedNewestFirstLocked();
            Take(_head, sealedOrder: false);
        }

        foreach (var segment in sealedSegments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Take(segment, sealedOrder: true);
        }

        hits.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return hits.Count > limit ? hits[..limit] : hits;
    }

    /// <summary>Every tenant that has sent log records since start (log-based alert rules are evaluated for each).</summary>
    public IReadOnlyList<string> Tenants()
    {
        lock (_gate)
        {
            return [.. _tenants];
        }
    }

    /// <summary>How many held records of <paramref name="tenantId"/> (all when null) in [from, to) satisfy <paramref name="match"/>.</summary>
    public int Count(LogMatch match, string? tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        cancellationToken.ThrowIfCancellationRequested();
        var (fromNs, toNs) = Range(from, to);
        if (fromNs >= toNs)
        {
            return 0;
        }

        match = Scoped(match, tenantId);
        var matches = new List<int>();
        LogSegment[] sealedSegments;
        int total;
        lock (_gate)
        {
            // The head and the list of sealed segments under one lock, so a record sealed meanwhile counts once.
            SweepIfDueLocked(_time.GetUtcNow());
            sealedSegments = SealedNewestFirstLocked();
            _head.Collect(match, fromNs, toNs, matches, cancellationToken);
            total = matches.Count;
        }

        return total + SegmentCount.Of(sealedSegments, 0, match, fromNs, toNs, matches, cancellationToken);
    }

    private static LogMatch Scoped(LogMatch match, string? tenantId) =>
        tenantId is null ? match : LogMatch.And(LogMatch.FieldEquals(LogField.Tenant, tenantId), match);

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

    private static (ulong From, ulong To) Range(DateTimeOffset? from, DateTimeOffset? to) =>
        (from is { } f ? UnixTime.ToNanos(f) : 0, to is { } t ? UnixTime.ToNanos(t) : ulong.MaxValue);

    private LogSegment NewSegment() => new(_nextSegment++, _nextRecord, _segmentCapacity);

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
        _sealedNewestFirst = null;
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
                _budgetEvictedThroughNs = Math.Max(_budgetEvictedThroughNs, oldest.OldestLiveTime);
                var before = oldest.EstimatedBytes;
                oldest.DropOldest();
                _bytes += oldest.EstimatedBytes - before;
                _items--;
                _evicted++;
            }

            RemoveEmptySegmentsLocked();
        }
    }

    /// <summary>The sealed segments, newest (greatest time) first; a shared copy, rebuilt when the list changes.</summary>
    private LogSegment[] SealedNewestFirstLocked()
    {
        if (_sealedNewestFirst is null)
        {
            var segments = _sealed.ToArray();
            Array.Sort(segments, static (a, b) => b.MaxTime.CompareTo(a.MaxTime));
            _sealedNewestFirst = segments;
        }

        return _sealedNewestFirst;
    }

    private void RemoveEmptySegmentsLocked()
    {
        var removed = _sealed.RemoveAll(s =>
        {
            if (s.LiveCount > 0)
            {
                return false;
            }

            _bytes -= s.EstimatedBytes;
            return true;
        });
        if (removed > 0)
        {
            _sealedNewestFirst = null;
        }
    }
}
