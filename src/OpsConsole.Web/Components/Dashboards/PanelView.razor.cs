using System.Globalization;
using Microsoft.AspNetCore.Components;
using OpsConsole.Core.Dashboards;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Shared;
using OpsConsole.Web.Dashboards;

namespace OpsConsole.Web.Components.Dashboards;

/// <summary>
/// One dashboard panel: a loading skeleton until its result arrives, then the stat, gauge, table or chart, or the
/// empty state ("No data for this query in this range") or the query's error. Takes live updates: new points go to
/// the chart through <see cref="OcChart.AppendAsync"/>; new instant values redraw only this panel.
/// </summary>
public sealed partial class PanelView : ILivePanel
{
    /// <summary>The column that shows the legend name when the table lists no label columns.</summary>
    public const string NameColumn = "Name";

    private PanelResult? _result;
    private PanelResult? _given;
    private QueryWindow? _window;
    private ChartSpec? _spec;
    private bool _specDark;
    private IReadOnlyList<OpsConsole.Core.Alerting.Alert>? _alerts;
    private OcChart? _chart;

    private static readonly MarkupString InfoIcon = SvgIcon.Decorative(MudBlazor.Icons.Material.Outlined.Info, "mud-icon-size-small mud-secondary-text");
    private static readonly MarkupString EmptyIcon = SvgIcon.Decorative(MudBlazor.Icons.Material.Outlined.QueryStats, "mud-icon-size-medium mud-secondary-text");

    [Parameter, EditorRequired] public DashboardPanel Panel { get; set; } = default!;

    /// <summary>The panel's result; null while it loads.</summary>
    [Parameter] public PanelResult? Result { get; set; }

    [Parameter, EditorRequired] public QueryWindow Window { get; set; } = default!;

    /// <summary>A range selected on a time series chart.</summary>
    [Parameter] public EventCallback<ChartRange> OnZoom { get; set; }

    /// <summary>Alerts whose firing periods a time series marks (see <see cref="AlertAnnotations"/>).</summary>
    [Parameter] public IReadOnlyList<OpsConsole.Core.Alerting.Alert>? Alerts { get; set; }

    /// <summary>The viewer's tenant: only that tenant's alerts are marked (null: every tenant's).</summary>
    [Parameter] public string? TenantId { get; set; }

    /// <summary>The alert annotations on the chart (time series only).</summary>
    public IReadOnlyList<ChartAnnotation> Annotations => _spec?.Annotations ?? [];

    [CascadingParameter] public ThemeState? Theme { get; set; }

    /// <summary>What the panel shows: loading, error, empty or data (for tests and the e2e journey).</summary>
    public string State => Panel.Kind == PanelType.Text ? "data" : _result is null ? "loading" : _result.Error is not null ? "error" : IsEmpty ? "empty" : "data";

    /// <summary>The chart drawn (null for stats without sparkline, gauges, tables and text).</summary>
    public OcChart? Chart => _chart;

    private bool Dark => Theme?.Dark ?? false;

    private string HeadingId => "panel-" + Panel.Id;

    private string PanelClass => Panel.GridPos.W > 12 ? "oc-panel oc-panel-wide" : "oc-panel";

    private string GridStyle => string.Create(CultureInfo.InvariantCulture,
        $"--oc-x: {Panel.GridPos.X + 1}; --oc-y: {Panel.GridPos.Y + 1}; --oc-w: {Panel.GridPos.W}; --oc-h: {Panel.GridPos.H}");

    private bool IsEmpty => _result is { } r && (Panel.Kind switch
    {
        PanelType.Stat or PanelType.Gauge => r.Value is null,
        PanelType.TimeSeries or PanelType.Heatmap => r.Series.All(s => s.Points.Count == 0),
        PanelType.Text => false,
        _ => r.Rows.Count == 0,
    });

    private string? ValueColor => PanelStyle.ThresholdColor(Panel.Thresholds, _result?.Value);

    private string ValueCss => ValueColor is { } c ? PanelStyle.Css(c) : "var(--mud-palette-primary)";

    private string? ValueStyle => ValueColor is { } c ? $"color: {PanelStyle.Css(c)}" : null;

    private string FormattedValue => _result?.Value is { } v ? UnitFormatter.Format(v, Panel.Unit, Panel.Decimals) : "–";

