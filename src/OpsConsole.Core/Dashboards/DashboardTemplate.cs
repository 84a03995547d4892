using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Dashboards;

/// <summary>The time a panel's queries are evaluated over: the range, the step between points and the scrape interval.</summary>
public sealed record QueryWindow(long FromMs, long ToMs, long StepMs, long ScrapeIntervalMs = QueryWindow.DefaultScrapeIntervalMs)
{
    public const long DefaultScrapeIntervalMs = 15_000;

    /// <summary>The dashboard's range, which <c>$__range</c> stands for: the window's own length unless a live update narrowed the window.</summary>
    public long RangeMs => DashboardRangeMs ?? ToMs - FromMs;

    /// <summary>Set when the window is a slice of the dashboard's range (live updates evaluate only the newest steps).</summary>
    public long? DashboardRangeMs { get; init; }

    /// <summary>The newest part of this dashboard range, [<paramref name="fromMs"/>, <paramref name="toMs"/>], same step and <c>$__range</c>.</summary>
    public QueryWindow Slice(long fromMs, long toMs) => this with { FromMs = fromMs, ToMs = toMs, DashboardRangeMs = RangeMs };

    /// <summary>A window over the <paramref name="range"/> before <paramref name="toMs"/>, about <paramref name="points"/> points, steps no finer than the scrape interval.</summary>
    public static QueryWindow Ending(long toMs, TimeSpan range, int points = 240, long scrapeIntervalMs = DefaultScrapeIntervalMs)
    {
        var rangeMs = (long)range.TotalMilliseconds;
        var step = StepFor(rangeMs, points, scrapeIntervalMs);
        var end = toMs / step * step;
        return new QueryWindow(end - rangeMs, end, step, scrapeIntervalMs);
    }

    /// <summary>A "nice" step (whole seconds, at least the scrape interval) for about <paramref name="points"/> points.</summary>
    public static long StepFor(long rangeMs, int points, long scrapeIntervalMs = DefaultScrapeIntervalMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        var raw = Math.Max(rangeMs / points, Math.Max(scrapeIntervalMs, 1000));
        long[] nice = [1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];
        foreach (var n in nice)
        {
            if (n >= raw)
            {
                return n;
            }
        }

        return (raw + 86_400_000 - 1) / 86_400_000 * 86_400_000;
    }
}

/// <summary>
/// Variables in queries and <c>{{label}}</c> templates in legends. In a query, <c>$name</c>, <c>${name}</c> and
/// <c>[[name]]</c> become the variable's value (quotes and backslashes escaped, so a value cannot end the string it
/// stands in); the built-ins are <c>$__range</c>, <c>$__range_s</c>, <c>$__range_ms</c>, <c>$__interval</c>,
/// <c>$__interval_ms</c>, <c>$__rate_interval</c> (the larger of step + scrape interval and four scrape intervals,
/// as Grafana) and <c>$__month</c> (the time since the start of this month, UTC).
/// </summary>
public static partial class DashboardTemplate
{
    /// <summary>The names of the built-in variables.</summary>
    public static IReadOnlyList<string> BuiltIns { get; } = ["__range", "__range_s", "__range_ms", "__interval", "__interval_ms", "__rate_interval", "__month"];

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|\[\[(?<name>[A-Za-z_][A-Za-z0-9_]*)\]\]|\$(?<name>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"\{\{\s*(?<label>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex LegendPattern();

    /// <summary>The variable names <paramref name="expr"/> refers to (built-ins included), in order of first use.</summary>
    public static IReadOnlyList<string> ReferencedVariables(string expr) =>
        VariablePattern().Matches(expr).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Replaces variables in <paramref name="expr"/>. <paramref name="values"/> maps a variable's name to its value;
    /// values in <paramref name="raw"/> (such as an "All" regular expression) are inserted unescaped. A name that is
    /// neither a variable nor a built-in stays as written (and the query then fails to parse, naming it).
    /// </summary>
    public static string Interpolate(string expr, IReadOnlyDictionary<string, string> values, QueryWindow window, ISet<string>? raw = null)
    {
        ArgumentNullException.ThrowIfNull(expr);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(window);
        return VariablePattern().Replace(expr, m =>
        {
            var name = m.Groups["name"].Value;
            if (BuiltIn(name, window) is { } builtIn)
            {
                return builtIn;
            }

            if (!values.TryGetValue(name, out var value))
            {
                return m.Value;
            }

            return raw?.Contains(name) == true ? value : Escape(value);
        });
    }

    /// <summary>A series' name from a legend template: <c>{{service}} p95</c> → <c>api-gateway p95</c>; a missing label is empty.</summary>
    public static string Legend(string? format, LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (string.IsNullOrWhiteSpace(format))
        {
            return DefaultName(labels);
        }

        return LegendPattern().Replace(format, m => labels.Get(m.Groups["label"].Value) ?? "");
    }

    /// <summary>Prometheus's way of naming a series: <c>metric{a="1", b="2"}</c>, or <c>{}</c> for none.</summary>
    public static string DefaultName(LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var sb = new StringBuilder(labels.Name ?? "");
        var rest = labels.Labels.Where(l => l.Key != LabelSet.MetricName).ToList();
        if (rest.Count > 0 || labels.Name is null)
        {
            sb.Append('{').AppendJoin(", ", rest.Select(l => $"{l.Key}=\"{l.Value}\"")).Append('}');
        }

        return sb.ToString();
    }

    private static string? BuiltIn(string name, QueryWindow w)
    {
        var range = Math.Max(w.RangeMs, 1000);
        return name switch
        {
            "__range" => PromQlDuration.Format(range / 1000 * 1000),
            "__range_s" => (range / 1000).ToString(CultureInfo.InvariantCulture),
            "__range_ms" => range.ToString(CultureInfo.InvariantCulture),
            "__interval" => PromQlDuration.Format(w.StepMs),
            "__interval_ms" => w.StepMs.ToString(CultureInfo.InvariantCulture),
            "__rate_interval" => PromQlDuration.Format(Math.Max(w.StepMs + w.ScrapeIntervalMs, 4 * w.ScrapeIntervalMs)),
            "__month" => PromQlDuration.Format(Math.Max(60_000, w.ToMs - MonthStart(w.ToMs)) / 1000 * 1000),
            _ => null,
        };
    }

    private static long MonthStart(long ms)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
