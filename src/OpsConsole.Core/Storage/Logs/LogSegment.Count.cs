using System.Numerics;
using System.Runtime.InteropServices;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Deciding about a sealed segment without listing its matches: its <see cref="SegmentFilter"/> rules out a search
/// needing a key the segment lacks, and a conjunction of exact postings is counted from the postings (a word-wise AND
/// of bitmaps when every posting is dense, else a walk of the smallest list testing the others). Dense postings are
/// found in the segment's <see cref="DenseTable"/>.
/// </summary>
internal sealed partial class LogSegment
{
    /// <summary>Bitmap words ANDed at a time (4,096 records, 512 bytes on the stack).</summary>
    private const int ChunkWords = 64;

    /// <summary>False when the segment cannot hold a match of <paramref name="plan"/> (sealed segments only; the head
    /// always may).</summary>
    public bool MayMatch(LogMatchPlan plan)
    {
        var filter = _filter;
        if (filter is null)
        {
            return true;
        }

        foreach (var key in plan.Required)
        {
            if (!filter.MayContain(key))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// How many held records in [from, to) satisfy <paramref name="match"/>: the same number <see cref="Collect"/>
    /// lists, from the postings alone when the segment is sealed and the match a conjunction of exact postings, else by
    /// collecting the matches into <paramref name="scratch"/>.
    /// </summary>
    public int CountMatches(LogMatch match, ulong from, ulong to, List<int> scratch, CancellationToken cancellationToken)
    {
        var plan = match.Plan;
        if (LiveCount == 0 || MaxTime < from || MinTime >= to || !MayMatch(plan))
        {
            return 0;
        }

        if (IsSealed && plan.IsCountable)
        {
            var (lo, hi) = Window(from, to);
            return lo >= hi ? 0 : CountPostings(plan, lo, hi);
        }

        scratch.Clear();
        Collect(match, from, to, scratch, cancellationToken);
        return scratch.Count;
    }

    /// <summary>How many records in [lo, hi) of a sealed segment hold every positive posting and no negative one.</summary>
    private int CountPostings(LogMatchPlan plan, int lo, int hi)
    {
        var positives = plan.Positives!.Length;
        var negatives = plan.Negatives!;
        if (positives == 0)
        {
            return hi - lo - (negatives.Length == 0 ? 0 : Lookup(negatives[0], lo, hi).Count);
        }

        if (Resolve(plan, lo, hi) is not { } postings)
        {
            return 0;
        }

        if (postings.Length == 1)
        {
            return postings[0].Count;
        }

        if (postings.Dense)
        {
            // A chunk at a time through a small stack buffer: the bitmaps are read once, nothing is allocated.
            Span<ulong> chunk = stackalloc ulong[ChunkWords];
            var count = 0;
            var last = (hi - 1) >> 6;
            for (var w = lo >> 6; w <= last; w += ChunkWords)
            {
                var words = chunk[..Math.Min(ChunkWords, last - w + 1)];
                AndWords(postings, positives, w, lo, hi, words);
                foreach (var word in words)
                {
                    count += BitOperations.PopCount(word);
                }
            }

            return count;
        }

        return WalkDriver(postings, positives, lo, hi, null);
    }

    /// <summary>Adds, ascending, the records in [lo, hi) of a sealed segment that hold every positive posting and no
    /// negative one (and are still held).</summary>
    private void CollectPostings(LogMatchPlan plan, int lo, int hi, List<int> matches)
    {
        var positives = plan.Positives!.Length;
        var negatives = plan.Negatives!;
        if (positives == 0)
        {
            var excluded = negatives.Length == 0 ? default : Lookup(negatives[0], lo, hi);
            var excludedIds = excluded.Bits is null ? excluded.Ids.AsSpan() : default;
            var e = 0;
            for (var i = lo; i < hi; i++)
            {
                if (excluded.Bits is { } bits)
                {
                    if (((bits[i >> 6] >> (i & 63)) & 1) != 0)
                    {
                        continue;
                    }
                }
                else if (e < excludedIds.Length && excludedIds[e] == i)
                {
                    e++;
                    continue;
                }

                if (RecordAt(i) is not null)
                {
                    matches.Add(i);
                }
            }

            return;
        }

        if (Resolve(plan, lo, hi) is not { } postings)
        {
            return;
        }

        if (postings.Dense && postings.Length > 1)
        {
            Span<ulong> chunk = stackalloc ulong[ChunkWords];
            var last = (hi - 1) >> 6;
            for (var first = lo >> 6; first <= last; first += ChunkWords)
            {
                var words = chunk[..Math.Min(ChunkWords, last - first + 1)];
                AndWords(postings, positives, first, lo, hi, words);
                for (var w = 0; w < words.Length; w++)
                {
                    var word = words[w];
                    while (word != 0)
                    {
                        var i = ((first + w) << 6) + BitOperations.TrailingZeroCount(word);
                        word &= word - 1;
                        if (RecordAt(i) is not null)
                        {
                            matches.Add(i);
                        }
                    }
                }
            }

            return;
        }

        WalkDriver(postings, positives, lo, hi, i =>
        {
            if (RecordAt(i) is not null)
            {
                matches.Add(i);
            }
        });
    }

    private static int WordsOf(int lo, int hi) => ((hi - 1) >> 6) - (lo >> 6) + 1;

    /// <summary>The postings of a plan's positives (then its negatives) within [lo, hi), or null when a positive is
    /// absent there.</summary>
    private Postings? Resolve(LogMatchPlan plan, int lo, int hi)
    {
        var positives = plan.Positives!;
        var negatives = plan.Negatives!;
        var list = new Posting[positives.Length + negatives.Length];
        var driver = 0;
        var dense = true;
        for (var k = 0; k < positives.Length; k++)
        {
            var p = Lookup(positives[k], lo, hi);
            if (p.Count == 0)
            {
                return null;
            }

            list[k] = p;
            dense &= p.Bits is not null;
            if (p.Count < list[driver].Count)
            {
                driver = k;
            }
        }

        for (var k = 0; k < negatives.Length; k++)
        {
            var p = Lookup(negatives[k], lo, hi);
            list[positives.Length + k] = p;
            dense &= p.Bits is not null || p.Count == 0;
        }

        // Word-wise (a vector AND and a popcount per 64 records) when every list has a bitmap, unless the smallest list
        // has fewer items than the window has words.
        dense &= list[driver].Count >= WordsOf(lo, hi);
        return new Postings(list, driver, dense);
    }

    /// <summary>Into <paramref name="words"/> (one per 64 record numbers from word <paramref name="first"/> on): the AND of
    /// the positives' bitmaps and the complements of the negatives', masked to [lo, hi).</summary>
    private static void AndWords(Postings postings, int positives, int first, int lo, int hi, Span<ulong> words)
    {
        var list = postings.List;
        list[0].Bits.AsSpan(first, words.Length).CopyTo(words);
        for (var k = 1; k < list.Length; k++)
        {
            if (list[k].Bits is { } bits)
            {
                And(words, bits.AsSpan(first, words.Length), complement: k >= positives);
            }
        }

        if (first == lo >> 6)
        {
            words[0] &= ulong.MaxValue << (lo & 63);
        }

        if (first + words.Length - 1 == (hi - 1) >> 6)
        {
            words[^1] &= ulong.MaxValue >> (63 - ((hi - 1) & 63));
        }
    }

    private static void And(Span<ulong> into, ReadOnlySpan<ulong> other, bool complement)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<ulong>.Count;
            for (; i <= into.Length - width; i += width)
            {
                var a = new Vector<ulong>(into[i..]);
                var b = new Vector<ulong>(other[i..]);
                (complement ? Vector.AndNot(a, b) : a & b).CopyTo(into[i..]);
            }
        }

        for (; i < into.Length; i++)
        {
            into[i] &= complement ? ~other[i] : other[i];
        }
    }

