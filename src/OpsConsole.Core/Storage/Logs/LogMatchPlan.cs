namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// What a sealed <see cref="LogSegment"/> can work out about a <see cref="LogMatch"/> without evaluating it:
/// <list type="bullet">
/// <item><see cref="Required"/>: the segment-filter keys of the postings every match must hold (body terms, phrase
/// words, field values under an AND); a segment whose filter lacks one of them has no match.</item>
/// <item>For a conjunction of exact postings (terms, field values, and NOTs of single ones) — what most searches
/// are — the <see cref="Positives"/> and <see cref="Negatives"/> to count matches from the postings alone, without
/// listing them; null otherwise.</item>
/// </list>
/// </summary>
internal sealed class LogMatchPlan
{
    private LogMatchPlan(ulong[] required, PlanPosting[]? positives, PlanPosting[]? negatives)
    {
        Required = required;
        Positives = positives;
        Negatives = negatives;
    }

    public ulong[] Required { get; }

    public PlanPosting[]? Positives { get; }

    public PlanPosting[]? Negatives { get; }

    /// <summary>Whether the postings alone give the exact count (see <see cref="Positives"/>).</summary>
    public bool IsCountable => Positives is not null;

    public static LogMatchPlan Of(LogMatch match)
    {
        var required = new List<ulong>();
        AddRequired(match, required);
        List<PlanPosting> positives = [];
        List<PlanPosting> negatives = [];
        var countable = match switch
        {
            AllMatch => true,
            AndMatch and => and.Children.All(c => TryAdd(c, positives, negatives)),
            _ => TryAdd(match, positives, negatives),
        };

        // Without a positive posting the count is the window less one excluded posting; more would need a union.
        countable &= positives.Count > 0 || negatives.Count <= 1;
        return countable
            ? new LogMatchPlan([.. required.Distinct()], [.. positives], [.. negatives])
            : new LogMatchPlan([.. required.Distinct()], null, null);
    }

    private static void AddRequired(LogMatch match, List<ulong> into)
    {
        switch (match)
        {
            case TermMatch t:
                into.Add(SegmentFilter.Key(SegmentFilter.TermSalt, t.Token));
                break;
            case PhraseMatch p:
                foreach (var token in p.Tokens)
                {
                    into.Add(SegmentFilter.Key(SegmentFilter.TermSalt, token));
                }

                break;
            case FieldMatch f:
                into.Add(SegmentFilter.Key(SegmentFilter.FieldSalt(f.Field), f.Value));
                break;
            case AndMatch and:
                foreach (var child in and.Children)
                {
                    AddRequired(child, into);
                }

                break;
        }
    }

    private static bool TryAdd(LogMatch match, List<PlanPosting> positives, List<PlanPosting> negatives)
    {
        switch (match)
        {
            case TermMatch t:
                positives.Add(new PlanPosting(null, t.Token));
                return true;
            case FieldMatch f:
                positives.Add(new PlanPosting(f.Field, f.Value));
                return true;
            case NotMatch { Child: TermMatch t }:
                negatives.Add(new PlanPosting(null, t.Token));
                return true;
            case NotMatch { Child: FieldMatch f }:
                negatives.Add(new PlanPosting(f.Field, f.Value));
                return true;
            default:
                return false;
        }
    }
}

/// <summary>One exact posting of a plan: a body term (<see cref="Field"/> null) or a field value.</summary>
internal readonly record struct PlanPosting(LogField? Field, string Value)
{
    /// <summary>The posting's key in a segment's <see cref="SegmentFilter"/> and <see cref="DenseTable"/>.</summary>
    public ulong Key { get; } = SegmentFilter.Key(Field is { } f ? SegmentFilter.FieldSalt(f) : SegmentFilter.TermSalt, Value);
}

/// <summary>
/// A sealed segment's dense postings (bitmaps), found by the posting's filter key in an open-addressing table: one or two
/// reads where walking the field and value dictionaries would take several, which adds up over hundreds of segments. A
/// key match is confirmed on the field and the value, so a hash collision never returns the wrong bitmap.
/// </summary>
internal sealed class DenseTable
{
    /// <summary>The kind given to body terms (fields use their <see cref="LogFieldKind"/>).</summary>
    public const int TermKind = -1;

    private readonly ulong[] _keys;
    private readonly Entry[] _entries;
    private readonly int _mask;

