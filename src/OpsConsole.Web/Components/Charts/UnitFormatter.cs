using System.Globalization;

namespace OpsConsole.Web.Components.Charts;

/// <summary>
/// Numbers with units, formatted for people: <c>1.2k req/s</c>, <c>350 ms</c>, <c>2.1 GB</c>, <c>$1,204</c>,
/// <c>99.9 %</c>. wwwroot/js/oc-chart.js mirrors these rules for chart axes and tooltips (a test runs both over
/// the same cases). Units: <c>short</c> (the default; k, M, B, T), <c>reqps</c>, <c>ops</c> (per second),
/// <c>s</c>, <c>ms</c>, <c>us</c>, <c>ns</c> (durations, scaled from ns up to days), <c>bytes</c> (1024-based),
/// <c>percent</c> (0–100), <c>percentunit</c> (0–1), <c>currencyUSD</c>; any other text is a suffix after a short
/// number (<c>1.2k tokens</c>). <c>decimals</c> fixes the digits after the point; without it they follow the size.
/// </summary>
public static class UnitFormatter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly string[] ShortSuffixes = ["", "k", "M", "B", "T"];
    private static readonly string[] ByteSuffixes = ["B", "KB", "MB", "GB", "TB", "PB"];

    // Seconds per unit, largest first, for durations.
    private static readonly (double Seconds, string Suffix)[] DurationSteps =
    [
        (86_400, "d"), (3_600, "h"), (60, "min"), (1, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"),
    ];

    /// <summary>The units this formatter knows by name (others are printed as a suffix).</summary>
    public static IReadOnlyList<string> KnownUnits { get; } =
        ["short", "none", "reqps", "ops", "s", "ms", "us", "ns", "bytes", "percent", "percentunit", "currencyUSD"];

    public static string Format(double value, string? unit, int? decimals = null)
    {
        if (decimals is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(decimals), decimals, "decimals must be between 0 and 10");
        }

        if (double.IsNaN(value))
        {
            return "–";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "∞" : "-∞";
        }

        switch (Canonical(unit))
        {
            case "short":
                return Short(value, decimals);
            case "reqps":
                return Short(value, decimals) + " req/s";
            case "ops":
                return Short(value, decimals) + "/s";
            case "s":
                return Duration(value, decimals);
            case "ms":
                return Duration(value / 1e3, decimals);
            case "us":
                return Duration(value / 1e6, decimals);
            case "ns":
                return Duration(value / 1e9, decimals);
            case "bytes":
                return Bytes(value, decimals);
            case "percent":
                return Percent(value, decimals);
            case "percentunit":
                return Percent(value * 100, decimals);
            case "currencyUSD":
                return Dollars(value, decimals);
            default:
                return Short(value, decimals) + " " + unit!.Trim();
        }
    }

    /// <summary>The canonical name of <paramref name="unit"/> (aliases such as <c>%</c>, <c>$</c> or <c>req/s</c> map to it), or null for a free-text suffix.</summary>
    public static string? Canonical(string? unit) => unit?.Trim() switch
    {
        null or "" or "short" or "none" => "short",
        "reqps" or "req/s" => "reqps",
        "ops" or "/s" => "ops",
        "s" => "s",
        "ms" => "ms",
        "us" or "µs" => "us",
        "ns" => "ns",
        "bytes" or "decbytes" => "bytes",
        "percent" or "%" => "percent",
        "percentunit" => "percentunit",
        "currencyUSD" or "$" or "usd" or "USD" => "currencyUSD",
        _ => null,
    };

    private static string Short(double value, int? decimals)
    {
        var abs = Math.Abs(value);
        if (abs < 1000)
        {
            return Number(value, decimals ?? AutoDecimals(abs), trim: decimals is null);
        }

        var step = 0;
        var scaled = value;
        while (Math.Abs(scaled) >= 1000 && step < ShortSuffixes.Length - 1)
        {
            scaled /= 1000;
            step++;
        }

        var digits = decimals ?? (Math.Abs(scaled) >= 100 ? 0 : 1);
        // 999,960 is "1M", not "1000k".
        if (Math.Abs(Math.Round(scaled, digits)) >= 1000 && step < ShortSuffixes.Length - 1)
        {
            scaled /= 1000;
            step++;
            digits = decimals ?? 1;
        }

        return Number(scaled, digits, trim: decimals is null) + ShortSuffixes[step];
    }

    private static string Duration(double seconds, int? decimals)
    {
        var abs = Math.Abs(seconds);
        if (abs == 0)
        {
            return decimals is { } d ? Number(0, d, trim: false) + " s" : "0 s";
        }

        var index = DurationSteps.Length - 1;
        for (var i = 0; i < DurationSteps.Length; i++)
        {
            if (abs >= DurationSteps[i].Seconds)
            {
                index = i;
                break;
            }
        }

        var scaled = seconds / DurationSteps[index].Seconds;
        var digits = decimals ?? AutoDecimals(Math.Abs(scaled));
        // 999.7 ms is "1 s", not "1000 ms"; 59.99 s is "1 min".
        if (index > 0 && Math.Abs(Math.Round(scaled, digits)) * DurationSteps[index].Seconds >= DurationSteps[index - 1].Seconds)
        {
            index--;
            scaled = seconds / DurationSteps[index].Seconds;
            digits = decimals ?? AutoDecimals(Math.Abs(scaled));
        }

        return Number(scaled, digits, trim: decimals is null) + " " + DurationSteps[index].Suffix;
    }

    private static string Bytes(double value, int? decimals)
    {
        var step = 0;
        var scaled = value;
        while (Math.Abs(scaled) >= 1024 && step < ByteSuffixes.Length - 1)
        {
            scaled /= 1024;
            step++;
        }

        var digits = decimals ?? (step == 0 ? 0 : 1);
        return Number(scaled, digits, trim: false) + " " + ByteSuffixes[step];
    }

    private static string Percent(double percent, int? decimals)
    {
        var abs = Math.Abs(percent);
        var digits = decimals ?? (abs >= 100 ? 0 : abs >= 1 ? 2 : 3);
        return Number(percent, digits, trim: decimals is null) + " %";
    }

    private static string Dollars(double value, int? decimals)
    {
        var abs = Math.Abs(value);
        var sign = value < 0 ? "-" : "";
        if (abs >= 1e6)
        {
            return sign + "$" + Short(abs, decimals);
        }

        var digits = decimals ?? (abs >= 1000 ? 0 : 2);
        return sign + "$" + Math.Round(abs, digits, MidpointRounding.AwayFromZero).ToString("N" + digits.ToString(Invariant), Invariant);
    }

    /// <summary>Digits after the point when none are given: three significant digits or so, never more than 3.</summary>
    private static int AutoDecimals(double abs) => abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;

    private static string Number(double value, int digits, bool trim)
    {
        var rounded = Math.Round(value, digits, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            rounded = 0; // no "-0"
        }

        var text = rounded.ToString("F" + digits.ToString(Invariant), Invariant);
        if (trim && digits > 0)
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text;
    }
}
