using System.Globalization;
using System.Text;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// Durations as Prometheus writes them in its configuration: <c>15s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1h</c>
/// (units y, w, d, h, m, s, ms, each at most once, largest first). A .NET time span (<c>00:00:15</c>) is accepted too.
/// </summary>
public static class PrometheusDuration
{
    private static readonly (string Unit, TimeSpan Length)[] Units =
    [
        ("y", TimeSpan.FromDays(365)),
        ("w", TimeSpan.FromDays(7)),
        ("d", TimeSpan.FromDays(1)),
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }

        var i = 0;
        var nextUnit = 0;
        var total = TimeSpan.Zero;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || i - start > 12)
            {
                return false;
            }

            var number = long.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unit = s.AsSpan(unitStart, i - unitStart);
            var index = nextUnit;
            while (index < Units.Length && !unit.SequenceEqual(Units[index].Unit))
            {
                index++;
            }

            if (index == Units.Length)
            {
                return false;
            }

            nextUnit = index + 1;
            try
            {
                total = checked(total + (Units[index].Length * number));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        duration = total;
        return true;
    }

    /// <summary>The shortest Prometheus notation, e.g. <c>1m30s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        var rest = duration;
        foreach (var (unit, length) in Units)
        {
            if (unit is "y" or "w")
            {
                continue;
            }

            var count = rest.Ticks / length.Ticks;
            if (count > 0)
            {
                builder.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                rest -= length * count;
            }
        }

        return builder.Length == 0 ? "0s" : builder.ToString();
    }
}
