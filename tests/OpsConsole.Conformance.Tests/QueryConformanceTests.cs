using System.Globalization;
using OpsConsole.PrometheusHarness;
using Xunit.Abstractions;

namespace OpsConsole.Conformance.Tests;

/// <summary>
/// Each query of <see cref="ConformanceQueries"/> through both HTTP APIs (instant queries by GET, range queries by POST
/// form): OpsConsole must answer exactly as Prometheus 2.42 does on the same data.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class QueryConformanceTests(ConformanceFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string, double, Expect> InstantQueries => ConformanceQueries.Instant();

    public static TheoryData<string, double, double, double, Expect> RangeQueries => ConformanceQueries.Range();

    [Theory]
    [MemberData(nameof(InstantQueries))]
    public async Task Instant_AnswersAsPrometheus(string query, double atSeconds, Expect expect)
    {
        var url = $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={Seconds(atSeconds)}";

        var prometheus = await QueryApi.GetAsync(fixture.PrometheusClient, url);
        var console = await QueryApi.GetAsync(fixture.ConsoleClient, url);

        AssertSame($"instant query {query} at start+{atSeconds}s", prometheus, console, expect, ConformanceQueries.IsOrdered(query));
    }

    [Theory]
    [MemberData(nameof(RangeQueries))]
    public async Task Range_AnswersAsPrometheus(string query, double startSeconds, double endSeconds, double stepSeconds, Expect expect)
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = query,
            ["start"] = Seconds(startSeconds),
            ["end"] = Seconds(endSeconds),
            ["step"] = stepSeconds.ToString(CultureInfo.InvariantCulture),
        };

        var prometheus = await QueryApi.PostAsync(fixture.PrometheusClient, "/api/v1/query_range", form);
        var console = await QueryApi.PostAsync(fixture.ConsoleClient, "/api/v1/query_range", form);

        AssertSame($"range query {query} over start+[{startSeconds}s, {endSeconds}s] step {stepSeconds}s", prometheus, console, expect, ordered: false);
    }

    /// <summary>Unix seconds (with milliseconds) of <paramref name="seconds"/> after the data set's start.</summary>
    internal static string Seconds(double seconds) => (ConformanceDataSet.At(seconds) / 1000m).ToString("0.###", CultureInfo.InvariantCulture);

    private void AssertSame(string what, PromAnswer prometheus, PromAnswer console, Expect expect, bool ordered)
    {
        // First Prometheus's own answer: a case meant to return data must, so the table cannot quietly test nothing.
        var kind = prometheus.Status != "success" ? Expect.Error : prometheus.Series.Count == 0 ? Expect.Empty : Expect.Data;
        Assert.True(kind == expect, $"{what}: Prometheus itself answered {kind}, the table expects {expect}:\n{Truncate(prometheus.Body)}");

        var differences = AnswerComparer.Differences(prometheus, console, ordered);
        if (differences.Count > 0)
        {
            output.WriteLine($"Prometheus:\n{prometheus.Body}\n\nOpsConsole:\n{console.Body}");
        }

        Assert.True(differences.Count == 0,
            $"{what}: OpsConsole disagrees with Prometheus:\n  {string.Join("\n  ", differences.Take(10))}\n\nPrometheus:\n{Truncate(prometheus.Body)}\n\nOpsConsole:\n{Truncate(console.Body)}");
    }

    private static string Truncate(string body) => body.Length <= 3000 ? body : body[..3000] + $"… ({body.Length} characters)";
}
