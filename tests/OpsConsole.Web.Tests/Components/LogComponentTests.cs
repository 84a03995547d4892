using System.Globalization;
using Bunit;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Logs;
using OpsConsole.Web.Logs;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The log result row and the histogram, as a person reading and clicking them sees them.</summary>
public sealed class LogComponentTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 15, 30, 250, TimeSpan.Zero);

    private static LogView Line(string level = "error", string? trace = "4bf92f3577b34da6a3ce929d0e0e4736") => LogView.From(new HeldLogRecord(
        new LogRecordId((ulong)At.ToUnixTimeMilliseconds() * 1_000_000UL, 42),
        new LogRecord
        {
            TenantId = "acme",
            TimeUnixNano = (ulong)At.ToUnixTimeMilliseconds() * 1_000_000UL,
            SeverityNumber = level == "error" ? 17 : 9,
            Body = AttributeValue.Of("upstream timeout calling llm"),
            TraceId = TraceId.TryParse(trace, out var t) ? t : default,
            SpanId = trace is null ? default : new SpanId(0x00f067aa0ba902b7),
            Attributes = [new("duration_ms", AttributeValue.Of(2500L)), new("note", AttributeValue.Of("two \"quoted\" words"))],
            Resource = new TelemetryResource([new("service.name", AttributeValue.Of("rag-service")), new("host.name", AttributeValue.Of("node-7"))]),
        }));

    [Fact]
    public async Task Row_ShowsTheLineWithItsLevelColour_AndItsFieldsOnlyWhenExpanded()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);

        var cut = ctx.Render<LogRow>(p => p.Add(r => r.Line, Line()));

        var level = cut.Find("[data-testid=log-level]");
        Assert.Equal("ERROR", level.TextContent);
        Assert.Contains("oc-level-error", level.ClassList);
        Assert.Equal("upstream timeout calling llm", cut.Find("[data-testid=log-message]").TextContent);
        Assert.Contains("Nov 2 09:15:30.250", cut.Markup);
        Assert.Empty(cut.FindAll("[data-testid=log-fields]"));
        Assert.Equal("false", cut.Find("button.oc-log-line").GetAttribute("aria-expanded"));

        cut.Find("button.oc-log-line").Click();

        Assert.Equal("true", cut.Find("button.oc-log-line").GetAttribute("aria-expanded"));
        var fields = cut.FindAll("[data-testid=log-field]").Select(f => f.GetAttribute("data-field")).ToList();
        Assert.Equal(["level", "service", "tenant", "trace_id", "span_id", "attr.duration_ms", "attr.note", "attr.host.name", "attr.service.name"], fields);
        Assert.Equal("/traces/4bf92f3577b34da6a3ce929d0e0e4736", cut.Find("[data-testid=log-trace-link]").GetAttribute("href"));
    }

    [Fact]
    public async Task Row_ChoosingAFieldValue_AddsAClauseThatFindsExactlyThatValue()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        var added = new List<string>();
        var cut = ctx.Render<LogRow>(p => p.Add(r => r.Line, Line()).Add(r => r.OnAddToQuery, c => added.Add(c)).Add(r => r.Expanded, true));

        cut.Find("[data-field='attr.duration_ms'] button").Click();
        cut.Find("[data-field='attr.note'] button").Click();
        cut.Find("[data-field='service'] button").Click();

        Assert.Equal(["attr.duration_ms:2500", "attr.note:\"two \\\"quoted\\\" words\"", "service:rag-service"], added);
        var note = Assert.IsType<FieldMatch>(LogQueryParser.Parse(added[1]));
        Assert.Equal("two \"quoted\" words", note.Value);
    }

    [Fact]
    public async Task Row_OffersContext_AndNoTraceLinkWithoutATrace()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        LogView? asked = null;
        var cut = ctx.Render<LogRow>(p => p.Add(r => r.Line, Line("info", trace: null)).Add(r => r.OnShowContext, l => asked = l).Add(r => r.Expanded, true));

        cut.Find("[data-testid=log-context-button]").Click();

        Assert.Equal(Line("info", null).Id, asked?.Id);
        Assert.Empty(cut.FindAll("[data-testid=log-trace-link]"));
        Assert.Contains("oc-level-info", cut.Find("[data-testid=log-level]").ClassList);
    }

    private static LogHistogramBucket Bucket(int minute, int info = 0, int warn = 0, int error = 0, int fatal = 0) =>
        new(At.Date.AddMinutes(minute), info + warn + error + fatal, 0, 0, info, warn, error, fatal);

    [Fact]
    public async Task Histogram_StacksLevelsProportionallyWithTheMostSevereOnTop()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        LogHistogramBucket[] buckets = [Bucket(0, info: 6, error: 2), Bucket(1), Bucket(2, info: 1, warn: 1, fatal: 2)];

        var cut = ctx.Render<LogHistogram>(p => p.Add(h => h.Buckets, buckets).Add(h => h.BucketSeconds, 60));

        var bars = cut.FindAll("[data-testid=histogram-bar]");
        Assert.Equal(3, bars.Count);
        var peak = bars[0].QuerySelectorAll("rect[data-level]");
        Assert.Equal(["info", "error"], peak.Select(r => r.GetAttribute("data-level")));
        Assert.Equal([75.0, 25.0], peak.Select(r => double.Parse(r.GetAttribute("height")!, CultureInfo.InvariantCulture)));
        Assert.True(Y(peak[1]) < Y(peak[0]), "error is drawn above info");
        Assert.Empty(bars[1].QuerySelectorAll("rect[data-level]"));
        var third = bars[2].QuerySelectorAll("rect[data-level]");
        Assert.Equal(50.0, third.Sum(r => double.Parse(r.GetAttribute("height")!, CultureInfo.InvariantCulture)), 3);
        Assert.Equal("Jan 1 00:02:00–00:03:00 UTC: 4 lines (2 fatal, 1 warn, 1 info)".Replace("Jan 1", At.Date.ToString("MMM d", CultureInfo.InvariantCulture), StringComparison.Ordinal),
            bars[2].GetAttribute("aria-label"));
        Assert.Contains("12 lines · ", cut.Find("figcaption").TextContent);
        Assert.Contains("UTC · 1 min per bar · peak 8", cut.Find("figcaption").TextContent);
        Assert.Equal(["fatal", "error", "warn", "info"], cut.FindAll("[data-testid=histogram-key]").Select(k => k.GetAttribute("data-level")));

        static double Y(AngleSharp.Dom.IElement rect) => double.Parse(rect.GetAttribute("y")!, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Histogram_ChoosingABar_ReportsItsStart_AndAnEmptyRangeSaysSo()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        DateTimeOffset? chosen = null;
        var cut = ctx.Render<LogHistogram>(p => p.Add(h => h.Buckets, [Bucket(0, info: 1), Bucket(1, error: 3)]).Add(h => h.BucketSeconds, 60)
            .Add(h => h.OnSelectBucket, s => chosen = s));
        var empty = ctx.Render<LogHistogram>(p => p.Add(h => h.Buckets, []).Add(h => h.BucketSeconds, 60));

        cut.FindAll("[data-testid=histogram-bar]")[1].Click();

        Assert.Equal(At.Date.AddMinutes(1), chosen);
        Assert.Equal("button", cut.FindAll("[data-testid=histogram-bar]")[1].GetAttribute("role"));
        Assert.Contains("No lines in this range", empty.Find("[data-testid=histogram-empty]").TextContent);
    }
}
