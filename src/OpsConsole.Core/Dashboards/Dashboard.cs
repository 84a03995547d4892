using System.Text.Json.Serialization;

namespace OpsConsole.Core.Dashboards;

/// <summary>
/// A dashboard: a JSON document (see dashboards/*.json and <see cref="DashboardJson"/>) with variables, a default
/// time range, a refresh mode and rows of panels placed on a 24-column grid.
/// </summary>
public sealed record Dashboard
{
    /// <summary>The version of this document format.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>Stable id used in URLs (<c>/dashboards/{uid}</c>): lower-case letters, digits, <c>-</c> and <c>_</c>.</summary>
    public string Uid { get; init; } = "";

    public string Title { get; init; } = "";

    public string? Description { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The range shown when no other is asked for.</summary>
    public DashboardTime Time { get; init; } = new();

    /// <summary><c>live</c> (server pushes new points as they arrive) or <c>off</c>.</summary>
    public string Refresh { get; init; } = "live";

    public IReadOnlyList<DashboardVariable> Variables { get; init; } = [];

    public IReadOnlyList<DashboardRow> Rows { get; init; } = [];

    [JsonIgnore]
    public IEnumerable<DashboardPanel> Panels => Rows.SelectMany(r => r.Panels);

    [JsonIgnore]
    public bool IsLive => string.Equals(Refresh, "live", StringComparison.Ordinal);
}

/// <summary>A relative range: <c>from</c> is <c>now-&lt;duration&gt;</c> (e.g. <c>now-1h</c>), <c>to</c> is <c>now</c>.</summary>
public sealed record DashboardTime
{
    public string From { get; init; } = "now-1h";

    public string To { get; init; } = "now";
}

/// <summary>A titled group of panels; each panel's <see cref="GridPos"/> is relative to its row.</summary>
public sealed record DashboardRow
{
    public string? Title { get; init; }

    public IReadOnlyList<DashboardPanel> Panels { get; init; } = [];
}

/// <summary>
/// A variable the queries refer to as <c>$name</c> or <c>${name}</c>. Types: <c>tenant</c> (the tenants seen in the
/// data; fixed to their own for a tenant's users), <c>query</c> (<c>label_values(metric, label)</c> or
/// <c>label_values(label)</c>), <c>custom</c> (the listed <see cref="Options"/>) and <c>constant</c>.
/// </summary>
public sealed record DashboardVariable
{
    public string Name { get; init; } = "";

    public string? Label { get; init; }

    public string Type { get; init; } = "custom";

    /// <summary>For <c>query</c> variables.</summary>
    public string? Query { get; init; }

    /// <summary>For <c>custom</c> variables; for <c>constant</c> the single value.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>The value selected when the URL names none (the first option, or All, when unset).</summary>
    public string? Default { get; init; }

    /// <summary>Whether "All" can be chosen; it is interpolated as <see cref="AllValue"/>.</summary>
    public bool IncludeAll { get; init; }

    /// <summary>What "All" becomes in a query: a regular expression for <c>=~</c> matchers, <c>.*</c> by default.</summary>
    public string AllValue { get; init; } = ".*";
}

/// <summary>Where a panel sits: columns 0–23 (<see cref="X"/>, width <see cref="W"/>) and rows of 30 px (<see cref="Y"/>, height <see cref="H"/>).</summary>
public sealed record GridPos(int X, int Y, int W, int H);

/// <summary>One PromQL query of a panel and how its series are named (<c>{{label}}</c> templates).</summary>
public sealed record PanelTarget
{
    public string Expr { get; init; } = "";

    public string? LegendFormat { get; init; }

    public string? RefId { get; init; }
}

/// <summary>From <see cref="Value"/> upwards (null: from minus infinity) a value shows in <see cref="Color"/>.</summary>
public sealed record PanelThreshold(double? Value, string Color);

/// <summary>Per-type options; each panel type reads the ones that apply to it.</summary>
public sealed record PanelOptions
{
    /// <summary>Time series: <c>line</c> (default), <c>area</c>.</summary>
    public string? Style { get; init; }

    public bool Stacked { get; init; }

    /// <summary>Bar: horizontal bars (the default for rankings).</summary>
    public bool Horizontal { get; init; }

    /// <summary>Bar, pie, table: how many rows at most (largest values first).</summary>
    public int? Limit { get; init; }

    /// <summary>Stat: <c>last</c> (the value at the end of the range, default), <c>mean</c>, <c>max</c>, <c>min</c>.</summary>
    public string? Reduce { get; init; }

    /// <summary>Stat: draw the range as a small area chart under the value.</summary>
    public bool Sparkline { get; init; }

    /// <summary>Pie: a ring instead of a full pie (default true).</summary>
    public bool Donut { get; init; } = true;

    /// <summary>Table: the label columns to show, in order (default: every label that differs between rows).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Time series: draw the thresholds as horizontal lines.</summary>
    public bool ThresholdLines { get; init; }
}

/// <summary>
/// A panel: <see cref="Type"/> is one of <c>timeseries</c>, <c>stat</c>, <c>gauge</c>, <c>bar</c>, <c>pie</c>,
/// <c>table</c>, <c>heatmap</c>, <c>text</c>. Queries (<see cref="Targets"/>) are PromQL with variables.
/// </summary>
public sealed record DashboardPanel
{
    /// <summary>Unique within the dashboard; generated from the title when not given.</summary>
    public string? Id { get; init; }

    public string Title { get; init; } = "";

    public string Type { get; init; } = "";

    public string? Description { get; init; }

    public GridPos GridPos { get; init; } = new(0, 0, 6, 4);

    public IReadOnlyList<PanelTarget> Targets { get; init; } = [];

    /// <summary>A unit of the UI's formatter: <c>reqps</c>, <c>s</c>, <c>ms</c>, <c>bytes</c>, <c>percent</c>, <c>percentunit</c>, <c>currencyUSD</c>, … or free text.</summary>
    public string? Unit { get; init; }

    public int? Decimals { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public IReadOnlyList<PanelThreshold> Thresholds { get; init; } = [];

    public PanelOptions Options { get; init; } = new();

    /// <summary>Text panels: plain text, paragraphs separated by blank lines.</summary>
    public string? Content { get; init; }

    [JsonIgnore]
    public PanelType Kind => PanelTypes.Parse(Type) ?? PanelType.Text;
}

public enum PanelType
{
    TimeSeries,
    Stat,
    Gauge,
    Bar,
    Pie,
    Table,
    Heatmap,
    Text,
}

public static class PanelTypes
{
    public static IReadOnlyList<string> Names { get; } = ["timeseries", "stat", "gauge", "bar", "pie", "table", "heatmap", "text"];

    public static PanelType? Parse(string? name) => name switch
    {
        "timeseries" => PanelType.TimeSeries,
        "stat" => PanelType.Stat,
        "gauge" => PanelType.Gauge,
        "bar" => PanelType.Bar,
        "pie" => PanelType.Pie,
        "table" => PanelType.Table,
        "heatmap" => PanelType.Heatmap,
        "text" => PanelType.Text,
        _ => null,
    };
}
