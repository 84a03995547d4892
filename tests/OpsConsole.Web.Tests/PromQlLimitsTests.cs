using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Api;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>
/// A console on the real clock with small <c>Query</c> limits and a heavy data set: 200 counters
/// <c>heavy_total{i}</c> with a sample every 9 s over the last 5 hours (400,000 samples), enough to make
/// <see cref="HeavyQuery"/> run for minutes if nothing stopped it.
/// </summary>
public class QueryLimitsFactory : OpsConsoleFactory
{
    public const int SeriesCount = 200;
    public const int SamplesPerSeries = 2_000;
    private const long IntervalMs = 9_000;
    private readonly Lazy<long> _seeded;

    public QueryLimitsFactory() => _seeded = new Lazy<long>(Seed);

    /// <summary>
    /// Every step (9,000 of them) counts every series' samples over 5 hours: about 9,000 × 200 × 1,000 samples
    /// visited, minutes of work, while loading only 400,000 samples (under the cap).
    /// </summary>
    public static string HeavyQuery => Uri.EscapeDataString("sum(max_over_time(heavy_total[5h]))");

    /// <summary>The end of the data (whole seconds, Unix milliseconds); the data starts 5 hours before.</summary>
    public long Now => _seeded.Value;

    public string HeavyRangeUrl(string extra = "") =>
        $"/api/v1/query_range?query={HeavyQuery}&start={Seconds(Now - (5 * 3_600_000))}&end={Seconds(Now)}&step=2{extra}";

    public static string Seconds(long ms) => (ms / 1000).ToString(CultureInfo.InvariantCulture);

    protected override bool UseFakeClock => false;

    protected virtual string Timeout => "00:01:00";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Query:Timeout"] = Timeout,
        ["Query:MaxSamples"] = "500000",
        ["Query:MaxRange"] = "7.00:00:00",
        ["Query:MaxSeries"] = "150",
    };

    /// <summary>Writes the data set straight into the hot series store (it is recent, so queries read only memory).</summary>
    private long Seed()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        var store = Services.GetRequiredService<TelemetryStores>().Series;
        var batch = new List<SeriesSample>(SeriesCount * SamplesPerSeries);
        for (var i = 0; i < SeriesCount; i++)
        {
            var labels = LabelSet.From(("__name__", "heavy_total"), ("i", i.ToString(CultureInfo.InvariantCulture)));
            for (var k = 0; k < SamplesPerSeries; k++)
            {
                batch.Add(new SeriesSample("default", labels, now - ((SamplesPerSeries - 1 - k) * IntervalMs), k));
            }
        }

        var result = store.Append(batch);
        Assert.Equal(SeriesCount * SamplesPerSeries, result.Appended);
        return now;
    }
}

/// <summary>The same console with a configured time limit of half a second.</summary>
public sealed class ShortTimeoutFactory : QueryLimitsFactory
{
    protected override string Timeout => "00:00:00.5";
}