    public DenseTable(IReadOnlyList<Entry> entries)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, entries.Count * 2));
        _keys = new ulong[size];
        _entries = new Entry[size];
        _mask = size - 1;
        long bitmapBytes = 0;
        foreach (var entry in entries)
        {
            var key = Occupied(entry.Key);
            var slot = (int)(key & (ulong)_mask);
            while (_keys[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = key;
            _entries[slot] = entry;
            bitmapBytes += 24 + (entry.Bits.Length * 8L);
        }

        EstimatedBytes = 48 + 24 + (size * 8L) + 24 + (size * 48L) + bitmapBytes;
    }

    public long EstimatedBytes { get; }

    public bool TryFind(in PlanPosting posting, out LogSegment.DensePosting dense)
    {
        var key = Occupied(posting.Key);
        var kind = posting.Field is { } field ? (int)field.Kind : TermKind;
        for (var slot = (int)(key & (ulong)_mask); _keys[slot] != 0; slot = (slot + 1) & _mask)
        {
            if (_keys[slot] != key)
            {
                continue;
            }

            ref readonly var entry = ref _entries[slot];
            if (entry.Kind == kind
                && string.Equals(entry.Value, posting.Value, StringComparison.Ordinal)
                && (kind != (int)LogFieldKind.Attribute || string.Equals(entry.Attribute, posting.Field!.Value.Name, StringComparison.Ordinal)))
            {
                dense = new LogSegment.DensePosting(entry.Bits, entry.Count);
                return true;
            }
        }

        dense = default;
        return false;
    }

    /// <summary>Zero marks an empty slot, so a key of zero is stored as one (the entry check keeps lookups exact).</summary>
    private static ulong Occupied(ulong key) => key == 0 ? 1 : key;

    /// <summary>A dense posting: its filter key, field (kind, attribute key), value, bitmap and record count.</summary>
    public readonly record struct Entry(ulong Key, int Kind, string? Attribute, string Value, ulong[] Bits, int Count);
}

/// <summary>
/// A segment's filter: a register-blocked Bloom filter over the keys of its index (body terms, and field values keyed by
/// field), built when the segment is sealed. Four bits of one 64-bit word per key, about 12 bits a key, so a key that is
/// absent passes about 1% of the time; a key present always passes. Hashes use the process's string hash, so the filter
/// only lives in memory.
/// </summary>
internal sealed class SegmentFilter
{
    public const int TermSalt = 0;
    private const int BitsPerKey = 12;

    private readonly ulong[] _words;
    private readonly ulong _mask;

    public SegmentFilter(int keys)
    {
        var words = (int)Math.Min(1 << 26, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, ((long)keys * BitsPerKey) >> 6)));
        _words = new ulong[words];
        _mask = (ulong)(words - 1);
    }

    public long EstimatedBytes => 48 + 24 + (_words.Length * 8L);

    /// <summary>The salt of a field's keys: reserved fields by kind, attributes by key.</summary>
    public static int FieldSalt(LogField field) => field.IsAttribute ? string.GetHashCode(field.Name.AsSpan()) | 8 : (int)field.Kind + 1;

    public static ulong Key(int salt, ReadOnlySpan<char> value)
    {
        // splitmix64's finalizer over salt and the string hash.
        var h = ((ulong)(uint)salt << 32) | (uint)string.GetHashCode(value);
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }

    public void Add(ulong key) => _words[key & _mask] |= Bits(key);

    public bool MayContain(ulong key)
    {
        var bits = Bits(key);
        return (_words[key & _mask] & bits) == bits;
    }

    private static ulong Bits(ulong key) =>
        (1UL << (int)((key >> 40) & 63)) | (1UL << (int)((key >> 46) & 63)) | (1UL << (int)((key >> 52) & 63)) | (1UL << (int)(key >> 58));
}

/// <summary>
/// One shared instance of each value (and attribute key) that has a dense posting (a bitmap) in some sealed segment:
/// the <see cref="DenseTable"/>s of all segments point at it, so confirming a match reads text that is already in
/// cache rather than a copy far away in memory, and the copies are not kept. Bounded: past <see cref="Capacity"/>
/// values, new ones are not pooled (lookups still work).
/// </summary>
internal static class DenseKeys
{
    public const int Capacity = 65_536;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static int _pooled;

    /// <summary>The pooled instance of <paramref name="value"/>, pooling it when there is room.</summary>
    public static string Pooled(string value)
    {
        if (Pool.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        if (Volatile.Read(ref _pooled) >= Capacity)
        {
            return value;
        }

        pooled = Pool.GetOrAdd(value, value);
        if (ReferenceEquals(pooled, value))
        {
            Interlocked.Increment(ref _pooled);
        }

        return pooled;
    }
}