    /// <summary>Walks the smallest positive list, testing the other postings (bitmaps by bit, lists by a forward
    /// search); counts the records that pass, handing each to <paramref name="found"/> when given.</summary>
    private int WalkDriver(Postings postings, int positives, int lo, int hi, Action<int>? found)
    {
        var list = postings.List;
        var driver = postings.Driver;
        Span<int> cursors = stackalloc int[list.Length];
        var ids = (list[driver].Bits is null ? list[driver].Ids : IdsOf(list[driver].Source, lo, hi)).AsSpan();
        var count = 0;
        foreach (var x in ids)
        {
            var match = true;
            for (var k = 0; k < list.Length && match; k++)
            {
                if (k == driver)
                {
                    continue;
                }

                var p = list[k];
                bool holds;
                if (p.Bits is { } bits)
                {
                    holds = ((bits[x >> 6] >> (x & 63)) & 1) != 0;
                }
                else
                {
                    // Both ascend: move this list's cursor to its first item not below x.
                    var items = p.Ids.AsSpan();
                    var at = cursors[k];
                    if (at < items.Length && items[at] < x)
                    {
                        var position = items[at..].BinarySearch(x);
                        at += position < 0 ? ~position : position;
                        cursors[k] = at;
                    }

                    holds = at < items.Length && items[at] == x;
                }

                match = holds == k < positives;
            }

            if (match)
            {
                count++;
                found?.Invoke(x);
            }
        }

        return count;
    }

