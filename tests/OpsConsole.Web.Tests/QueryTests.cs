using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>Reading back through the native API: hot stores first, tenant enforced in the query, clear errors.</summary>
public sealed class QueryTests(RealClockConsoleFactory factory) : IClassFixture<RealClockConsoleFactory>
{
    private const string Trace = "5bf92f3577b34da6a3ce929d0e0e4736";

    private async Task SeedAsync()
    {
        using var ingest = factory.CreateApiClient(DemoAccounts.IngestKey); // tenant acme
        var now = DateTimeOffset.UtcNow;
        (await ingest.PostAsync("/api/v1/monitoring/traces", Json(
            "{\"spans\":[" +
            $"{{\"traceId\":\"{Trace}\",\"spanId\":\"10f067aa0ba902b7\",\"name\":\"POST /v1/chat\",\"service\":\"api-gateway\",\"kind\":\"server\",\"startTime\":{now.AddSeconds(-30).ToUnixTimeMilliseconds()},\"durationMs\":2500,\"status\":\"error\",\"attributes\":{{\"tenant.id\":\"acme\"}}}}," +
            $"{{\"traceId\":\"{Trace}\",\"spanId\":\"10f067aa0ba902b8\",\"parentSpanId\":\"10f067aa0ba902b7\",\"name\":\"rag.query\",\"service\":\"rag-service\",\"startTime\":{now.AddSeconds(-30).ToUnixTimeMilliseconds() + 5},\"durationMs\":2400}}]}}"))).Dispose();
        (await ingest.PostAsync("/api/v1/monitoring/logs", Json(
            $"{{\"logs\":[{{\"message\":\"upstream timeout calling llm\",\"service\":\"rag-service\",\"level\":\"error\",\"traceId\":\"{Trace}\",\"timestamp\":{now.AddSeconds(-20).ToUnixTimeMilliseconds()}}}," +
            $"{{\"message\":\"query served\",\"service\":\"rag-service\",\"level\":\"info\",\"timestamp\":{now.AddSeconds(-10).ToUnixTimeMilliseconds()}}}]}}"))).Dispose();
        (await ingest.PostAsync("/api/v1/monitoring/metrics", Json(
            $"{{\"metrics\":[{{\"name\":\"rag_queries_total\",\"labels\":{{\"status\":\"ok\"}},\"value\":17,\"type\":\"counter\",\"help\":\"RAG queries.\",\"timestamp\":{now.AddSeconds(-5).ToUnixTimeMilliseconds()}}}]}}"))).Dispose();
    }

    [Fact]
    public async Task Traces_ByIdAndBySearch_ComeBackForTheirTenantOnly()
    {
        await SeedAsync();
        var operatorKey = await factory.CreateKeyAsync("q-operator", "role", "Operator");
        var globexKey = await factory.CreateKeyAsync("q-globex", "role", "TenantAdmin", "globex");
        using var op = factory.CreateApiClient(operatorKey);
        using var globex = factory.CreateApiClient(globexKey);

        var trace = await op.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/traces/{Trace}");
        var found = await op.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?service=api-gateway&errors=true&minDurationMs=2000");
        using var hidden = await globex.GetAsync($"/api/v1/monitoring/traces/{Trace}");
        var globexSearch = await globex.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?service=api-gateway");

        Assert.Equal(2, trace.GetProperty("spans").GetArrayLength());
        Assert.Equal("10f067aa0ba902b7", trace.GetProperty("spans")[1].GetProperty("parentSpanId").GetString());
        var summary = Assert.Single(found.GetProperty("items").EnumerateArray(), t => t.GetProperty("traceId").GetString() == Trace);
        Assert.Equal("POST /v1/chat", summary.GetProperty("rootOperation").GetString());
        Assert.Equal(1, summary.GetProperty("errorCount").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.DoesNotContain(globexSearch.GetProperty("items").EnumerateArray(), t => t.GetProperty("traceId").GetString() == Trace);
    }

    [Fact]
    public async Task Logs_SearchAndStatistics_FindTheLineByTermLevelAndTrace()
    {
        await SeedAsync();
        using var admin = factory.CreateAdminClient();

        var hits = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/logs/search?q=timeout&level=error&traceId={Trace}");
        var stats = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/logs/statistics?service=rag-service&bucketSeconds=60")).GetProperty("buckets").EnumerateArray().ToList();

        var line = Assert.Single(hits.GetProperty("items").EnumerateArray());
        Assert.Equal("upstream timeout calling llm", line.GetProperty("message").GetString());
        Assert.True(stats.Sum(b => b.GetProperty("error").GetInt32()) >= 1);
        Assert.True(stats.Sum(b => b.GetProperty("info").GetInt32()) >= 1);
    }

    [Fact]
    public async Task Metrics_ReadBackAndExportedInTextFormatThatPromtoolAccepts()
    {
        await SeedAsync();
        using var admin = factory.CreateAdminClient();

        var series = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/metrics?name=rag_queries_total");
        var names = await admin.GetFromJsonAsync<string[]>("/api/v1/monitoring/metrics");
        var text = await admin.GetStringAsync("/api/v1/monitoring/prometheus");

        Assert.Contains("rag_queries_total", names!);
        var s = Assert.Single(series!);
        Assert.Equal("ok", s.GetProperty("labels").GetProperty("status").GetString());
        Assert.Equal(17, s.GetProperty("samples")[0][1].GetDouble());
        Assert.Contains("# TYPE rag_queries_total counter", text);
        // Series of a tenant other than "default" carry tenant_id, stamped at intake.
        Assert.Contains("rag_queries_total{status=\"ok\",tenant_id=\"acme\",opsconsole_tenant=\"acme\"} 17 ", text);
        var (exit, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exit == 0, output + "\n" + text);
    }

    [Theory]
    [InlineData("/api/v1/monitoring/traces/not-a-trace-id", "traceId")]
    [InlineData("/api/v1/monitoring/traces?limit=0", "limit")]
    [InlineData("/api/v1/monitoring/traces?sort=random", "sort")]
    [InlineData("/api/v1/monitoring/traces?from=last-tuesday", "from")]
    [InlineData("/api/v1/monitoring/logs/search?level=loud", "level")]
    [InlineData("/api/v1/monitoring/logs/statistics?bucketSeconds=0", "bucketSeconds")]
    [InlineData("/api/v1/monitoring/metrics?name=9bad", "name")]
    public async Task Query_BadParameters_Answer400NamingTheField(string url, string field)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }
}
