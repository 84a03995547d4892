using Bunit;
using OpsConsole.Core.Dashboards;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Dashboards;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Tests.Components;

namespace OpsConsole.Web.Tests.Dashboards;

public sealed class PanelViewTests
{
    private const long End = 1_800_000_000_000;
    private static readonly QueryWindow Window = new(End - 3_600_000, End, 15_000);

    private static readonly PanelThreshold[] Latency = [new(null, "green"), new(1, "yellow"), new(2.5, "red")];

    private static DashboardPanel Panel(string type, string? unit = null, IReadOnlyList<PanelThreshold>? thresholds = null, PanelOptions? options = null) => new()
    {
        Id = "p1",
        Title = "The panel",
        Type = type,
        GridPos = new GridPos(0, 0, 8, 6),
        Targets = [new PanelTarget { Expr = "up" }],
        Unit = unit,
        Thresholds = thresholds ?? [],
        Options = options ?? new PanelOptions(),
    };

    private static (BunitContext Ctx, BunitJSModuleInterop Chart) Context()
    {
        var ctx = ComponentTestContext.Create(Role.Executive);
        var module = ctx.JSInterop.SetupModule(OcChart.ModulePath);
        module.Mode = JSRuntimeMode.Loose;
        return (ctx, module);
    }

    private static IRenderedComponent<PanelView> Render(BunitContext ctx, DashboardPanel panel, PanelResult? result) =>
        ctx.Render<PanelView>(p => p.Add(x => x.Panel, panel).Add(x => x.Result, result).Add(x => x.Window, Window));

    private static PanelSeries Series(string name, params (long T, double V)[] points) =>
        new(name, LabelSet.Empty, [.. points.Select(p => new Sample(p.T, p.V))]);

    [Fact]
    public async Task Panel_WithADescription_OffersItOnHoverAndToTheKeyboardAndScreenReaders()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;
        var panel = Panel("stat", "s") with { Description = "Seconds, 95th percentile of every request" };

        var cut = Render(ctx, panel, new PanelResult { Value = 1, ValueSeries = 1 });

        var info = cut.Find("[data-testid=panel-description]");
        Assert.Equal("Seconds, 95th percentile of every request", info.GetAttribute("data-tip"));
        Assert.Equal("About this panel: Seconds, 95th percentile of every request", info.GetAttribute("aria-label"));
        Assert.Equal("0", info.GetAttribute("tabindex"));
        Assert.Equal("The panel", cut.Find("h3#panel-p1").TextContent);

