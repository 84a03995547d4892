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
internal readonly record struct PlanPosting(LogField? Field, string Value);

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
/// One shared instance of each value that has a dense posting (a bitmap) in some sealed segment, so that finding a
/// value among a segment's bitmaps compares references rather than text read from far away in memory. Bounded: past
/// <see cref="Capacity"/> values, new ones are not pooled (lookups still work, comparing text).
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

    /// <summary>The pooled instance of <paramref name="value"/>, or the value itself when it is not pooled.</summary>
    public static string Canonical(string value) => Pool.TryGetValue(value, out var pooled) ? pooled : value;
}
