using System.Globalization;
using System.Text;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Prometheus durations: one or more number+unit pairs, largest unit first (<c>1h30m</c>, <c>5m</c>, <c>1d</c>).</summary>
public static class PromQlDuration
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000), ("m", 60L * 1000), ("s", 1000), ("ms", 1),
    ];

    /// <summary>Parses a duration; null when the text is not one.</summary>
    public static long? TryParseMs(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        long total = 0;
        var i = 0;
        var lastRank = -1;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length)
            {
                return null;
            }

            if (!long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            var unit = text[i] == 'm' && i + 1 < text.Length && text[i + 1] == 's' ? "ms" : text[i].ToString();
            var rank = Array.FindIndex(Units, u => u.Unit == unit);
            if (rank < 0 || rank <= lastRank)
            {
                return null;
            }

            lastRank = rank;
            if (number > (long.MaxValue - total) / Units[rank].Ms)
            {
                return null; // too long to represent: not a duration
            }

            total += number * Units[rank].Ms;
            i += unit.Length;
        }

        return total;
    }

    /// <summary>Prometheus's canonical form, e.g. 5400000 → <c>1h30m</c>.</summary>
    public static string Format(long ms)
    {
        if (ms == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder(ms < 0 ? "-" : "");
        var rest = Math.Abs(ms);
        foreach (var (unit, size) in Units)
        {
            if (rest >= size)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{rest / size}{unit}");
                rest %= size;
            }
        }

        return sb.ToString();
    }
}