        var plain = Render(ctx, Panel("stat", "s"), new PanelResult { Value = 1, ValueSeries = 1 });
        Assert.Empty(plain.FindAll("[data-testid=panel-description]"));
    }

    [Theory]
    [InlineData(3.2, "3.2 s", "red", "var(--mud-palette-error)")]
    [InlineData(1.25, "1.25 s", "yellow", "var(--mud-palette-warning)")]
    [InlineData(0.35, "350 ms", "green", "var(--mud-palette-success)")]
    public async Task Stat_ShowsTheValueInItsUnitAndTheColourOfTheThresholdItReached(double value, string text, string color, string css)
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;

        var cut = Render(ctx, Panel("stat", "s", Latency), new PanelResult { Value = value, ValueSeries = 1 });

        var shown = cut.Find("[data-testid=stat-value]");
        Assert.Equal(text, shown.TextContent);
        Assert.Equal(color, shown.GetAttribute("data-color"));
        Assert.Contains(css, shown.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal("data", cut.Find("[data-testid=panel]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task Stat_RequestRate_IsFormattedForPeople()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;

        var cut = Render(ctx, Panel("stat", "reqps"), new PanelResult { Value = 1234, ValueSeries = 3 });

        Assert.Equal("1.2k req/s", cut.Find("[data-testid=stat-value]").TextContent);
        Assert.Null(cut.Find("[data-testid=stat-value]").GetAttribute("data-color"));
        Assert.Contains("The first of 3 series", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Panel_WhileItsQueryRuns_ShowsASkeleton()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;

        var cut = Render(ctx, Panel("timeseries"), result: null);

        Assert.NotNull(cut.Find("[data-testid=panel-loading]"));
        Assert.Equal("loading", cut.Find("[data-testid=panel]").GetAttribute("data-state"));
        Assert.Empty(cut.FindAll("[data-testid=panel-chart]"));
    }

    [Theory]
    [InlineData("stat")]
    [InlineData("gauge")]
    [InlineData("timeseries")]
    [InlineData("bar")]
    [InlineData("table")]
    public async Task Panel_WithoutData_SaysSoInsteadOfDrawingZeros(string type)
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;

        var cut = Render(ctx, Panel(type, "reqps"), new PanelResult { Series = [Series("a")] });

        Assert.Equal("No data for this query in this range", cut.Find("[data-testid=panel-empty]").TextContent.Trim());
        Assert.Equal("empty", cut.Find("[data-testid=panel]").GetAttribute("data-state"));
        Assert.DoesNotContain("0 req/s", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Panel_WhoseQueryFailed_ShowsTheQueryError()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;

        var cut = Render(ctx, Panel("timeseries"), new PanelResult { Error = "A: unexpected \")\" at position 12: expected an expression" });

        var error = cut.Find("[data-testid=panel-error]");
        Assert.Contains("The query failed.", error.TextContent, StringComparison.Ordinal);
        Assert.Contains("A: unexpected \")\" at position 12", error.TextContent, StringComparison.Ordinal);
        Assert.Equal("error", cut.Find("[data-testid=panel]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task Gauge_ShowsValueLimitsAndThresholdColour()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;
        var panel = Panel("gauge", "percent", [new(null, "red"), new(25, "yellow"), new(50, "green")]) with { Min = 0, Max = 100 };

        var cut = Render(ctx, panel, new PanelResult { Value = 37.5, ValueSeries = 1 });

        Assert.Equal("yellow", cut.Find("[data-testid=gauge]").GetAttribute("data-color"));
        Assert.Equal("37.5 %", cut.Find("[data-testid=stat-value]").TextContent);
        Assert.Contains("The panel: 37.5 %", cut.Find("svg").GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Contains("0 %", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("100 %", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_ListsTheRowsWithLabelColumnsAndFormattedValues()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;
        var rows = new[]
        {
            new PanelRow("acme", LabelSet.From(("tenant_id", "acme")), 1204.3),
            new PanelRow("hooli", LabelSet.From(("tenant_id", "hooli")), 3.5),
        };

        var cut = Render(ctx, Panel("table", "currencyUSD", options: new PanelOptions { Columns = ["tenant_id"] }), new PanelResult { Rows = rows });

        Assert.Equal(["tenant_id", "Value"], cut.FindAll("th").Select(th => th.TextContent));
        var cells = cut.FindAll("[data-testid=panel-table-row]").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()).ToList();
        Assert.Equal([["acme", "$1,204"], ["hooli", "$3.50"]], cells);
    }

    [Fact]
    public async Task Heatmap_RowsAreInBucketOrderWithInfOnTop()
    {
        var (ctx, chart) = Context();
        await using var _ctx = ctx;
        string[] buckets = ["+Inf", "0.1", "1", "10", "2.5", "0.25"];
        var result = new PanelResult { Series = [.. buckets.Select(le => Series(le, (End, 1)))] };

        Render(ctx, Panel("heatmap", "reqps"), result);

        var spec = Assert.IsType<ChartSpec>(chart.VerifyInvoke("create").Arguments[2]);
        Assert.Equal(ChartKind.Heatmap, spec.Kind);
        Assert.Equal(["0.1", "0.25", "1", "2.5", "10", "+Inf"], spec.Series.Select(s => s.Name)); // ApexCharts draws the first row at the bottom
    }

    [Fact]
    public async Task TimeSeries_DrawsItsSeriesOnceThenAppendsOnlyTheNewPoints()
    {
        var (ctx, chart) = Context();
        await using var _ctx = ctx;
        var result = new PanelResult { Series = [Series("api", (End - 15_000, 1), (End, 2)), Series("rag", (End, 5))] };
        var cut = Render(ctx, Panel("timeseries", "reqps", options: new PanelOptions { Style = "area" }), result);
        var created = chart.VerifyInvoke("create");
        var spec = Assert.IsType<ChartSpec>(created.Arguments[2]);
        Assert.Equal(ChartKind.Area, spec.Kind);
        Assert.Equal(["api", "rag"], spec.Series.Select(s => s.Name));
        Assert.Equal("reqps", spec.Unit);
        var renders = cut.RenderCount;

        await cut.Instance.AppendAsync(new LiveAppend([Series("api", (End, 2.5), (End + 15_000, 3))], ReplaceFromMs: End, XMinMs: End + 15_000 - 3_600_000, XMaxMs: End + 15_000, IngestedAtMs: End + 14_000));

        var appended = Assert.IsType<ChartAppend>(chart.VerifyInvoke("append").Arguments[1]);
        Assert.Equal([new ChartAppendPoint("api", End, 2.5), new ChartAppendPoint("api", End + 15_000, 3)], appended.Points);
        Assert.Equal(End, appended.ReplaceFrom);
        Assert.Equal(End + 15_000, appended.XMax);
        Assert.Equal(End + 14_000, appended.IngestedAt); // the chart keeps it, for measuring ingest-to-screen delay
        Assert.Single(chart.Invocations["create"]);
        Assert.Empty(chart.Invocations["update"]);
        Assert.Equal(renders, cut.RenderCount); // no re-render of the panel for an append
        Assert.Equal(2, cut.Instance.Chart!.PointsAppended);
    }

    [Fact]
    public async Task TimeSeries_ThatWasEmpty_DrawsTheFirstLivePoints()
    {
        var (ctx, chart) = Context();
        await using var _ctx = ctx;
        var cut = Render(ctx, Panel("timeseries"), new PanelResult { Series = [] });
        Assert.NotNull(cut.Find("[data-testid=panel-empty]"));

        await cut.Instance.AppendAsync(new LiveAppend([Series("api", (End + 15_000, 7))], End, End + 15_000 - 3_600_000, End + 15_000));

        cut.WaitForAssertion(() => Assert.Equal("data", cut.Find("[data-testid=panel]").GetAttribute("data-state")));
        var spec = Assert.IsType<ChartSpec>(chart.VerifyInvoke("create").Arguments[2]);
        Assert.Equal(7, Assert.Single(Assert.Single(spec.Series).Points!).Y);
    }

    [Fact]
    public async Task Stat_LiveUpdate_ChangesTheValueAndItsColour()
    {
        var (ctx, _) = Context();
        await using var _ctx = ctx;
        var cut = Render(ctx, Panel("stat", "s", Latency), new PanelResult { Value = 0.2, ValueSeries = 1 });

        await cut.Instance.UpdateAsync(new PanelResult { Value = 2.7, ValueSeries = 1 }, Window);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("2.7 s", cut.Find("[data-testid=stat-value]").TextContent);
            Assert.Equal("red", cut.Find("[data-testid=stat-value]").GetAttribute("data-color"));
        });
    }

    [Fact]
    public async Task Bar_LiveUpdate_RedrawsTheChartWithTheNewRanking()
    {
        var (ctx, chart) = Context();
        await using var _ctx = ctx;
        var cut = Render(ctx, Panel("bar", "short", options: new PanelOptions { Horizontal = true }), new PanelResult { Rows = [new("acme", LabelSet.Empty, 10), new("globex", LabelSet.Empty, 5)] });
        Assert.Equal(["acme", "globex"], Assert.IsType<ChartSpec>(chart.VerifyInvoke("create").Arguments[2]).Categories);

        await cut.Instance.UpdateAsync(new PanelResult { Rows = [new("globex", LabelSet.Empty, 20), new("acme", LabelSet.Empty, 11)] }, Window);

        cut.WaitForAssertion(() =>
        {
            var spec = Assert.IsType<ChartSpec>(chart.VerifyInvoke("update").Arguments[1]);
            Assert.Equal(["globex", "acme"], spec.Categories);
            Assert.True(spec.Horizontal);
        });
    }
}
