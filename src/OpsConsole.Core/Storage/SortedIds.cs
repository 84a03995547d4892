namespace OpsConsole.Core.Storage;

/// <summary>Set operations over ascending, duplicate-free id lists (postings).</summary>
internal static class SortedIds
{
    public static int[] Intersect(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length > b.Length)
        {
            var t = a;
            a = b;
            b = t;
        }

        var result = new List<int>(a.Length);
        var j = 0;
        foreach (var x in a)
        {
            while (j < b.Length && b[j] < x)
            {
                j++;
            }

            if (j == b.Length)
            {
                break;
            }

            if (b[j] == x)
            {
                result.Add(x);
            }
        }

        return [.. result];
    }

    public static int[] Subtract(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var result = new List<int>(a.Length);
        var j = 0;
        foreach (var x in a)
        {
            while (j < b.Length && b[j] < x)
            {
                j++;
            }

            if (j < b.Length && b[j] == x)
            {
                continue;
            }

            result.Add(x);
        }

        return [.. result];
    }

    /// <summary>The union of several lists, ascending and without duplicates.</summary>
    public static int[] Union(List<int[]> lists)
    {
        if (lists.Count == 0)
        {
            return [];
        }

        if (lists.Count == 1)
        {
            return lists[0];
        }

        var total = 0;
        foreach (var l in lists)
        {
            total += l.Length;
        }

        var all = new int[total];
        var n = 0;
        foreach (var l in lists)
        {
            l.CopyTo(all, n);
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

        return kept == all.Length ? all : all.AsSpan(0, kept).ToArray();
    }
}
