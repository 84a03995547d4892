using System.Globalization;

namespace OpsConsole.Core.Storage.Traces;

/// <summary>
/// Durations as people type them in a trace search: a number and a unit — <c>250ms</c>, <c>1.5s</c>, <c>2m</c>,
/// <c>1h</c>, <c>7d</c>, <c>800us</c> (or <c>µs</c>), <c>120ns</c>; a bare number is milliseconds. Negative, empty and
/// non-finite values are refused.
/// </summary>
public static class TraceDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour), ("d", TimeSpan.TicksPerDay),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            return false;
        }

        var end = t.Length;
        while (end > 0 && char.IsLetter(t[end - 1]))
        {
            end--;
        }

        var unit = t[end..];
        var ticksPerUnit = (double)TimeSpan.TicksPerMillisecond;
        if (unit.Length > 0)
        {
            var found = Array.FindIndex(Units, u => u.Unit == unit);
            if (found < 0)
            {
                return false;
            }

            ticksPerUnit = Units[found].Ticks;
        }

        if (!double.TryParse(t.AsSpan(0, end).Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || !double.IsFinite(number))
        {
            return false;
        }

        var ticks = number * ticksPerUnit;
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    /// <summary>The shortest readable form: <c>250ms</c>, <c>1.5s</c>, <c>2m</c>.</summary>
    public static string Format(TimeSpan d) => d.Ticks switch
    {
        0 => "0ms",
        _ when d.Ticks % TimeSpan.TicksPerDay == 0 => (d.Ticks / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d",
        _ when d.Ticks % TimeSpan.TicksPerHour == 0 => (d.Ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h",
        _ when d.Ticks % TimeSpan.TicksPerMinute == 0 => (d.Ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m",
        _ when d.Ticks >= TimeSpan.TicksPerSecond => d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s",
        _ when d.Ticks >= TimeSpan.TicksPerMillisecond => d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms",
        _ => (d.Ticks / 10.0).ToString("0.#", CultureInfo.InvariantCulture) + "us",
    };
}
