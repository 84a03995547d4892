using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

public sealed class HealthCheckIntakeTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Fact]
    public async Task PostHealthChecks_ThenGet_ShowsTheCurrentStatusWithUptimeAndTenantScoping()
    {
        using var ingest = factory.CreateApiClient(DemoAccounts.IngestKey);
        using var posted = await ingest.PostAsync("/api/v1/monitoring/health-checks", Json(
            "{\"checks\":[" +
            "{\"service\":\"rag-service\",\"check\":\"db\",\"status\":\"healthy\",\"timestamp\":1790000000000}," +
            "{\"service\":\"rag-service\",\"check\":\"db\",\"status\":\"healthy\",\"timestamp\":1790000060000}," +
            "{\"service\":\"rag-service\",\"check\":\"db\",\"status\":\"unhealthy\",\"message\":\"connection refused\",\"timestamp\":1790000120000}," +
            "{\"service\":\"rag-service\",\"check\":\"db\",\"status\":\"unhealthy\",\"message\":\"connection refused\",\"timestamp\":1790000180000}]}"));
        var operatorKey = await factory.CreateKeyAsync("health-operator", "role", "Operator");
        var globexKey = await factory.CreateKeyAsync("health-globex", "role", "TenantAdmin", "globex");
        using var op = factory.CreateApiClient(operatorKey);
        using var globex = factory.CreateApiClient(globexKey);

        var states = await op.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/health-checks?service=rag-service");
        var other = await globex.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/health-checks");

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var state = Assert.Single(states!);
        Assert.Equal("acme", state.GetProperty("tenantId").GetString());
        Assert.Equal("Unhealthy", state.GetProperty("status").GetString());
        Assert.Equal("connection refused", state.GetProperty("message").GetString());
        Assert.Equal(1790000120000, state.GetProperty("statusSinceMs").GetInt64());
        Assert.Equal(50.0, state.GetProperty("uptimePercent").GetDouble());
        Assert.DoesNotContain(other!, s => s.GetProperty("tenantId").GetString() == "acme");
    }

    [Theory]
    [InlineData("{\"checks\":[{\"service\":\"x\",\"status\":\"sort-of\"}]}", "checks[0].status")]
    [InlineData("{\"checks\":[{\"status\":\"healthy\"}]}", "checks[0].service")]
    [InlineData("{\"checks\":[]}", "checks")]
    public async Task PostHealthChecks_Invalid_Answers400NamingTheField(string body, string field)
    {
        using var ingest = factory.CreateApiClient(DemoAccounts.IngestKey);

        using var response = await ingest.PostAsync("/api/v1/monitoring/health-checks", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }
}
