using System.Net;
using OpsConsole.PrometheusHarness;

namespace OpsConsole.Conformance.Tests;

/// <summary>
/// What OpsConsole does not evaluate is a clear "unsupported" bad_data error, never a wrong answer (Prometheus answers
/// the same query, so it is real PromQL); bad queries and parameters get Prometheus's error shape from both.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ErrorConformanceTests(ConformanceFixture fixture)
{
    [Theory]
    [InlineData("rate(http_requests_total[5m:1m])")]
    [InlineData("max_over_time(rate(http_requests_total[1m])[10m:])")]
    [InlineData("http_requests_total @ 1790817000")]
    [InlineData("sum(rate(http_requests_total[5m] @ end()))")]
    [InlineData("stddev_over_time(queue_depth[10m])")]
    [InlineData("quantile_over_time(0.9, queue_depth[10m])")]
    [InlineData("changes(queue_depth[10m])")]
    [InlineData("resets(http_requests_total[30m])")]
    [InlineData("deriv(queue_depth[10m])")]
    [InlineData("predict_linear(queue_depth[10m], 600)")]
    [InlineData("holt_winters(queue_depth[10m], 0.5, 0.5)")]
    [InlineData("timestamp(queue_depth)")]
    [InlineData("sqrt(queue_depth)")]
    [InlineData("label_join(up, \"x\", \"-\", \"job\", \"instance\")")]
    [InlineData("group by (job) (up)")]
    [InlineData("stdvar(queue_depth)")]
    [InlineData("present_over_time(queue_depth[10m])")]
    [InlineData("day_of_week()")]
    [InlineData("queue_depth atan2 queue_depth offset 5m")]
    [InlineData("GROUP(up)")]
    [InlineData("label_replace(up, \"host\", \"$name\", \"instance\", \"(?P<name>.*):.*\")")]
    public async Task Unsupported_PrometheusAnswers_OpsConsoleSaysUnsupported(string query)
    {
        var url = $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={QueryConformanceTests.Seconds(5400)}";

        var prometheus = await QueryApi.GetAsync(fixture.PrometheusClient, url);
        var console = await QueryApi.GetAsync(fixture.ConsoleClient, url);

        Assert.True(prometheus.Status == "success", $"Prometheus should answer {query}: {prometheus.Body}");
        Assert.Equal(HttpStatusCode.BadRequest, console.HttpStatus);
        Assert.Equal("error", console.Status);
        Assert.Equal("bad_data", console.ErrorType);
        Assert.Contains("not supported", console.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sum(")]
    [InlineData("1 +")]
    [InlineData("rate(up)")]
    [InlineData("up[5m")]
    [InlineData("up{job=\"api\"}}")]
    [InlineData("up{job=~\"(\"}")]
    [InlineData("no_such_function(up)")]
    [InlineData("\"text\" + 1")]
    [InlineData("rate(up[5m]) offset")]
    [InlineData("up[5x]")]
    [InlineData("sum by (job) up")]
    [InlineData("{job=~\".*\"}")]
    [InlineData("topk(up, 3)")]
    [InlineData("1 > 2")]
    [InlineData("up and 1")]
    [InlineData("histogram_quantile(up, 0.9)")]
    [InlineData("label_replace(up, \"x\", \"y\", \"job\")")]
    [InlineData("{job=~\"api|\"}")]
    [InlineData("up offset 5m offset 1m")]
    [InlineData("rate(up[5m] offset 1x)")]
    [InlineData("up{job=\"unterminated}")]
    [InlineData("RATE(http_requests_total[5m])")]
    [InlineData("up[0s]")]
    [InlineData("up[1m1m]")]
    [InlineData("up[1.5m]")]
    [InlineData("1e400")]
    [InlineData("up{job=\"\\q\"}")]
    [InlineData("up{job=\"\\'\"}")]
    [InlineData("up{job=\"\\xZZ\"}")]
    [InlineData("up{job=\"\\ud800\"}")]
    [InlineData("")]
    public async Task BadQuery_BothAnswerBadData(string query)
    {
        var url = $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={QueryConformanceTests.Seconds(5400)}";

        var prometheus = await QueryApi.GetAsync(fixture.PrometheusClient, url);
        var console = await QueryApi.GetAsync(fixture.ConsoleClient, url);

        AssertBothBadData(query, prometheus, console);
    }

    [Theory]
    [InlineData("/api/v1/query?query=up&time=yesterday")]
    [InlineData("/api/v1/query_range?query=up&start=1790812800&end=1790816400&step=0")]
    [InlineData("/api/v1/query_range?query=up&start=1790816400&end=1790812800&step=60")]
    [InlineData("/api/v1/query_range?query=up&start=1790812800&end=1790816400&step=-15")]
    [InlineData("/api/v1/query_range?query=up&start=1790812800&end=1790816400")]
    [InlineData("/api/v1/query_range?query=up&start=1790812800&end=1790899200&step=1")]
    [InlineData("/api/v1/query_range?query=%22a%20string%22&start=1790812800&end=1790816400&step=60")]
    [InlineData("/api/v1/query_range?query=up%5B5m%5D&start=1790812800&end=1790816400&step=60")]
    public async Task BadParameters_BothAnswerBadData(string url)
    {
        var prometheus = await QueryApi.GetAsync(fixture.PrometheusClient, url);
        var console = await QueryApi.GetAsync(fixture.ConsoleClient, url);

        AssertBothBadData(url, prometheus, console);
    }

    private static void AssertBothBadData(string what, PromAnswer prometheus, PromAnswer console)
    {
        Assert.True(prometheus.Status == "error" && prometheus.ErrorType == "bad_data", $"Prometheus on {what}: {prometheus.Body}");
        Assert.True(console.Status == "error" && console.ErrorType == "bad_data" && console.HttpStatus == prometheus.HttpStatus,
            $"{what}: OpsConsole answered {(int)console.HttpStatus} {console.Body}; Prometheus {(int)prometheus.HttpStatus} {prometheus.Body}");
        Assert.False(string.IsNullOrWhiteSpace(console.Error), $"{what}: OpsConsole's error has no message");
    }
}
