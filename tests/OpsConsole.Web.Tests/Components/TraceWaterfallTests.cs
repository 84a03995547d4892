using System.Diagnostics;
using Bunit;
using OpsConsole.Core.Traces;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Traces;
using Xunit.Abstractions;

namespace OpsConsole.Web.Tests.Components;

public sealed class TraceWaterfallTests(ITestOutputHelper output)
{
    private static Span S(ulong id, ulong parent, string service, int startMs, int endMs, bool error = false, string? name = null) => new()
    {
        TenantId = "acme", TraceId = new TraceId(9, 9), SpanId = new SpanId(id), ParentSpanId = new SpanId(parent), Name = name ?? "op-" + id,
        StartTimeUnixNano = 1_700_000_000_000_000_000UL + ((ulong)startMs * 1_000_000), EndTimeUnixNano = 1_700_000_000_000_000_000UL + ((ulong)endMs * 1_000_000),
        StatusCode = error ? SpanStatusCode.Error : SpanStatusCode.Unset, StatusMessage = error ? "connection reset" : null,
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of(service))]),
    };

    /// <summary>gateway [0,100] → auth [5,30]; rag [20,90] → db [40,80] (error); cache [85,88]. Given out of order.</summary>
    private static TraceTree Sample() => TraceTree.Build(
    [
        S(4, 3, "db", 40, 80, error: true, name: "SELECT chunks"), S(1, 0, "gateway", 0, 100, name: "POST /v1/chat"), S(5, 1, "cache", 85, 88),
        S(3, 1, "rag", 20, 90, name: "rag.query"), S(2, 1, "auth", 5, 30),
    ]);

    private static IRenderedComponent<TraceWaterfall> Render(Bunit.BunitContext ctx, TraceTree tree, bool virtualized = false) =>
        ctx.Render<TraceWaterfall>(p => p.Add(c => c.Tree, tree).Add(c => c.Virtualized, virtualized));

    private static List<(string Span, int Depth)> Rows(IRenderedComponent<TraceWaterfall> cut) =>
        [.. cut.FindAll("[data-testid=span-row]").Select(r => (r.GetAttribute("data-span")!, int.Parse(r.GetAttribute("data-depth")!, System.Globalization.CultureInfo.InvariantCulture)))];

    private static string Id(ulong id) => new SpanId(id).ToString();

    [Fact]
    public async Task Waterfall_ShowsSpansInTreeOrderNestedUnderTheirParents()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);

        var cut = Render(ctx, Sample());

        Assert.Equal([(Id(1), 0), (Id(2), 1), (Id(3), 1), (Id(4), 2), (Id(5), 1)], Rows(cut));
        Assert.Contains("POST /v1/chat", cut.FindAll("[data-testid=span-row]")[0].TextContent);
    }

    [Fact]
    public async Task Waterfall_MarksTheCriticalPathAndErrors()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);

        var cut = Render(ctx, Sample());
        var rows = cut.FindAll("[data-testid=span-row]");

        Assert.Equal(["true", "false", "true", "true", "false"], rows.Select(r => r.GetAttribute("data-critical")));
        Assert.Equal(2, rows[0].QuerySelectorAll("[data-testid=critical-section]").Length); // gateway's own time before rag and after it
        Assert.Empty(rows[1].QuerySelectorAll("[data-testid=critical-section]"));
        var errorRow = Assert.Single(rows, r => r.QuerySelector("[data-testid=error-mark]") is not null);
        Assert.Equal(Id(4), errorRow.GetAttribute("data-span"));
        Assert.Contains("connection reset", errorRow.QuerySelector("[data-testid=error-mark]")!.GetAttribute("title"));
    }

    [Fact]
    public async Task Waterfall_BarsAreToScale()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);

        var cut = Render(ctx, Sample());
        var db = cut.Find($"[data-span='{Id(4)}'] .oc-wf-bar").GetAttribute("style")!;

        Assert.Contains("left:40%", db);
        Assert.Contains("width:40%", db);
    }

    [Fact]
    public async Task Waterfall_CollapseHidesTheSubtree_ExpandShowsItAgain()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        var cut = Render(ctx, Sample());

        await cut.Find($"[data-span='{Id(3)}'] [data-testid=span-toggle]").ClickAsync(new());
        var collapsed = Rows(cut).Select(r => r.Span).ToList();
        await cut.Find($"[data-span='{Id(3)}'] [data-testid=span-toggle]").ClickAsync(new());

        Assert.Equal([Id(1), Id(2), Id(3), Id(5)], collapsed);
        Assert.Equal(5, Rows(cut).Count);
    }

    [Fact]
    public async Task Waterfall_SearchWithinTheTrace_KeepsMatchesAndTheirAncestors()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        var cut = Render(ctx, Sample());

        var field = cut.FindComponent<MudBlazor.MudTextField<string>>();
        await cut.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync("select chunks"));

        cut.WaitForAssertion(() => Assert.Equal([Id(1), Id(3), Id(4)], Rows(cut).Select(r => r.Span)));
        Assert.Contains("1 matching span", cut.Find("[data-testid=waterfall-count]").TextContent);
    }

    [Fact]
    public async Task Waterfall_SelectingASpan_RaisesItForTheDetailPanel()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        TraceNode? selected = null;
        var cut = ctx.Render<TraceWaterfall>(p => p.Add(c => c.Tree, Sample()).Add(c => c.Virtualized, false).Add(c => c.OnSelect, (TraceNode n) => selected = n));

        await cut.Find($"[data-span='{Id(4)}'] .oc-wf-label").ClickAsync(new());

        Assert.Equal(Id(4), selected?.Span.SpanId.ToString());
    }

    [Fact]
    public async Task Waterfall_TenThousandSpans_RendersOnlyAWindowOfRows()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        var random = new Random(5);
        var spans = new List<Span> { S(1, 0, "svc-0", 0, 100_000) };
        for (var i = 2; i <= 10_000; i++)
        {
            var start = random.Next(0, 90_000);
            spans.Add(S((ulong)i, (ulong)random.Next(1, i), "svc-" + (i % 9), start, start + random.Next(1, 10_000), error: i % 500 == 0));
        }

        Render(ctx, TraceTree.Build(spans[..50]), virtualized: true); // warm up the JIT for the components
        var watch = Stopwatch.StartNew();
        var tree = TraceTree.Build(spans);
        var built = watch.Elapsed;
        watch.Restart();
        var cut = Render(ctx, tree, virtualized: true);
        var rendered = watch.Elapsed;

        var rows = cut.FindAll("[data-testid=span-row]").Count;
        output.WriteLine($"10,000 spans: view model {built.TotalMilliseconds:0} ms, first render {rendered.TotalMilliseconds:0} ms, {rows} rows in the DOM");
        Assert.InRange(rows, 1, 500);
        Assert.Contains("10,000 of 10,000 rows", cut.Find("[data-testid=waterfall-count]").TextContent);
    }
}