/// <summary>Query limits and bad input through the Prometheus API: clear errors, never a crash or a hang.</summary>
public sealed class PromQlLimitsTests(QueryLimitsFactory factory) : IClassFixture<QueryLimitsFactory>
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string url, CancellationToken ct = default)
    {
        using var response = await client.GetAsync(url, ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
    }

    private static void AssertError(HttpStatusCode expectedStatus, string errorType, string mention, (HttpStatusCode Status, JsonElement Body) answer)
    {
        Assert.True(answer.Status == expectedStatus, $"{(int)answer.Status}: {answer.Body}");
        Assert.Equal("error", answer.Body.GetProperty("status").GetString());
        Assert.Equal(errorType, answer.Body.GetProperty("errorType").GetString());
        Assert.Contains(mention, answer.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeavyQuery_WithALowTimeoutParameter_Answers503TimeoutPromptly()
    {
        using var admin = factory.CreateAdminClient();
        var stats = factory.Services.GetRequiredService<PromQlQueryStats>();
        var url = factory.HeavyRangeUrl("&timeout=300ms");
        var timeoutsBefore = stats.Ended("timeout");
        var clock = Stopwatch.StartNew();

        var answer = await GetAsync(admin, url);

        clock.Stop();
        AssertError(HttpStatusCode.ServiceUnavailable, "timeout", "query timed out in expression evaluation", answer);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"answered after {clock.Elapsed}, the configured limit is a minute");
        Assert.Equal(timeoutsBefore + 1, stats.Ended("timeout"));
    }

    [Fact]
    public async Task HeavyQuery_ClientGoesAway_EvaluationIsCanceledLongBeforeTheTimeLimit()
    {
        using var admin = factory.CreateAdminClient();
        var stats = factory.Services.GetRequiredService<PromQlQueryStats>();
        var url = factory.HeavyRangeUrl();
        var canceledBefore = stats.Ended("canceled");
        using var leave = new CancellationTokenSource();

        var request = admin.GetAsync(url, leave.Token);
        await Until(() => stats.Running > 0, "the query to start");
        var clock = Stopwatch.StartNew();
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await Until(() => stats.Ended("canceled") > canceledBefore && stats.Running == 0, "the evaluation to stop");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"stopped {clock.Elapsed} after the client left, the configured limit is a minute");
    }

    [Fact]
    public async Task Query_LoadingMoreSamplesThanTheCap_Answers422WithPrometheussMessage()
    {
        using var admin = factory.CreateAdminClient();
        // Every sample of every series at a 2 s resolution: 400,000 loaded plus 200 × 9,001 points > 500,000.
        var url = $"/api/v1/query_range?query=heavy_total&start={QueryLimitsFactory.Seconds(factory.Now - (5 * 3_600_000))}&end={QueryLimitsFactory.Seconds(factory.Now)}&step=2";

        var answer = await GetAsync(admin, url);

        AssertError(HttpStatusCode.UnprocessableEntity, "execution", "query processing would load too many samples into memory in query execution", answer);
    }

    [Theory]
    [InlineData("/api/v1/query?query=heavy_total&time={now}")]
    [InlineData("/api/v1/series?match[]=heavy_total&start={start}&end={now}")]
    public async Task Answer_WithMoreSeriesThanTheCap_Answers422NamingTheLimit(string url)
    {
        using var admin = factory.CreateAdminClient();

        var answer = await GetAsync(admin, Expand(url));

        AssertError(HttpStatusCode.UnprocessableEntity, "execution", "more than the limit of 150 (Query:MaxSeries)", answer);
    }

    [Theory]
    // range too long: the query's range, a range selector
    [InlineData("/api/v1/query_range?query=heavy_total&start=0&end=691200&step=3600", "longer than the maximum of 1w")]
    [InlineData("/api/v1/query?query=rate(heavy_total%5B8d%5D)&time={now}", "the range selector [1w1d] is longer than the maximum of 1w")]
    // step too small: more than 11,000 points
    [InlineData("/api/v1/query_range?query=heavy_total&start=0&end=11001&step=1", "exceeded maximum resolution of 11,000 points per timeseries")]
    // a regular expression that does not compile
    [InlineData("/api/v1/query?query=heavy_total%7Bi%3D~%22(%22%7D&time={now}", "invalid regular expression \"(\" for label \"i\"")]
    // unknown function, wrong argument type, wrong argument count, syntax
    [InlineData("/api/v1/query?query=no_such_function(heavy_total)&time={now}", "no_such_function")]
    [InlineData("/api/v1/query?query=rate(heavy_total)&time={now}", "argument 1 of \"rate\" must be a range vector")]
    [InlineData("/api/v1/query?query=clamp(heavy_total%2C%201)&time={now}", "\"clamp\" takes 3 argument(s), got 2")]
    [InlineData("/api/v1/query?query=sum(heavy_total&time={now}", "position")]
    [InlineData("/api/v1/query_range?query=heavy_total%5B5m%5D&start={start}&end={now}&step=60", "invalid expression type \"range vector\" for range query")]
    // parameters
    [InlineData("/api/v1/query?query=heavy_total&timeout=soon", "invalid parameter \"timeout\"")]
    [InlineData("/api/v1/query?query=heavy_total&timeout=-5", "invalid parameter \"timeout\"")]
    [InlineData("/api/v1/series?match[]=sum(heavy_total)", "is not a series selector")]
    [InlineData("/api/v1/series?match[]=heavy_total&start=yesterday", "invalid parameter \"start\"")]
    [InlineData("/api/v1/labels?start=later", "invalid parameter \"start\"")]
    [InlineData("/api/v1/label/9lives/values", "invalid label name")]
    [InlineData("/api/v1/label/job/values?match[]=up%7B", "position")]
    public async Task BadInput_Answers400BadDataSayingWhatIsWrong(string url, string mention)
    {
        using var admin = factory.CreateAdminClient();
        var stats = factory.Services.GetRequiredService<PromQlQueryStats>();
        var runningBefore = stats.Running;

        var answer = await GetAsync(admin, Expand(url));

        AssertError(HttpStatusCode.BadRequest, "bad_data", mention, answer);
        Assert.True(stats.Running <= runningBefore, "a refused query must not keep running");
    }

    [Fact]
    public async Task ValidQueries_UnderTheLimits_StillAnswer()
    {
        using var admin = factory.CreateAdminClient();

        var answer = await GetAsync(admin, Expand("/api/v1/query?query=count(heavy_total)&time={now}&timeout=30s"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("200", answer.Body.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
    }

    private string Expand(string url) => url
        .Replace("{now}", QueryLimitsFactory.Seconds(factory.Now), StringComparison.Ordinal)
        .Replace("{start}", QueryLimitsFactory.Seconds(factory.Now - 3_600_000), StringComparison.Ordinal);

    internal static async Task Until(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting for " + what);
            await Task.Delay(10);
        }
    }
}

/// <summary>The configured <c>Query:Timeout</c> stops a heavy query, and the <c>timeout</c> parameter cannot raise it.</summary>
public sealed class PromQlConfiguredTimeoutTests(ShortTimeoutFactory factory) : IClassFixture<ShortTimeoutFactory>
{
    [Theory]
    [InlineData("")]
    [InlineData("&timeout=10m")]
    public async Task HeavyQuery_StopsAtTheConfiguredTimeLimit(string timeoutParameter)
    {
        using var admin = factory.CreateAdminClient();
        var clock = Stopwatch.StartNew();

        using var response = await admin.GetAsync(factory.HeavyRangeUrl(timeoutParameter));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        clock.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("timeout", body.GetProperty("errorType").GetString());
        Assert.Equal("query timed out in expression evaluation", body.GetProperty("error").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public void Configuration_NonPositiveLimit_RefusesToStartNamingTheSetting()
    {
        using var bad = new QueryLimitsFactory().WithWebHostBuilder(b => b.UseSetting("Query:MaxPointsPerSeries", "0"));

        var e = Assert.ThrowsAny<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains("Query:MaxPointsPerSeries", e.Message, StringComparison.Ordinal);
    }
}
