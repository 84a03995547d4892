using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Up to some tens of thousands of log records with their own inverted index (body term → record numbers; field →
/// value → record numbers, reserved fields and attributes apart). Records are appended in arrival order; sealing
/// re-orders them by time and rewrites the postings (unless they arrived in time order), so a sealed segment answers
/// time ranges by binary search and drops its oldest records by moving a start mark. Each record keeps its arrival
/// <see cref="SequenceAt">sequence number</see> (store-wide), which with its time makes its stable id.
/// <para>
/// Thread-safety: the <see cref="LogStore"/> lock guards the head segment. A sealed segment's index and arrays never
/// change again (only records are dropped from the start, set to null), so the store reads sealed segments outside
/// its lock; the lazily built sorted-key caches are published atomically.
/// </para>
/// </summary>
internal sealed partial class LogSegment(long sequence, long firstRecordSequence, int capacity)
{
    private const int NewKeyBytes = 48;
    private const int PerRecordBytes = 8 + 8 + 1 + 4;

    private readonly ValueIndex _terms = new();
    private readonly ValueIndex?[] _reserved = new ValueIndex?[5];
    private readonly Dictionary<string, ValueIndex> _attributes = new(StringComparer.Ordinal);
    private LogRecord?[] _records = new LogRecord?[capacity];
    private ulong[] _times = new ulong[capacity];
    private byte[] _levels = new byte[capacity];
    private int[] _sizes = new int[capacity];
    private int[]? _arrivalOf;
    private int[]? _positionOf;
    private SegmentFilter? _filter;
    private DenseTable? _dense;
    private int _count;
    private volatile int _firstLive;

    public long Sequence { get; } = sequence;

    /// <summary>The store-wide sequence number of this segment's first record; records follow contiguously.</summary>
    public long FirstRecordSequence { get; } = firstRecordSequence;

    public bool IsSealed { get; private set; }

    public bool IsFull => _count == _records.Length;

    public int Count => _count;

    public int LiveCount => _count - _firstLive;

    public ulong MinTime { get; private set; } = ulong.MaxValue;

    public ulong MaxTime { get; private set; }

    /// <summary>The time of the oldest record still held (sealed segments; for the head, its minimum).</summary>
    public ulong OldestLiveTime => IsSealed ? (LiveCount > 0 ? _times[_firstLive] : ulong.MaxValue) : MinTime;

    public long EstimatedBytes { get; private set; } = 200 + ((long)capacity * PerRecordBytes);

    /// <summary>The record at a record number, or null when it was dropped.</summary>
    public LogRecord? RecordAt(int index) => Volatile.Read(ref _records[index]);

    public ulong TimeAt(int index) => _times[index];

    public byte LevelAt(int index) => _levels[index];

    /// <summary>The store-wide arrival sequence number of the record at a record number.</summary>
    public long SequenceAt(int index) => FirstRecordSequence + (_arrivalOf is { } a ? a[index] : index);

    /// <summary>The record number of a sequence number held here, or -1.</summary>
    public int IndexOfSequence(long sequenceNumber)
    {
        var offset = sequenceNumber - FirstRecordSequence;
        if (offset < 0 || offset >= _count)
        {
            return -1;
        }

        return _positionOf is { } p ? p[(int)offset] : (int)offset;
    }

    public void Add(LogRecord record, ulong time)
    {
        var index = _count++;
        var size = TelemetrySize.Of(record);
        _records[index] = record;
        _times[index] = time;
        var level = record.Level;
        _levels[index] = LogFieldNames.LevelNumber(level);
        MinTime = Math.Min(MinTime, time);
        MaxTime = Math.Max(MaxTime, time);

        Span<char> buffer = stackalloc char[LogTokenizer.MaxTokenLength];
        if (LogText.Body(record) is { } body)
        {
            var tokens = new TokenEnumerator(body, buffer, includeParts: true);
            while (tokens.MoveNext())
            {
                size += _terms.Add(tokens.Current, index);
            }
        }

        size += AddReserved(LogFieldKind.Level, level, index);
        size += AddReserved(LogFieldKind.Service, record.ServiceName, index);
        size += AddReserved(LogFieldKind.Tenant, record.TenantId, index);
        if (!record.TraceId.IsEmpty)
        {
            record.TraceId.High.TryFormat(buffer, out _, "x16", CultureInfo.InvariantCulture);
            record.TraceId.Low.TryFormat(buffer[16..], out _, "x16", CultureInfo.InvariantCulture);
            size += AddReserved(LogFieldKind.TraceId, buffer[..32], index);
        }

        if (!record.SpanId.IsEmpty)
        {
            record.SpanId.Value.TryFormat(buffer, out _, "x16", CultureInfo.InvariantCulture);
            size += AddReserved(LogFieldKind.SpanId, buffer[..16], index);
        }

        size += AddAttributes(record.Attributes, index, buffer);
        size += AddAttributes(record.Resource.Attributes, index, buffer);
        _sizes[index] = size;
        EstimatedBytes += size;
    }

    /// <summary>Orders the records by time (arrival order among equal times) and rewrites the postings to match; records
    /// that arrived in time order (one exporter, or a reload) keep their numbers and the postings only shrink.</summary>
    public void Seal()
    {
        if (IsSealed)
        {
            return;
        }

        var n = _count;
        var times = _times;
        var inOrder = true;
        for (var i = 1; i < n && inOrder; i++)
        {
            inOrder = times[i] >= times[i - 1];
        }

        EstimatedBytes -= (long)(_records.Length - n) * PerRecordBytes;
        int[]? map = null;
        if (!inOrder)
        {
            var order = new int[n];
            for (var i = 0; i < n; i++)
            {
                order[i] = i;
            }

            order.AsSpan().Sort(new TimeThenArrival(times));
            map = new int[n];
            var records = new LogRecord?[n];
            var sortedTimes = new ulong[n];
            var levels = new byte[n];
            var sizes = new int[n];
            for (var i = 0; i < n; i++)
            {
                var old = order[i];
                map[old] = i;
                records[i] = _records[old];
                sortedTimes[i] = _times[old];
                levels[i] = _levels[old];
                sizes[i] = _sizes[old];
            }

            EstimatedBytes += 8L * n;
            (_records, _times, _levels, _sizes) = (records, sortedTimes, levels, sizes);
            (_arrivalOf, _positionOf) = (order, map);
        }
        else if (n < _records.Length)
        {
            (_records, _times, _levels, _sizes) = (_records[..n], _times[..n], _levels[..n], _sizes[..n]);
        }

        EstimatedBytes -= _terms.RemapAndTrim(map);
        foreach (var values in _reserved)
        {
            EstimatedBytes -= values?.RemapAndTrim(map) ?? 0;
        }

        foreach (var values in _attributes.Values)
        {
            EstimatedBytes -= values.RemapAndTrim(map);
        }

        EstimatedBytes += BuildFilterAndBitmaps(n);
        IsSealed = true;
    }

    /// <summary>Orders record numbers by time, then arrival.</summary>
    private readonly struct TimeThenArrival(ulong[] times) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            var c = times[a].CompareTo(times[b]);
            return c != 0 ? c : a.CompareTo(b);
        }
    }

    /// <summary>Drops the oldest records older than <paramref name="cutoff"/> (sealed only). Returns how many.</summary>
    public int DropBefore(ulong cutoff)
    {
        var dropped = 0;
        while (_firstLive < _count && _times[_firstLive] < cutoff)
        {
            DropOldest();
            dropped++;
        }

        return dropped;
    }

    /// <summary>Drops the oldest record held (sealed only).</summary>
    public void DropOldest()
    {
        EstimatedBytes -= _sizes[_firstLive];
        Volatile.Write(ref _records[_firstLive], null);
        _firstLive++;
    }

    /// <summary>The record-number window of records in [from, to): exact for a sealed segment, everything for the head.</summary>
    public (int Lo, int Hi) Window(ulong from, ulong to) => !IsSealed
        ? (0, _count)
        : from <= MinTime && to > MaxTime
            ? (_firstLive, _count) // the whole segment, without touching its times
            : (Math.Max(_firstLive, LowerBound(from)), LowerBound(to));

    /// <summary>The first record number (sealed) whose time is at least <paramref name="time"/>.</summary>
    private int LowerBound(ulong time)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_times[mid] < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Builds the segment filter (every key of the index) and the table of the dense postings' bitmaps; returns their
    /// bytes.
    /// </summary>
    private long BuildFilterAndBitmaps(int n)
    {
        var keys = _terms.Postings.Count + _attributes.Values.Sum(v => v.Postings.Count);
        foreach (var values in _reserved)
        {
            keys += values?.Postings.Count ?? 0;
        }

        var filter = new SegmentFilter(keys);
        var dense = new List<DenseTable.Entry>();
        _terms.AddKeysTo(filter, SegmentFilter.TermSalt);
        _terms.AddDense(n, DenseTable.TermKind, null, SegmentFilter.TermSalt, dense);
        for (var kind = 0; kind < _reserved.Length; kind++)
        {
            if (_reserved[kind] is { } values)
            {
                var salt = SegmentFilter.FieldSalt(new LogField((LogFieldKind)kind, string.Empty));
                values.AddKeysTo(filter, salt);
                values.AddDense(n, kind, null, salt, dense);
            }
        }

        foreach (var (key, values) in _attributes)
        {
            var salt = SegmentFilter.FieldSalt(LogField.Attribute(key));
            values.AddKeysTo(filter, salt);
            values.AddDense(n, (int)LogFieldKind.Attribute, key, salt, dense);
        }

        var table = dense.Count == 0 ? null : new DenseTable(dense);
        (_filter, _dense) = (filter, table);
        return filter.EstimatedBytes + (table?.EstimatedBytes ?? 0);
    }

    private ValueIndex? FieldIndex(LogField field) => field.IsAttribute
        ? _attributes.GetValueOrDefault(field.Name)
        : _reserved[(int)field.Kind];

    private int AddReserved(LogFieldKind kind, ReadOnlySpan<char> value, int index)
    {
        var size = 0;
        ref var values = ref _reserved[(int)kind];
        if (values is null)
        {
            values = new ValueIndex();
            size += 200;
        }

        return size + values.Add(value, index);
    }

    private int AddAttributes(IReadOnlyList<Domain.Telemetry.Attribute> attributes, int index, Span<char> buffer)
    {
        var size = 0;
        for (var i = 0; i < attributes.Count; i++)
        {
            var (key, value) = attributes[i];
            ReadOnlySpan<char> text;
            int written;
            switch (value.Kind)
            {
                case AttributeKind.String when value.StringValue.Length <= LogFieldNames.MaxIndexedValueLength:
                    text = value.StringValue;
                    break;
                case AttributeKind.Bool:
                    text = value.BoolValue ? "true" : "false";
                    break;
                case AttributeKind.Int when value.IntValue.TryFormat(buffer, out written, default, CultureInfo.InvariantCulture):
                case AttributeKind.Double when value.DoubleValue.TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture):
                    text = buffer[..written];
                    break;
                default:
                    continue;
            }

            if (!_attributes.TryGetValue(key, out var values))
            {
                values = new ValueIndex();
                _attributes[key] = values;
                size += 200;
            }

            size += values.Add(text, index);
        }

        return size;
    }

    /// <summary>Value → postings for one field (or the body terms), with sorted views built on first use once sealed.</summary>
    internal sealed class ValueIndex
    {
        private string[]? _sorted;
        private NumericKey[]? _numeric;

        /// <summary>Smallest posting (in records of the segment, at least <see cref="MinimumDense"/>) that also gets a bitmap
        /// when sealed: 1/<see cref="DenseFraction"/> of the records, where the bitmap is at most as big as the list.</summary>
        public const int DenseFraction = 32;
        public const int MinimumDense = 8;

        public Dictionary<string, PostingList> Postings { get; } = new(StringComparer.Ordinal);

        /// <summary>Adds every value's filter key.</summary>
        public void AddKeysTo(SegmentFilter filter, int salt)
        {
            foreach (var key in Postings.Keys)
            {
                filter.Add(SegmentFilter.Key(salt, key));
            }
        }

        /// <summary>Adds to <paramref name="into"/> a bitmap of each posting holding at least 1/<see cref="DenseFraction"/> of
        /// the segment's <paramref name="records"/>, with the field it belongs to (see <see cref="DenseTable"/>).</summary>
        public void AddDense(int records, int kind, string? attribute, int salt, List<DenseTable.Entry> into)
        {
            var threshold = Math.Max(MinimumDense, records / DenseFraction);
            foreach (var (key, list) in Postings)
            {
                if (list.Count < threshold)
                {
                    continue;
                }

                var bits = new ulong[(records + 63) >> 6];
                foreach (var i in list.Items)
                {
                    bits[i >> 6] |= 1UL << (i & 63);
                }

                into.Add(new DenseTable.Entry(
                    SegmentFilter.Key(salt, key), kind, attribute is null ? null : DenseKeys.Pooled(attribute), DenseKeys.Pooled(key), bits, list.Count));
            }
        }

        public int Add(ReadOnlySpan<char> value, int index)
        {
            var lookup = Postings.GetAlternateLookup<ReadOnlySpan<char>>();
            ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, value, out var exists);
            return list.Add(index) + (exists ? 0 : NewKeyBytes + 22 + (value.Length * 2));
        }

        public ReadOnlyMemory<int> Get(string value) =>
            Postings.TryGetValue(value, out var list) ? list.Memory : ReadOnlyMemory<int>.Empty;

        /// <summary>Adds the postings of every value starting with <paramref name="prefix"/>.</summary>
        public void ForEachPrefix(string prefix, bool isSealed, List<ReadOnlyMemory<int>> into)
        {
            if (!isSealed)
            {
                foreach (var (key, list) in Postings)
                {
                    if (key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        into.Add(list.Memory);
                    }
                }

                return;
            }

            var sorted = Sorted();
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (string.CompareOrdinal(sorted[mid], prefix) < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            for (var i = lo; i < sorted.Length && sorted[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                into.Add(Postings[sorted[i]].Memory);
            }
        }

        /// <summary>Adds the postings of every value that reads as a number the comparison accepts.</summary>
        public void ForEachInRange(FieldRangeMatch range, bool isSealed, List<ReadOnlyMemory<int>> into)
        {
            if (!isSealed)
            {
                foreach (var (key, list) in Postings)
                {
                    if (range.AcceptsText(key))
                    {
                        into.Add(list.Memory);
                    }
                }

                return;
            }

            var numeric = Numeric();
            // Sorted by value: the accepted values are one run at the start (<, <=) or at the end (>, >=).
            var below = range.Operator is LogComparison.LessThan or LogComparison.LessOrEqual;
            if (below)
            {
                for (var i = 0; i < numeric.Length && range.Accepts(numeric[i].Value); i++)
                {
                    into.Add(numeric[i].Postings);
                }
            }
            else
            {
                for (var i = numeric.Length - 1; i >= 0 && range.Accepts(numeric[i].Value); i--)
                {
                    into.Add(numeric[i].Postings);
                }
            }
        }

        /// <summary>Renumbers every posting through <paramref name="map"/> (none: the numbers stay) and trims it; returns
        /// the bytes released.</summary>
        public long RemapAndTrim(int[]? map)
        {
            long released = 0;
            foreach (var key in Postings.Keys)
            {
                ref var list = ref CollectionsMarshal.GetValueRefOrNullRef(Postings, key);
                if (!Unsafe.IsNullRef(ref list))
                {
                    if (map is not null)
                    {
                        list.Remap(map);
                    }

                    released += list.Trim();
                }
            }

            return released;
        }

        private string[] Sorted()
        {
            var sorted = Volatile.Read(ref _sorted);
            if (sorted is null)
            {
                sorted = [.. Postings.Keys];
                Array.Sort(sorted, StringComparer.Ordinal);
                Interlocked.CompareExchange(ref _sorted, sorted, null);
            }

            return sorted;
        }

        private NumericKey[] Numeric()
        {
            var numeric = Volatile.Read(ref _numeric);
            if (numeric is null)
            {
                var list = new List<NumericKey>();
                foreach (var (key, postings) in Postings)
                {
                    if (LogText.TryNumber(key, out var v))
                    {
                        list.Add(new NumericKey(v, postings.Memory));
                    }
                }

                list.Sort(static (a, b) => a.Value.CompareTo(b.Value));
                numeric = [.. list];
                Interlocked.CompareExchange(ref _numeric, numeric, null);
            }

            return numeric;
        }

        private readonly record struct NumericKey(double Value, ReadOnlyMemory<int> Postings);
    }

    /// <summary>A dense posting's bitmap and how many records it holds.</summary>
    internal readonly record struct DensePosting(ulong[] Bits, int Count);
}