    private double GaugeMin => Panel.Min ?? 0;

    private double GaugeMax => Panel.Max ?? 100;

    private double GaugeFraction => _result?.Value is { } v && double.IsFinite(v) && GaugeMax > GaugeMin
        ? Math.Clamp((v - GaugeMin) / (GaugeMax - GaugeMin), 0, 1)
        : 0;

    /// <summary>The value arc: from the left end of the half circle, clockwise, over <see cref="GaugeFraction"/> of it.</summary>
    private string GaugeArc
    {
        get
        {
            var angle = Math.PI * (1 - GaugeFraction);
            var x = 100 + (80 * Math.Cos(angle));
            var y = 100 - (80 * Math.Sin(angle));
            return string.Create(CultureInfo.InvariantCulture, $"M 20 100 A 80 80 0 0 1 {x:0.##} {y:0.##}");
        }
    }

    private IReadOnlyList<string> Columns
    {
        get
        {
            if (Panel.Options.Columns is { Count: > 0 } configured)
            {
                return configured;
            }

            var rows = _result?.Rows ?? [];
            var varying = rows.SelectMany(r => r.Labels.Labels.Select(l => l.Key)).Where(k => k != Domain.Telemetry.LabelSet.MetricName)
                .Distinct(StringComparer.Ordinal)
                .Where(k => rows.Select(r => r.Labels.Get(k)).Distinct(StringComparer.Ordinal).Skip(1).Any())
                .Order(StringComparer.Ordinal).ToList();
            return Panel.Targets.Any(t => t.LegendFormat is not null) || varying.Count == 0 ? [NameColumn] : varying;
        }
    }

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(_given, Result) || !ReferenceEquals(_window, Window) || !ReferenceEquals(_alerts, Alerts))
        {
            _alerts = Alerts;
            _given = Result;
            _result = Result;
            _window = Window;
            _spec = BuildSpec();
        }
        else if (_spec is not null && _specDark != Dark)
        {
            _spec = BuildSpec(); // OcChart follows the theme by itself; the spec stays in step for the next redraw
        }
    }

    private ChartSpec? BuildSpec()
    {
        _specDark = Dark;
        if (_result is null || _result.Error is not null || _window is null)
        {
            return null;
        }

        return Panel.Kind switch
        {
            PanelType.TimeSeries => PanelStyle.Chart(Panel, _result, _window, Dark) with
            {
                Annotations = _alerts is null ? [] : AlertAnnotations.For(_alerts, _window, TenantId, Dark),
            },
            PanelType.Heatmap or PanelType.Bar or PanelType.Pie => PanelStyle.Chart(Panel, _result, _window, Dark),
            PanelType.Stat when Panel.Options.Sparkline => PanelStyle.Chart(Panel, _result, _window, Dark),
            _ => null,
        };
    }

    /// <inheritdoc />
    public Task AppendAsync(LiveAppend update) => InvokeAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_chart is not null && _result is not null && !IsEmpty)
        {
            await _chart.AppendAsync(PanelStyle.Append(update));
            return;
        }

        // Nothing drawn yet (the panel was empty): draw the new points as the panel's first data.
        if (update.Series.Any(s => s.Points.Count > 0) && _result is { Error: null } r && Panel.Kind is PanelType.TimeSeries or PanelType.Heatmap)
        {
            _result = r with { Series = update.Series };
            _window = Window with { FromMs = update.XMinMs, ToMs = update.XMaxMs };
            _spec = BuildSpec();
            StateHasChanged();
        }
    });

    /// <inheritdoc />
    public Task UpdateAsync(PanelResult result, QueryWindow window) => InvokeAsync(() =>
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Panel.Kind == PanelType.Stat && _result is not null && result.Error is null)
        {
            // Keep the sparkline's series (it takes appends); only the value changes.
            _result = result with { Series = _result.Series };
            StateHasChanged();
            return;
        }

        _result = result;
        if (Panel.Kind is PanelType.Bar or PanelType.Pie)
        {
            _window = window;
            _spec = BuildSpec();
        }

        StateHasChanged();
    });

    private string? CellStyle(double value) =>
        PanelStyle.ThresholdColor(Panel.Thresholds, value) is { } c ? $"color: {PanelStyle.Css(c)}" : null;

    private static IEnumerable<string> Paragraphs(string? content) =>
        (content ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
