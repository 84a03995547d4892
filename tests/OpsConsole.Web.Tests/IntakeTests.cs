using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>The native JSON intake: durable before the answer, tenant from the key, bad input changes nothing.</summary>
public sealed class IntakeTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    // As stored under globex: intake stamps tenant_id on every series of a tenant other than "default".
    private static readonly LabelSet Requests = LabelSet.From(("__name__", "orders_total"), ("service", "shop"), ("tenant_id", "globex"));

    private TelemetryReader Reader => factory.Services.GetRequiredService<TelemetryReader>();

    [Fact]
    public async Task PostMetrics_AsAdminForATenant_StoredDurablyBeforeTheAnswer()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/v1/monitoring/metrics?tenant=globex", Json(
            "{\"metrics\":[{\"name\":\"orders_total\",\"labels\":{\"service\":\"shop\"},\"value\":41,\"timestamp\":1790000000000,\"type\":\"counter\",\"help\":\"Orders.\"}," +
            "{\"name\":\"orders_total\",\"labels\":{\"service\":\"shop\"},\"value\":42,\"timestamp\":\"2026-09-21T14:13:21Z\"}]}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var samples = await Reader.GetSamplesAsync("globex", Requests, 0, long.MaxValue);
        Assert.Equal([new Sample(1790000000000, 41), new Sample(1790000001000, 42)], samples);
    }

    [Fact]
    public async Task PostLogs_WithAnIngestKey_FiledUnderTheKeysTenantAndNoOther()
    {
        var key = DemoAccounts.IngestKey;
        using var client = factory.CreateApiClient(key);
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        using var other = await client.PostAsync("/api/v1/monitoring/logs?tenant=globex", Json($"{{\"logs\":[{{\"message\":\"{marker} elsewhere\",\"service\":\"shop\"}}]}}"));
        using var own = await client.PostAsync("/api/v1/monitoring/logs", Json(
            $"{{\"logs\":[{{\"message\":\"{marker} payment failed\",\"service\":\"shop\",\"level\":\"error\",\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"attributes\":{{\"order.id\":\"A-17\",\"amount\":12.5}}}}]}}"));

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var acme = await Reader.GetLogsAsync("acme", 0, ulong.MaxValue / 2, 1000);
        var log = Assert.Single(acme, l => l.Body.ToString().StartsWith(marker, StringComparison.Ordinal));
        Assert.Equal("error", log.Level);
        Assert.Equal("shop", log.ServiceName);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", log.TraceId.ToString());
        Assert.Contains(new Domain.Telemetry.Attribute("amount", AttributeValue.Of(12.5)), log.Attributes);
        var globex = await Reader.GetLogsAsync("globex", 0, ulong.MaxValue / 2, 1000);
        Assert.DoesNotContain(globex, l => l.Body.ToString().StartsWith(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostTraces_ParentAndChild_ReadBackAsOneTrace()
    {
        using var admin = factory.CreateAdminClient();
        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";

        using var response = await admin.PostAsync("/api/v1/monitoring/traces?tenant=initech", Json(
            "{\"spans\":[" +
            $"{{\"traceId\":\"{trace}\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"POST /v1/chat\",\"service\":\"api-gateway\",\"kind\":\"server\",\"startTime\":\"2026-11-22T10:00:00Z\",\"durationMs\":120,\"status\":\"error\",\"attributes\":{{\"http.status_code\":500}}}}," +
            $"{{\"traceId\":\"{trace}\",\"spanId\":\"00f067aa0ba902b8\",\"parentSpanId\":\"00f067aa0ba902b7\",\"name\":\"rag.query\",\"service\":\"rag-service\",\"startTime\":\"2026-11-22T10:00:00.010Z\",\"endTime\":\"2026-11-22T10:00:00.100Z\"}}]}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TraceId.TryParse(trace, out var id);
        var spans = await Reader.GetTraceAsync("initech", id);
        Assert.Equal(2, spans.Count);
        Assert.Equal("api-gateway", spans[0].ServiceName);
        Assert.Equal(TimeSpan.FromMilliseconds(120), spans[0].Duration);
        Assert.Equal(SpanStatusCode.Error, spans[0].StatusCode);
        Assert.Equal(spans[0].SpanId, spans[1].ParentSpanId);
        Assert.Empty(await Reader.GetTraceAsync("acme", id));
    }

    [Theory]
    [InlineData("metrics", "{\"metrics\":[{\"name\":\"9lives\",\"value\":1}]}", "metrics[0].name")]
    [InlineData("metrics", "{\"metrics\":[{\"name\":\"ok_total\"}]}", "metrics[0].value")]
    [InlineData("metrics", "{\"metrics\":[]}", "metrics")]
    [InlineData("metrics", "{\"metrics\":[{\"name\":\"ok_total\",\"value\":1,\"timestamp\":\"yesterday\"}]}", "metrics[0].timestamp")]
    [InlineData("traces", "{\"spans\":[{\"traceId\":\"xyz\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"a\",\"service\":\"s\",\"startTime\":1,\"durationMs\":1}]}", "spans[0].traceId")]
    [InlineData("traces", "{\"spans\":[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"a\",\"service\":\"s\",\"startTime\":5000,\"endTime\":1000}]}", "spans[0].endTime")]
    [InlineData("logs", "{\"logs\":[{\"message\":\"x\",\"service\":\"s\",\"level\":\"loud\"}]}", "logs[0].level")]
    [InlineData("logs", "{\"logs\":[{\"service\":\"s\"}]}", "logs[0].message")]
    public async Task Post_InvalidItem_Answers400NamingTheFieldAndStoresNothing(string signal, string body, string field)
    {
        using var admin = factory.CreateAdminClient();
        var tenant = "bad-" + Guid.NewGuid().ToString("N")[..8];

        using var response = await admin.PostAsync($"/api/v1/monitoring/{signal}?tenant={tenant}", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error for {field}: {problem}");
        Assert.Empty(await Reader.GetLogsAsync(tenant, 0, ulong.MaxValue / 2, 10));
        Assert.Empty(await Reader.GetSeriesAsync(tenant, "ok_total"));
    }

    [Fact]
    public async Task Post_MalformedJson_Answers400()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/v1/monitoring/metrics", Json("{\"metrics\": [ {"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid JSON", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Post_OverTheBodyLimit_Answers413()
    {
        using var admin = factory.CreateAdminClient();
        var huge = "{\"logs\":[{\"message\":\"" + new string('x', 9 * 1024 * 1024) + "\",\"service\":\"s\"}]}";

        using var response = await admin.PostAsync("/api/v1/monitoring/logs", Json(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_AsOperator_IsForbidden()
    {
        var key = await factory.CreateKeyAsync("intake-operator", "role", "Operator");
        using var client = factory.CreateApiClient(key);

        using var response = await client.PostAsync("/api/v1/monitoring/metrics", Json("{\"metrics\":[{\"name\":\"x_total\",\"value\":1}]}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

/// <summary>Nothing acknowledged is lost across a restart.</summary>
public sealed class IntakeRestartTests
{
    private sealed class SharedDatabaseFactory(string directory) : OpsConsoleFactory(directory);

    [Fact]
    public async Task AcceptedTelemetry_AfterARestartOnTheSameDatabase_IsStillThere()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-restart-").FullName;
        var labels = LabelSet.From(("__name__", "restarts_total"), ("service", "shop"), ("tenant_id", "acme")); // stamped at intake
        using (var first = new SharedDatabaseFactory(directory) { KeepDatabase = true })
        {
            using var admin = first.CreateAdminClient();
            using var response = await admin.PostAsync("/api/v1/monitoring/metrics?tenant=acme",
                new StringContent("{\"metrics\":[{\"name\":\"restarts_total\",\"labels\":{\"service\":\"shop\"},\"value\":7,\"timestamp\":1790000000000}]}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var second = new SharedDatabaseFactory(directory);
        using var _ = second.CreateClient();
        var samples = await second.Services.GetRequiredService<TelemetryReader>().GetSamplesAsync("acme", labels, 0, long.MaxValue);

        Assert.Equal([new Sample(1790000000000, 7)], samples);
    }
}
