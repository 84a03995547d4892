using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Up to a few thousand log records with their own inverted index (term → record numbers, field → value → record
/// numbers). Records are appended in arrival order; sealing re-orders them by time and rewrites the postings, so a
/// sealed segment answers time ranges by binary search and drops its oldest records by moving a start mark.
/// Not thread-safe: the <see cref="LogStore"/> lock guards it.
/// </summary>
internal sealed class LogSegment(long sequence, int capacity)
{
    private const int NewKeyBytes = 48;
    private const int PerRecordBytes = 8 + 8 + 1 + 4;

    private readonly Dictionary<string, PostingList> _terms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, PostingList>> _fields = new(StringComparer.Ordinal);
    private LogRecord?[] _records = new LogRecord?[capacity];
    private ulong[] _times = new ulong[capacity];
    private byte[] _levels = new byte[capacity];
    private int[] _sizes = new int[capacity];
    private int _count;
    private int _firstLive;

    public long Sequence { get; } = sequence;

    public bool IsSealed { get; private set; }

    public bool IsFull => _count == _records.Length;

    public int Count => _count;

    public int LiveCount => _count - _firstLive;

    public ulong MinTime { get; private set; } = ulong.MaxValue;

    public ulong MaxTime { get; private set; }

    /// <summary>The time of the oldest record still held (sealed segments; for the head, its minimum).</summary>
    public ulong OldestLiveTime => IsSealed ? (LiveCount > 0 ? _times[_firstLive] : ulong.MaxValue) : MinTime;

    public long EstimatedBytes { get; private set; } = 200 + ((long)capacity * PerRecordBytes);

    public LogRecord RecordAt(int index) => _records[index]!;

    public ulong TimeAt(int index) => _times[index];

    public byte LevelAt(int index) => _levels[index];

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
        var body = record.Body.Kind switch
        {
            AttributeKind.Empty => null,
            AttributeKind.String => record.Body.StringValue,
            _ => record.Body.ToString(),
        };
        if (body is not null)
        {
            var tokens = new TokenEnumerator(body, buffer, includeParts: true);
            while (tokens.MoveNext())
            {
                size += AddTerm(tokens.Current, index);
            }
        }

        size += AddField(LogFieldNames.Level, level, index);
        size += AddField(LogFieldNames.Service, record.ServiceName, index);
        size += AddField(LogFieldNames.Tenant, record.TenantId, index);
        if (!record.TraceId.IsEmpty)
        {
            record.TraceId.High.TryFormat(buffer, out _, "x16", CultureInfo.InvariantCulture);
            record.TraceId.Low.TryFormat(buffer[16..], out _, "x16", CultureInfo.InvariantCulture);
            size += AddField(LogFieldNames.TraceId, buffer[..32], index);
        }

        if (!record.SpanId.IsEmpty)
        {
            record.SpanId.Value.TryFormat(buffer, out _, "x16", CultureInfo.InvariantCulture);
            size += AddField(LogFieldNames.SpanId, buffer[..16], index);
        }

        size += AddAttributes(record.Attributes, index, buffer);
        size += AddAttributes(record.Resource.Attributes, index, buffer);
        _sizes[index] = size;
        EstimatedBytes += size;
    }

    /// <summary>Orders the records by time (arrival order among equal times) and rewrites the postings to match.</summary>
    public void Seal()
    {
        if (IsSealed)
        {
            return;
        }

        IsSealed = true;
        var n = _count;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var times = _times;
        Array.Sort(order, (a, b) =>
        {
            var c = times[a].CompareTo(times[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var map = new int[n];
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

        EstimatedBytes -= (long)(_records.Length - n) * PerRecordBytes;
        (_records, _times, _levels, _sizes) = (records, sortedTimes, levels, sizes);
        EstimatedBytes -= RemapAndTrim(_terms, map);
        foreach (var values in _fields.Values)
        {
            EstimatedBytes -= RemapAndTrim(values, map);
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
        _records[_firstLive] = null;
        _firstLive++;
    }

    /// <summary>
    /// Adds to <paramref name="matches"/>, in ascending record number (for a sealed segment: ascending time), every
    /// held record in [from, to) that satisfies <paramref name="query"/>.
    /// </summary>
    public void Collect(ResolvedLogQuery query, ulong from, ulong to, List<int> matches)
    {
        if (LiveCount == 0 || MaxTime < from || MinTime >= to)
        {
            return;
        }

        var include = new PostingList[query.IncludeTerms.Length + query.IncludeFields.Length];
        var n = 0;
        foreach (var term in query.IncludeTerms)
        {
            if (!_terms.TryGetValue(term, out include[n++]))
            {
                return;
            }
        }

        foreach (var (field, value) in query.IncludeFields)
        {
            if (!TryGetField(field, value, out include[n++]))
            {
                return;
            }
        }

        var exclude = ResolveExclusions(query);
        int lo, hi;
        if (IsSealed)
        {
            lo = Math.Max(_firstLive, LowerBound(from));
            hi = LowerBound(to);
        }
        else
        {
            lo = 0;
            hi = _count;
        }

        if (include.Length == 0)
        {
            for (var i = lo; i < hi; i++)
            {
                if (Accept(i, from, to, include, -1, exclude, query.Filter))
                {
                    matches.Add(i);
                }
            }

            return;
        }

        var smallest = 0;
        for (var k = 1; k < include.Length; k++)
        {
            if (include[k].Count < include[smallest].Count)
            {
                smallest = k;
            }
        }

        foreach (var i in include[smallest].Items)
        {
            if (i < lo)
            {
                continue;
            }

            if (i >= hi)
            {
                break;
            }

            if (Accept(i, from, to, include, smallest, exclude, query.Filter))
            {
                matches.Add(i);
            }
        }
    }

    private bool Accept(int i, ulong from, ulong to, PostingList[] include, int skip, List<PostingList[]>? exclude, Func<LogRecord, bool>? filter)
    {
        var record = _records[i];
        if (record is null || _times[i] < from || _times[i] >= to)
        {
            return false;
        }

        for (var k = 0; k < include.Length; k++)
        {
            if (k != skip && !include[k].Contains(i))
            {
                return false;
            }
        }

        if (exclude is not null)
        {
            foreach (var group in exclude)
            {
                var all = true;
                foreach (var list in group)
                {
                    if (!list.Contains(i))
                    {
                        all = false;
                        break;
                    }
                }

                if (all)
                {
                    return false;
                }
            }
        }

        return filter is null || filter(record);
    }

    /// <summary>Each excluded posting as the lists a record must all be on to be excluded; absent ones exclude nothing.</summary>
    private List<PostingList[]>? ResolveExclusions(ResolvedLogQuery query)
    {
        List<PostingList[]>? groups = null;
        foreach (var group in query.Exclude)
        {
            var lists = new PostingList[group.Terms.Length + (group.Field is null ? 0 : 1)];
            var found = true;
            for (var k = 0; k < group.Terms.Length && found; k++)
            {
                found = _terms.TryGetValue(group.Terms[k], out lists[k]);
            }

            if (found && group.Field is { } field)
            {
                found = TryGetField(field.Name, field.Value, out lists[^1]);
            }

            if (found && lists.Length > 0)
            {
                (groups ??= []).Add(lists);
            }
        }

        return groups;
    }

    private bool TryGetField(string field, string value, out PostingList list)
    {
        list = default;
        return _fields.TryGetValue(field, out var values) && values.TryGetValue(value, out list);
    }

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

    private int AddTerm(ReadOnlySpan<char> term, int index)
    {
        var lookup = _terms.GetAlternateLookup<ReadOnlySpan<char>>();
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, term, out var exists);
        return list.Add(index) + (exists ? 0 : NewKeyBytes + 22 + (term.Length * 2));
    }

    private int AddField(string field, ReadOnlySpan<char> value, int index)
    {
        var size = 0;
        if (!_fields.TryGetValue(field, out var values))
        {
            values = new Dictionary<string, PostingList>(StringComparer.Ordinal);
            _fields[field] = values;
            size += 200;
        }

        var lookup = values.GetAlternateLookup<ReadOnlySpan<char>>();
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, value, out var exists);
        return size + list.Add(index) + (exists ? 0 : NewKeyBytes + 22 + (value.Length * 2));
    }

    private int AddAttributes(IReadOnlyList<Domain.Telemetry.Attribute> attributes, int index, Span<char> buffer)
    {
        var size = 0;
        for (var i = 0; i < attributes.Count; i++)
        {
            var (key, value) = attributes[i];
            int written;
            switch (value.Kind)
            {
                case AttributeKind.String when value.StringValue.Length <= LogFieldNames.MaxIndexedValueLength:
                    size += AddField(key, value.StringValue, index);
                    break;
                case AttributeKind.Bool:
                    size += AddField(key, value.BoolValue ? "true" : "false", index);
                    break;
                case AttributeKind.Int when value.IntValue.TryFormat(buffer, out written, default, CultureInfo.InvariantCulture):
                case AttributeKind.Double when value.DoubleValue.TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture):
                    size += AddField(key, buffer[..written], index);
                    break;
            }
        }

        return size;
    }

    private static long RemapAndTrim(Dictionary<string, PostingList> postings, int[] map)
    {
        long released = 0;
        foreach (var key in postings.Keys)
        {
            ref var list = ref CollectionsMarshal.GetValueRefOrNullRef(postings, key);
            if (!Unsafe.IsNullRef(ref list))
            {
                list.Remap(map);
                released += list.Trim();
            }
        }

        return released;
    }
}