    /// <summary>
    /// A posting within [lo, hi): its bitmap and exact count when it is dense (found in the segment's
    /// <see cref="DenseTable"/>, without reading its list), else its list — unless the segment filter rules the key out
    /// (a negative's key, say), which spares the dictionaries.
    /// </summary>
    private Posting Lookup(PlanPosting posting, int lo, int hi)
    {
        if (_dense is { } table && table.TryFind(posting, out var dense))
        {
            var count = lo == 0 && hi == _count ? dense.Count : CountBits(dense.Bits, lo, hi);
            return count == 0 ? default : new Posting(default, dense.Bits, count, posting);
        }

        if (_filter is { } filter && !filter.MayContain(posting.Key))
        {
            return default;
        }

        var ids = IdsOf(posting, lo, hi);
        return ids.Count == 0 ? default : new Posting(ids, null, ids.Count, posting);
    }

    /// <summary>A posting's record numbers within [lo, hi).</summary>
    private ArraySegment<int> IdsOf(PlanPosting posting, int lo, int hi)
    {
        var index = posting.Field is { } field ? FieldIndex(field) : _terms;
        if (index is null || !index.Postings.TryGetValue(posting.Value, out var list))
        {
            return default;
        }

        var ids = Clip(list.Memory, lo, hi);
        return ids.Length > 0 && MemoryMarshal.TryGetArray(ids, out var segment) ? segment : default;
    }

    private static int CountBits(ulong[] bits, int lo, int hi)
    {
        var first = lo >> 6;
        var last = (hi - 1) >> 6;
        var count = 0;
        for (var w = first; w <= last; w++)
        {
            var word = bits[w];
            if (w == first)
            {
                word &= ulong.MaxValue << (lo & 63);
            }

            if (w == last)
            {
                word &= ulong.MaxValue >> (63 - ((hi - 1) & 63));
            }

            count += BitOperations.PopCount(word);
        }

        return count;
    }

    /// <summary>A resolved posting: its list (unless dense), its bitmap (when dense), how many records it has in the
    /// window, and what it was resolved from.</summary>
    private readonly record struct Posting(ArraySegment<int> Ids, ulong[]? Bits, int Count, PlanPosting Source);

    /// <summary>Resolved postings: positives first, the smallest positive at <see cref="Driver"/>; <see cref="Dense"/>
    /// when the word-wise AND is the cheaper way.</summary>
    private sealed record Postings(Posting[] List, int Driver, bool Dense)
    {
        public int Length => List.Length;

        public Posting this[int index] => List[index];
    }
}
