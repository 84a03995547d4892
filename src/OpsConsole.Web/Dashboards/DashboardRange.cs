using System.Globalization;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Query.PromQl;

namespace OpsConsole.Web.Dashboards;

/// <summary>
/// The time range in a dashboard's URL: relative (<c>from=now-6h&amp;to=now</c>, which follows the clock and can be
/// live) or absolute (<c>from</c> and <c>to</c> in Unix milliseconds, e.g. after zooming into a chart).
/// </summary>
public sealed record DashboardRange(string From, string To)
{
    /// <summary>The longest range a dashboard may show.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(31);

    /// <summary>For relative ranges, how far back from now.</summary>
    public TimeSpan? Relative => DashboardValidator.ParseRelative(From) is { } ms && To == "now" ? TimeSpan.FromMilliseconds(ms) : null;

    public bool IsRelative => Relative is not null;

    /// <summary>Parses the URL's <c>from</c> and <c>to</c>; null with <paramref name="error"/> saying why when they do not make a range.</summary>
    public static DashboardRange? TryParse(string? from, string? to, out string? error)
    {
        error = null;
        to ??= "now";
        if (from is null)
        {
            error = "the range has no start (from)";
            return null;
        }

        if (DashboardValidator.ParseRelative(from) is { } back)
        {
            if (to != "now")
            {
                error = $"a relative start ({from}) needs to=now, not '{to}'";
                return null;
            }

            if (back > MaxSpan.TotalMilliseconds)
            {
                error = $"{from} is longer than the longest range, {MaxSpan.TotalDays:0} days";
                return null;
            }

            return new DashboardRange(from, "now");
        }

        if (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var fromMs))
        {
            error = $"from '{from}' is neither now-<duration> (e.g. now-6h) nor a time in Unix milliseconds";
            return null;
        }

        if (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var toMs))
        {
            error = $"to '{to}' must be a time in Unix milliseconds when from is one";
            return null;
        }

        if (toMs <= fromMs)
        {
            error = "the range ends before it starts";
            return null;
        }

        if (toMs - fromMs > MaxSpan.TotalMilliseconds)
        {
            error = $"the range is longer than {MaxSpan.TotalDays:0} days";
            return null;
        }

        return new DashboardRange(from, to);
    }

    public static DashboardRange Absolute(long fromMs, long toMs) =>
        new(fromMs.ToString(CultureInfo.InvariantCulture), toMs.ToString(CultureInfo.InvariantCulture));

    /// <summary>The window to evaluate: relative ranges end at now (aligned to the step), absolute ones where they say.</summary>
    public QueryWindow Window(long nowMs, int points = 240)
    {
        if (Relative is { } back)
        {
            return QueryWindow.Ending(nowMs, back, points);
        }

        var from = long.Parse(From, CultureInfo.InvariantCulture);
        var to = long.Parse(To, CultureInfo.InvariantCulture);
        return new QueryWindow(from, to, QueryWindow.StepFor(to - from, points));
    }

    /// <summary>What the range picker shows: "Last 6 hours" or the two times.</summary>
    public string Describe()
    {
        if (Relative is { } back)
        {
            var text = PromQlDuration.Format((long)back.TotalMilliseconds);
            return text switch
            {
                "5m" => "Last 5 minutes",
                "15m" => "Last 15 minutes",
                "1h" => "Last 1 hour",
                "6h" => "Last 6 hours",
                "1d" => "Last 24 hours",
                "7d" or "1w" => "Last 7 days",
                _ => $"Last {text}",
            };
        }

        var f = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(From, CultureInfo.InvariantCulture));
        var t = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(To, CultureInfo.InvariantCulture));
        return string.Create(CultureInfo.InvariantCulture, $"{f:MMM d HH:mm:ss} – {t:MMM d HH:mm:ss} UTC");
    }
}
