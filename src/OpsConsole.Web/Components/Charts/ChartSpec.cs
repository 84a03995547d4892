using System.Text.Json.Serialization;

namespace OpsConsole.Web.Components.Charts;

/// <summary>What <see cref="OcChart"/> draws.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChartKind>))]
public enum ChartKind
{
    [JsonStringEnumMemberName("line")] Line,
    [JsonStringEnumMemberName("area")] Area,
    [JsonStringEnumMemberName("bar")] Bar,
    [JsonStringEnumMemberName("donut")] Donut,
    [JsonStringEnumMemberName("pie")] Pie,
    [JsonStringEnumMemberName("heatmap")] Heatmap,
}

/// <summary>One point of a time series: Unix milliseconds and a value (null draws a gap).</summary>
public readonly record struct ChartPoint(long X, double? Y)
{
    /// <summary>A point whose NaN or infinite value becomes a gap (JSON has no NaN).</summary>
    public static ChartPoint Of(long x, double y) => new(x, double.IsFinite(y) ? y : null);
}

/// <summary>
/// A series: <see cref="Points"/> for time series and heatmaps, or <see cref="Values"/> (one per category) for bar,
/// donut and pie charts.
/// </summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint>? Points = null, IReadOnlyList<double?>? Values = null);

/// <summary>A horizontal line at a value (a threshold or an SLO target).</summary>
public sealed record ChartThreshold(double Value, string Color, string? Label = null);

/// <summary>A moment or a stretch of time marked on a time series (an alert firing, a deploy).</summary>
public sealed record ChartAnnotation(long X, string Label, string Color, long? X2 = null);

/// <summary>Everything a chart shows. Serialized with the web defaults (camelCase) and read by wwwroot/js/oc-chart.js.</summary>
public sealed record ChartSpec
{
    public ChartKind Kind { get; init; } = ChartKind.Line;

    public IReadOnlyList<ChartSeries> Series { get; init; } = [];

    /// <summary>Bar, donut and pie: the category of each value.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>A unit name of <see cref="UnitFormatter"/> (<c>reqps</c>, <c>s</c>, <c>bytes</c>, <c>percent</c>, <c>currencyUSD</c>, …).</summary>
    public string? Unit { get; init; }

    public int? Decimals { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>Time series: the range shown, Unix milliseconds.</summary>
    public long? XMin { get; init; }

    public long? XMax { get; init; }

    public IReadOnlyList<ChartThreshold> Thresholds { get; init; } = [];

    public IReadOnlyList<ChartAnnotation> Annotations { get; init; } = [];

    public IReadOnlyList<string>? Colors { get; init; }

    public bool Horizontal { get; init; }

    public bool Stacked { get; init; }

    public bool Legend { get; init; } = true;

    public int Height { get; init; } = 240;

    public bool Dark { get; init; }

    /// <summary>A small chart without axes, legend or toolbar (under a stat's value).</summary>
    public bool Sparkline { get; init; }

    [JsonIgnore]
    public bool IsTimeSeries => Kind is ChartKind.Line or ChartKind.Area or ChartKind.Heatmap;
}

/// <summary>A new point for the series named <see cref="Series"/> (a series not drawn yet is added).</summary>
public readonly record struct ChartAppendPoint(string Series, long X, double? Y)
{
    public static ChartAppendPoint Of(string series, long x, double y) => new(series, x, double.IsFinite(y) ? y : null);
}

/// <summary>
/// What <see cref="OcChart.AppendAsync"/> sends: the new points and the window after them. Points drawn at or after
/// <see cref="ReplaceFrom"/> are dropped first (the newest step, re-evaluated, comes again).
/// </summary>
public sealed record ChartAppend(IReadOnlyList<ChartAppendPoint> Points, long? XMin, long? XMax, long? ReplaceFrom = null);

/// <summary>A range the user selected on a time series, Unix milliseconds.</summary>
public readonly record struct ChartRange(long FromMs, long ToMs);
