using OpsConsole.PrometheusHarness;
using Xunit.Abstractions;

namespace OpsConsole.Conformance.Tests;

/// <summary>The time and step parameters in the forms Prometheus accepts (Unix seconds, RFC 3339, durations) give the same answers.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class ParameterConformanceTests(ConformanceFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("time=2026-10-01T01:30:00Z")]
    [InlineData("time=2026-10-01T03:30:07.5%2B02:00")]
    [InlineData("time=1790818200.123")]
    [InlineData("time=1790818200")]
    public async Task Instant_TimeForms_AnswerAsPrometheus(string time)
    {
        var url = $"/api/v1/query?query={Uri.EscapeDataString("sum by (job) (rate(http_requests_total[5m])) + time()")}&{time}";

        await AssertSameAsync(url);
    }

    [Theory]
    [InlineData("step=90")]
    [InlineData("step=90.0")]
    [InlineData("step=1m30s")]
    [InlineData("step=1.5")]
    public async Task Range_StepForms_AnswerAsPrometheus(string step)
    {
        var url = $"/api/v1/query_range?query={Uri.EscapeDataString("queue_depth")}&start=2026-10-01T00:30:00Z&end=1790815000&{step}";

        await AssertSameAsync(url);
    }

    private async Task AssertSameAsync(string url)
    {
        var prometheus = await QueryApi.GetAsync(fixture.PrometheusClient, url);
        var console = await QueryApi.GetAsync(fixture.ConsoleClient, url);

        Assert.True(prometheus.Status == "success" && prometheus.Series.Count > 0, $"Prometheus on {url}: {prometheus.Body[..Math.Min(500, prometheus.Body.Length)]}");
        var differences = AnswerComparer.Differences(prometheus, console, ordered: false);
        if (differences.Count > 0)
        {
            output.WriteLine($"Prometheus:\n{prometheus.Body}\n\nOpsConsole:\n{console.Body}");
        }

        Assert.True(differences.Count == 0, $"{url}:\n  {string.Join("\n  ", differences.Take(10))}");
    }
}
