using OpsConsole.Core.Dashboards;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Dashboards;

public sealed class DashboardTemplateTests
{
    private static readonly QueryWindow OneHour = new(0, 3_600_000, 15_000);

    private static Dictionary<string, string> Values(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    [Fact]
    public void Interpolate_EverySpellingOfAVariable_BecomesItsValue()
    {
        var expr = "sum(rate(x{service=\"$service\", tenant_id=\"${tenant}\", env=\"[[env]]\"}[5m]))";

        var result = DashboardTemplate.Interpolate(expr, Values(("service", "api-gateway"), ("tenant", "acme"), ("env", "demo")), OneHour);

        Assert.Equal("sum(rate(x{service=\"api-gateway\", tenant_id=\"acme\", env=\"demo\"}[5m]))", result);
    }

    [Fact]
    public void Interpolate_AValueWithQuotes_CannotEndTheStringItStandsIn()
    {
        var result = DashboardTemplate.Interpolate("x{a=\"$v\"}", Values(("v", "a\"} or y{b=\"\\")), OneHour);

        Assert.Equal("x{a=\"a\\\"} or y{b=\\\"\\\\\"}", result);
        Assert.IsType<OpsConsole.Core.Query.PromQl.VectorSelector>(OpsConsole.Core.Query.PromQl.PromQlParser.Parse(result));
    }

    [Fact]
    public void Interpolate_AllValue_IsInsertedAsTheRegexItIs()
    {
        var result = DashboardTemplate.Interpolate("x{tenant_id=~\"$tenant\"}", Values(("tenant", "acme|globex\\..*")), OneHour, new HashSet<string> { "tenant" });

        Assert.Equal("x{tenant_id=~\"acme|globex\\..*\"}", result);
    }

    [Fact]
    public void Interpolate_BuiltIns_FollowTheWindow()
    {
        var values = Values();

        Assert.Equal("1h", DashboardTemplate.Interpolate("$__range", values, OneHour));
        Assert.Equal("3600", DashboardTemplate.Interpolate("$__range_s", values, OneHour));
        Assert.Equal("15s", DashboardTemplate.Interpolate("$__interval", values, OneHour));
        // The larger of step + scrape interval (30 s) and four scrape intervals (1 m), as Grafana.
        Assert.Equal("1m", DashboardTemplate.Interpolate("$__rate_interval", values, OneHour));
        Assert.Equal("5m15s", DashboardTemplate.Interpolate("$__rate_interval", values, new QueryWindow(0, 86_400_000, 300_000)));
    }

    [Fact]
    public void Interpolate_RangeOfALiveSlice_IsStillTheDashboardsRange()
    {
        var slice = OneHour.Slice(3_585_000, 3_600_000);

        Assert.Equal("1h", DashboardTemplate.Interpolate("$__range", Values(), slice));
        Assert.Equal(15_000, slice.StepMs);
    }

    [Fact]
    public void Interpolate_Month_IsTheTimeSinceTheFirstOfTheMonthUtc()
    {
        var to = new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

        Assert.Equal("2d12h", DashboardTemplate.Interpolate("$__month", Values(), new QueryWindow(to - 3_600_000, to, 15_000)));
    }

    [Fact]
    public void Interpolate_UnknownVariable_StaysAsWritten()
    {
        Assert.Equal("x{a=\"$nope\"}", DashboardTemplate.Interpolate("x{a=\"$nope\"}", Values(), OneHour));
        Assert.Equal(["nope", "__range"], DashboardTemplate.ReferencedVariables("x{a=\"$nope\"}[$__range] + y{b=\"${nope}\"}"));
    }

    [Fact]
    public void Legend_Template_TakesTheSeriesLabels()
    {
        var labels = LabelSet.From(("__name__", "http_requests_total"), ("service", "rag-service"), ("status", "500"));

        Assert.Equal("rag-service 500", DashboardTemplate.Legend("{{service}} {{ status }}", labels));
        Assert.Equal("rag-service / ", DashboardTemplate.Legend("{{service}} / {{missing}}", labels));
        Assert.Equal("http_requests_total{service=\"rag-service\", status=\"500\"}", DashboardTemplate.Legend(null, labels));
        Assert.Equal("{}", DashboardTemplate.Legend("", LabelSet.Empty));
    }

    [Theory]
    [InlineData(5 * 60_000L, 15_000L)]
    [InlineData(60 * 60_000L, 15_000L)]
    [InlineData(6 * 60 * 60_000L, 120_000L)]
    [InlineData(24 * 60 * 60_000L, 600_000L)]
    [InlineData(7 * 24 * 60 * 60_000L, 3_600_000L)]
    public void StepFor_GivesRoundStepsNoFinerThanTheScrapeInterval(long rangeMs, long expected) =>
        Assert.Equal(expected, QueryWindow.StepFor(rangeMs, 240));

    [Fact]
    public void Ending_AlignsTheEndToTheStep()
    {
        var w = QueryWindow.Ending(1_000_007_000, TimeSpan.FromHours(1));

        Assert.Equal(0, w.ToMs % w.StepMs);
        Assert.Equal(3_600_000, w.RangeMs);
        Assert.True(w.ToMs <= 1_000_007_000 && w.ToMs > 1_000_007_000 - w.StepMs);
    }
}
