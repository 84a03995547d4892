using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>The Prometheus-compatible query API over data sent through the native intake.</summary>
public sealed class PrometheusApiTests(RealClockConsoleFactory factory) : IClassFixture<RealClockConsoleFactory>
{
    /// <summary>Five scrapes, 15 s apart, of two counters under a job name unique to the calling test.</summary>
    private async Task<long> SeedAsync(string job)
    {
        using var admin = factory.CreateAdminClient();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        var points = string.Join(",", Enumerable.Range(0, 5).SelectMany(i => new[]
        {
            $"{{\"name\":\"api_calls_total\",\"labels\":{{\"job\":\"{job}\"}},\"value\":{i * 30},\"timestamp\":{now - ((4 - i) * 15_000)}}}",
            $"{{\"name\":\"api_calls_total\",\"labels\":{{\"job\":\"{job}-worker\"}},\"value\":{i * 15},\"timestamp\":{now - ((4 - i) * 15_000)}}}",
        }));
        using var response = await admin.PostAsync("/api/v1/monitoring/metrics?tenant=acme", new StringContent($"{{\"metrics\":[{points}]}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return now;
    }

    [Fact]
    public async Task Query_SumOfRates_AnswersInPrometheusShape()
    {
        var job = "api-" + Guid.NewGuid().ToString("N")[..6];
        var now = await SeedAsync(job);
        var key = await factory.CreateKeyAsync("prom-acme-" + Guid.NewGuid().ToString("N")[..6], "role", "TenantAdmin", "acme");
        using var client = factory.CreateApiClient(key);

        var body = await client.GetFromJsonAsync<JsonElement>($"/api/v1/query?query=sum%20by%20(job)%20(rate(api_calls_total%7Bjob%3D%22{job}%22%7D[1m]))&time={now / 1000}");

        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.Equal("vector", body.GetProperty("data").GetProperty("resultType").GetString());
        var api = body.GetProperty("data").GetProperty("result").EnumerateArray().Single(r => r.GetProperty("metric").GetProperty("job").GetString() == job);
        // 30 per 15 s within the window, extrapolated by Prometheus's rules to 2 per second.
        Assert.Equal(2.0, double.Parse(api.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public async Task QueryRange_FormPost_ReturnsAMatrix()
    {
        var job = "range-" + Guid.NewGuid().ToString("N")[..6];
        var now = await SeedAsync(job);
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/v1/query_range", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = $"api_calls_total{{job=\"{job}-worker\"}}",
            ["start"] = ((now - 60_000) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["end"] = (now / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["step"] = "15s",
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("matrix", body.GetProperty("data").GetProperty("resultType").GetString());
        var series = Assert.Single(body.GetProperty("data").GetProperty("result").EnumerateArray());
        Assert.Equal(5, series.GetProperty("values").GetArrayLength());
        Assert.Equal("60", series.GetProperty("values")[4][1].GetString());
    }

    [Theory]
    [InlineData("/api/v1/query?query=sum(rate(x[5m])", "bad_data", "position")]
    [InlineData("/api/v1/query?query=", "bad_data", "query")]
    [InlineData("/api/v1/query?query=up&time=yesterday", "bad_data", "time")]
    [InlineData("/api/v1/query?query=nosuchfunction(up)", "bad_data", "nosuchfunction")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100000&step=1", "bad_data", "11,000")]
    [InlineData("/api/v1/query_range?query=up&start=100&end=0&step=15", "bad_data", "end")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100&step=0", "bad_data", "step")]
    [InlineData("/api/v1/series", "bad_data", "match[]")]
    public async Task Query_BadInput_Answers400BadDataWithAMessage(string url, string errorType, string mention)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(url);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal(errorType, body.GetProperty("errorType").GetString());
        Assert.Contains(mention, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task LabelsAndValues_ForATenantAdmin_OnlyTheirTenantsData()
    {
        await SeedAsync("labels-" + Guid.NewGuid().ToString("N")[..6]);
        var globexKey = await factory.CreateKeyAsync("prom-globex-" + Guid.NewGuid().ToString("N")[..6], "role", "TenantAdmin", "globex");
        using var globex = factory.CreateApiClient(globexKey);
        using var admin = factory.CreateAdminClient();

        var adminNames = await admin.GetFromJsonAsync<JsonElement>("/api/v1/label/__name__/values");
        var globexNames = await globex.GetFromJsonAsync<JsonElement>("/api/v1/label/__name__/values");
        var buildinfo = await admin.GetFromJsonAsync<JsonElement>("/api/v1/status/buildinfo");

        Assert.Contains("api_calls_total", adminNames.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("api_calls_total", globexNames.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("success", buildinfo.GetProperty("status").GetString());
    }
}
