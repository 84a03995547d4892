using OpsConsole.Core.Dashboards;
using OpsConsole.Web.Components.Charts;

namespace OpsConsole.Web.Dashboards;

/// <summary>Colours and chart specs for panels: threshold colour names mapped to the console's theme.</summary>
public static class PanelStyle
{
    /// <summary>Height of one grid row and the gap between cells, in pixels (the grid in app.css uses the same).</summary>
    public const int RowHeightPx = 30;
    public const int GapPx = 8;

    /// <summary>Panel header and padding, in pixels.</summary>
    public const int ChromePx = 56;

    public static int PanelHeightPx(GridPos g) => (g.H * RowHeightPx) + ((g.H - 1) * GapPx);

    public static int ChartHeightPx(GridPos g) => Math.Max(80, PanelHeightPx(g) - ChromePx);

    /// <summary>The threshold colour for <paramref name="value"/>: the last threshold at or below it (the first one's when below all), or null without thresholds.</summary>
    public static string? ThresholdColor(IReadOnlyList<PanelThreshold> thresholds, double? value)
    {
        if (thresholds.Count == 0 || value is not { } v || double.IsNaN(v))
        {
            return null;
        }

        string? color = thresholds[0].Color;
        foreach (var t in thresholds)
        {
            if (t.Value is null || v >= t.Value)
            {
                color = t.Color;
            }
        }

        return color;
    }

    /// <summary>A colour for CSS: the theme's variable for names (so both themes keep their contrast), hex as is.</summary>
    public static string Css(string color) => color switch
    {
        "green" => "var(--mud-palette-success)",
        "yellow" or "orange" => "var(--mud-palette-warning)",
        "red" => "var(--mud-palette-error)",
        "blue" => "var(--mud-palette-info)",
        "purple" => "var(--mud-palette-primary)",
        "grey" => "var(--mud-palette-secondary)",
        "text" => "var(--mud-palette-text-primary)",
        _ => color,
    };

    /// <summary>A colour for charts (which need a literal): the theme's status colours, per mode.</summary>
    public static string Hex(string color, bool dark) => color switch
    {
        "green" => dark ? "#4cc38a" : "#1b7f3b",
        "yellow" or "orange" => dark ? "#f0b429" : "#9a5b00",
        "red" => dark ? "#ff6b6b" : "#c62828",
        "blue" => dark ? "#5cc8ff" : "#0b6aa2",
        "purple" => dark ? "#c084fc" : "#7e22ce",
        "grey" => dark ? "#aab4c8" : "#5b6478",
        "text" => dark ? "#e5e7eb" : "#111827",
        _ => color,
    };

    /// <summary>The chart for a time series, heatmap, bar or pie panel, or a stat's sparkline.</summary>
    public static ChartSpec Chart(DashboardPanel panel, PanelResult result, QueryWindow window, bool dark)
    {
        var g = panel.GridPos;
        var baseSpec = new ChartSpec
        {
            Unit = panel.Unit,
            Decimals = panel.Decimals,
            Min = panel.Min,
            Max = panel.Max,
            Height = ChartHeightPx(g),
            Dark = dark,
        };
        switch (panel.Kind)
        {
            case PanelType.TimeSeries:
            case PanelType.Heatmap:
                return baseSpec with
                {
                    Kind = panel.Kind == PanelType.Heatmap ? ChartKind.Heatmap : panel.Options.Style == "area" ? ChartKind.Area : ChartKind.Line,
                    Series = TimeSeries(result),
                    XMin = window.ToMs - window.RangeMs,
                    XMax = window.ToMs,
                    Stacked = panel.Options.Stacked,
                    Thresholds = panel.Options.ThresholdLines
                        ? [.. panel.Thresholds.Where(t => t.Value is not null).Select(t => new ChartThreshold(t.Value!.Value, Hex(t.Color, dark), UnitFormatter.Format(t.Value!.Value, panel.Unit, panel.Decimals)))]
                        : [],
                };
            case PanelType.Stat:
                return baseSpec with
                {
                    Kind = ChartKind.Area,
                    Series = TimeSeries(result),
                    XMin = window.ToMs - window.RangeMs,
                    XMax = window.ToMs,
                    Sparkline = true,
                    Legend = false,
                    Min = null,
                    Max = null,
                    Height = 48,
                    Colors = [Hex(ThresholdColor(panel.Thresholds, result.Value) ?? "blue", dark)],
                };
            case PanelType.Bar:
                return baseSpec with
                {
                    Kind = ChartKind.Bar,
                    Horizontal = panel.Options.Horizontal,
                    Categories = [.. result.Rows.Select(r => r.Name)],
                    Series = [new ChartSeries(panel.Title, Values: [.. result.Rows.Select(r => Finite(r.Value))])],
                    Legend = false,
                };
            default:
                return baseSpec with
                {
                    Kind = panel.Options.Donut ? ChartKind.Donut : ChartKind.Pie,
                    Categories = [.. result.Rows.Select(r => r.Name)],
                    Series = [new ChartSeries(panel.Title, Values: [.. result.Rows.Select(r => Finite(r.Value))])],
                };
        }
    }

    /// <summary>Live points for a chart, named as the series drawn.</summary>
    public static ChartAppend Append(LiveAppend update) => new(
        [.. update.Series.SelectMany(s => s.Points.Select(p => ChartAppendPoint.Of(s.Name, p.TimestampMs, p.Value)))],
        update.XMinMs, update.XMaxMs, update.ReplaceFromMs);

    private static List<ChartSeries> TimeSeries(PanelResult result) =>
        [.. result.Series.Select(s => new ChartSeries(s.Name, Points: [.. s.Points.Select(p => ChartPoint.Of(p.TimestampMs, p.Value))]))];

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
