using System.Numerics;
using System.Runtime.InteropServices;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Deciding about a sealed segment without listing its matches: its <see cref="SegmentFilter"/> rules out a search
/// needing a key the segment lacks, and a conjunction of exact postings is counted from the postings (a word-wise AND
/// of bitmaps when every posting is dense, else a walk of the smallest list testing the others).
/// </summary>
internal sealed partial class LogSegment
{
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
            return lo >= hi ? 0 : CountPostings(plan.Positives!, plan.Negatives!, lo, hi);
        }

        scratch.Clear();
        Collect(match, from, to, scratch, cancellationToken);
        return scratch.Count;
    }

    private int CountPostings(PlanPosting[] positives, PlanPosting[] negatives, int lo, int hi)
    {
        if (positives.Length == 0)
        {
            return hi - lo - (negatives.Length == 0 ? 0 : Lookup(negatives[0], lo, hi).Count);
        }

        var postings = new Posting[positives.Length + negatives.Length];
        var driver = 0;
        var dense = true;
        for (var k = 0; k < positives.Length; k++)
        {
            var p = Lookup(positives[k], lo, hi);
            if (p.Count == 0)
            {
                return 0;
            }

            postings[k] = p;
            dense &= p.Bits is not null;
            if (p.Count < postings[driver].Count)
            {
                driver = k;
            }
        }

        for (var k = 0; k < negatives.Length; k++)
        {
            var p = Lookup(negatives[k], lo, hi);
            postings[positives.Length + k] = p;
            dense &= p.Bits is not null || p.Count == 0;
        }

        // Word-wise when every list has a bitmap and the smallest is not much sparser than a word of the window.
        return dense && postings[driver].Count * 8L >= hi - lo
            ? CountWords(postings, positives.Length, lo, hi)
            : CountFrom(postings, positives.Length, driver);
    }

    private static int CountWords(Posting[] postings, int positives, int lo, int hi)
    {
        var first = lo >> 6;
        var last = (hi - 1) >> 6;
        var count = 0;
        for (var w = first; w <= last; w++)
        {
            var word = ulong.MaxValue;
            if (w == first)
            {
                word &= ulong.MaxValue << (lo & 63);
            }

            if (w == last)
            {
                word &= ulong.MaxValue >> (63 - ((hi - 1) & 63));
            }

            for (var k = 0; k < postings.Length && word != 0; k++)
            {
                if (postings[k].Bits is { } bits)
                {
                    word &= k < positives ? bits[w] : ~bits[w];
                }
            }

            count += BitOperations.PopCount(word);
        }

        return count;
    }

    private static int CountFrom(Posting[] postings, int positives, int driver)
    {
        Span<int> cursors = stackalloc int[postings.Length];
        var ids = postings[driver].Ids.AsSpan();
        var count = 0;
        foreach (var x in ids)
        {
            var match = true;
            for (var k = 0; k < postings.Length && match; k++)
            {
                if (k == driver)
                {
                    continue;
                }

                var p = postings[k];
                bool holds;
                if (p.Bits is { } bits)
                {
                    holds = ((bits[x >> 6] >> (x & 63)) & 1) != 0;
                }
                else
                {
                    // Both ascend: move this list's cursor to its first item not below x.
                    var list = p.Ids.AsSpan();
                    var at = cursors[k];
                    if (at < list.Length && list[at] < x)
                    {
                        var found = list[at..].BinarySearch(x);
                        at += found < 0 ? ~found : found;
                        cursors[k] = at;
                    }

                    holds = at < list.Length && list[at] == x;
                }

                match = holds == k < positives;
            }

            if (match)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A posting's record numbers within [lo, hi), with its bitmap when it has one.</summary>
    private Posting Lookup(PlanPosting posting, int lo, int hi)
    {
        var index = posting.Field is { } field ? FieldIndex(field) : _terms;
        if (index is null || !index.Postings.TryGetValue(posting.Value, out var list))
        {
            return default;
        }

        var ids = Clip(list.Memory, lo, hi);
        if (ids.Length == 0 || !MemoryMarshal.TryGetArray(ids, out var segment))
        {
            return default;
        }

        return new Posting(segment, index.Bitmaps?.GetValueOrDefault(posting.Value));
    }

    private readonly record struct Posting(ArraySegment<int> Ids, ulong[]? Bits)
    {
        public int Count => Ids.Count;
    }
}
