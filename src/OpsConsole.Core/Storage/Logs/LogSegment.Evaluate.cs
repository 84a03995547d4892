namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Evaluating a <see cref="LogMatch"/> over one segment's index. Each node yields candidates — every record in the
/// window, or an ascending list of record numbers — plus, when the index alone cannot decide (phrases, predicates),
/// a condition every candidate must still pass on the record itself. AND intersects postings (smallest first),
/// OR unions them (a bitmap when large), NOT subtracts an exact set; only the final, smallest candidate list is
/// verified record by record.
/// </summary>
internal sealed partial class LogSegment
{
    private const int CancellationStride = 1024;

    /// <summary>
    /// Adds to <paramref name="matches"/>, in ascending record number (for a sealed segment: ascending time), every
    /// held record in [from, to) that satisfies <paramref name="match"/>.
    /// </summary>
    public void Collect(LogMatch match, ulong from, ulong to, List<int> matches, CancellationToken cancellationToken)
    {
        if (LiveCount == 0 || MaxTime < from || MinTime >= to || !MayMatch(match.Plan))
        {
            return;
        }

        var (lo, hi) = Window(from, to);
        if (lo >= hi)
        {
            return;
        }

        if (IsSealed && match.Plan.IsCountable)
        {
            CollectPostings(match.Plan, lo, hi, matches);
            return;
        }

        var c = Evaluate(match, lo, hi);
        if (c.IsAll)
        {
            for (var i = lo; i < hi; i++)
            {
                if ((i & (CancellationStride - 1)) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (Accept(i, from, to, c.Verify))
                {
                    matches.Add(i);
                }
            }

            return;
        }

        var ids = c.Ids.Span;
        for (var k = 0; k < ids.Length; k++)
        {
            if ((k & (CancellationStride - 1)) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (Accept(ids[k], from, to, c.Verify))
            {
                matches.Add(ids[k]);
            }
        }
    }

    private bool Accept(int i, ulong from, ulong to, LogMatch? verify)
    {
        var time = _times[i];
        if (time < from || time >= to)
        {
            return false;
        }

        var record = RecordAt(i);
        return record is not null && (verify is null || verify.Matches(record));
    }

    private Candidates Evaluate(LogMatch node, int lo, int hi)
    {
        switch (node)
        {
            case AllMatch:
                return Candidates.All(null);
            case PredicateMatch:
                return Candidates.All(node);
            case TermMatch t:
                return Candidates.Of(Clip(_terms.Get(t.Token), lo, hi));
            case TermPrefixMatch p:
            {
                var lists = new List<ReadOnlyMemory<int>>();
                _terms.ForEachPrefix(p.Prefix, IsSealed, lists);
                return Candidates.Of(Union(lists, lo, hi));
            }

            case PhraseMatch phrase:
            {
                var result = Clip(_terms.Get(phrase.Tokens[0]), lo, hi);
                for (var k = 1; k < phrase.Tokens.Count && result.Length > 0; k++)
                {
                    result = Intersect(result, Clip(_terms.Get(phrase.Tokens[k]), lo, hi));
                }

                return Candidates.Of(result, phrase);
            }

            case FieldMatch f:
                return Candidates.Of(FieldIndex(f.Field) is { } values ? Clip(values.Get(f.Value), lo, hi) : default);
            case FieldPrefixMatch fp:
            {
                var lists = new List<ReadOnlyMemory<int>>();
                FieldIndex(fp.Field)?.ForEachPrefix(fp.Prefix, IsSealed, lists);
                return Candidates.Of(Union(lists, lo, hi));
            }

            case FieldRangeMatch range:
            {
                var lists = new List<ReadOnlyMemory<int>>();
                FieldIndex(range.Field)?.ForEachInRange(range, IsSealed, lists);
                return Candidates.Of(Union(lists, lo, hi));
            }

            case AndMatch and:
                return EvaluateAnd(and, lo, hi);
            case OrMatch or:
                return EvaluateOr(or, lo, hi);
            case NotMatch not:
                return Candidates.Of(Subtract(Range(lo, hi), Exact(not.Child, lo, hi)));
            default:
                throw new NotSupportedException($"Unknown log match node {node.GetType().Name}.");
        }
    }

    private Candidates EvaluateAnd(AndMatch and, int lo, int hi)
    {
        var positives = new List<Candidates>(and.Children.Count);
        List<LogMatch>? negatives = null;
        var inexact = false;
        foreach (var child in and.Children)
        {
            if (child is NotMatch not)
            {
                (negatives ??= []).Add(not.Child);
                continue;
            }

            var c = Evaluate(child, lo, hi);
            if (!c.IsAll && c.Ids.Length == 0)
            {
                return Candidates.None;
            }

            inexact |= c.Verify is not null;
            positives.Add(c);
        }

        ReadOnlyMemory<int>? result = null;
        positives.Sort(static (a, b) => (a.IsAll ? int.MaxValue : a.Ids.Length).CompareTo(b.IsAll ? int.MaxValue : b.Ids.Length));
        foreach (var c in positives)
        {
            if (c.IsAll)
            {
                break;
            }

            result = result is { } r ? Intersect(r, c.Ids) : c.Ids;
            if (result.Value.Length == 0)
            {
                return Candidates.None;
            }
        }

        if (negatives is not null)
        {
            var current = result ?? Range(lo, hi);
            foreach (var negative in negatives)
            {
                current = Subtract(current, ExactWithin(negative, current, lo, hi));
                if (current.Length == 0)
                {
                    return Candidates.None;
                }
            }

            result = current;
        }

        // The candidates of an inexact child are a superset; the AND's own record check is exact.
        var verify = inexact ? and : null;
        return result is { } ids ? Candidates.Of(ids, verify) : Candidates.All(verify);
    }

    private Candidates EvaluateOr(OrMatch or, int lo, int hi)
    {
        var lists = new List<ReadOnlyMemory<int>>(or.Children.Count);
        var inexact = false;
        var all = false;
        foreach (var child in or.Children)
        {
            var c = Evaluate(child, lo, hi);
            inexact |= c.Verify is not null;
            if (c.IsAll)
            {
                all = true;
            }
            else
            {
                lists.Add(c.Ids);
            }
        }

        var verify = inexact ? or : null;
        return all ? Candidates.All(verify) : Candidates.Of(Union(lists, lo, hi), verify);
    }

    /// <summary>The record numbers in the window that satisfy <paramref name="node"/>, exactly.</summary>
    private ReadOnlyMemory<int> Exact(LogMatch node, int lo, int hi) => ExactWithin(node, null, lo, hi);

    /// <summary>Like <see cref="Exact"/>, but only verifies records among <paramref name="among"/> when given (the rest
    /// cannot matter to the caller).</summary>
    private ReadOnlyMemory<int> ExactWithin(LogMatch node, ReadOnlyMemory<int>? among, int lo, int hi)
    {
        var c = Evaluate(node, lo, hi);
        if (c.Verify is null)
        {
            return c.IsAll ? Range(lo, hi) : c.Ids;
        }

        var candidates = c.IsAll ? among ?? Range(lo, hi) : among is { } a ? Intersect(c.Ids, a) : c.Ids;
        var kept = new List<int>();
        foreach (var i in candidates.Span)
        {
            if (RecordAt(i) is { } record && c.Verify.Matches(record))
            {
                kept.Add(i);
            }
        }

        return kept.ToArray();
    }

    private static ReadOnlyMemory<int> Range(int lo, int hi)
    {
        var ids = new int[Math.Max(0, hi - lo)];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = lo + i;
        }

        return ids;
    }

    /// <summary>The part of an ascending list within [lo, hi).</summary>
    private static ReadOnlyMemory<int> Clip(ReadOnlyMemory<int> ids, int lo, int hi)
    {
        var span = ids.Span;
        if (span.Length == 0 || (span[0] >= lo && span[^1] < hi))
        {
            return ids;
        }

        var start = span.BinarySearch(lo);
        start = start < 0 ? ~start : start;
        var end = span.BinarySearch(hi);
        end = end < 0 ? ~end : end;
        return ids[start..end];
    }

    private static ReadOnlyMemory<int> Intersect(ReadOnlyMemory<int> a, ReadOnlyMemory<int> b)
    {
        if (a.Length > b.Length)
        {
            (a, b) = (b, a);
        }

        var small = a.Span;
        var large = b.Span;
        var result = new List<int>(small.Length);
        var from = 0;
        foreach (var x in small)
        {
            var k = large[from..].BinarySearch(x);
            if (k >= 0)
            {
                result.Add(x);
                from += k + 1;
            }
            else
            {
                from += ~k;
            }

            if (from >= large.Length)
            {
                break;
            }
        }

        return result.ToArray();
    }

    private static ReadOnlyMemory<int> Subtract(ReadOnlyMemory<int> a, ReadOnlyMemory<int> b) =>
        b.Length == 0 ? a : SortedIds.Subtract(a.Span, b.Span);

    /// <summary>The union of ascending lists within [lo, hi): a merge when small, a bitmap over the window when large.</summary>
    private static ReadOnlyMemory<int> Union(List<ReadOnlyMemory<int>> lists, int lo, int hi)
    {
        var total = 0;
        for (var k = 0; k < lists.Count; k++)
        {
            lists[k] = Clip(lists[k], lo, hi);
            total += lists[k].Length;
        }

        if (lists.Count == 1)
        {
            return lists[0];
        }

        if (total == 0)
        {
            return default;
        }

        if (total < 64 || total < (hi - lo) / 32)
        {
            var all = new int[total];
            var n = 0;
            foreach (var l in lists)
            {
                l.Span.CopyTo(all.AsSpan(n));
                n += l.Length;
            }

            Array.Sort(all);
            var kept = 0;
            for (var i = 0; i < all.Length; i++)
            {
                if (kept == 0 || all[kept - 1] != all[i])
                {
                    all[kept++] = all[i];
                }
            }

            return all.AsMemory(0, kept);
        }

        var bits = new ulong[((hi - lo) >> 6) + 1];
        foreach (var l in lists)
        {
            foreach (var i in l.Span)
            {
                var o = i - lo;
                bits[o >> 6] |= 1UL << (o & 63);
            }
        }

        var result = new List<int>(total);
        for (var w = 0; w < bits.Length; w++)
        {
            var word = bits[w];
            while (word != 0)
            {
                var b = System.Numerics.BitOperations.TrailingZeroCount(word);
                result.Add(lo + (w << 6) + b);
                word &= word - 1;
            }
        }

        return result.ToArray();
    }

    /// <summary>What a node leaves to check: every record in the window (<see cref="IsAll"/>) or <see cref="Ids"/>,
    /// each of which must also pass <see cref="Verify"/> when set.</summary>
    private readonly record struct Candidates(bool IsAll, ReadOnlyMemory<int> Ids, LogMatch? Verify)
    {
        public static readonly Candidates None = new(false, default, null);

        public static Candidates All(LogMatch? verify) => new(true, default, verify);

        public static Candidates Of(ReadOnlyMemory<int> ids, LogMatch? verify = null) => new(false, ids, verify);
    }
}
