using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>The endpoints Grafana's Prometheus data source calls next to queries: metadata and exemplars.</summary>
public sealed class PrometheusMetadataTests(RealClockConsoleFactory factory) : IClassFixture<RealClockConsoleFactory>
{
    private async Task<string> SeedAsync(string tenant, string type, string help)
    {
        var name = "md_" + tenant + "_" + Guid.NewGuid().ToString("N")[..6] + "_total";
        using var admin = factory.CreateAdminClient();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = $"{{\"metrics\":[{{\"name\":\"{name}\",\"labels\":{{\"job\":\"md\"}},\"value\":1,\"timestamp\":{now},\"type\":\"{type}\",\"help\":\"{help}\"}}]}}";
        using var response = await admin.PostAsync($"/api/v1/monitoring/metrics?tenant={tenant}", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return name;
    }

    [Fact]
    public async Task Metadata_ListsTypeAndHelp_InPrometheusShape()
    {
        var name = await SeedAsync("acme", "counter", "Calls handled.");
        using var admin = factory.CreateAdminClient();

        var body = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/metadata?metric={name}");

        Assert.Equal("success", body.GetProperty("status").GetString());
        var entry = Assert.Single(body.GetProperty("data").GetProperty(name).EnumerateArray());
        Assert.Equal("counter", entry.GetProperty("type").GetString());
        Assert.Equal("Calls handled.", entry.GetProperty("help").GetString());
    }

    [Fact]
    public async Task Metadata_ForATenantAdmin_HidesOtherTenantsMetricNames()
    {
        var own = await SeedAsync("acme", "gauge", "Ours.");
        var other = await SeedAsync("globex", "gauge", "Theirs.");
        var key = await factory.CreateKeyAsync("md-acme-" + Guid.NewGuid().ToString("N")[..6], "role", "TenantAdmin", "acme");
        using var client = factory.CreateApiClient(key);

        var data = (await client.GetFromJsonAsync<JsonElement>("/api/v1/metadata")).GetProperty("data");

        Assert.True(data.TryGetProperty(own, out _), "the tenant's own metric is listed");
        Assert.False(data.TryGetProperty(other, out _), "another tenant's metric name must not be listed");
    }

    [Fact]
    public async Task Metadata_BadLimit_IsBadData()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync("/api/v1/metadata?limit=-3");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.Contains("limit", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryExemplars_AnswersAnEmptyList_AndRequiresAQuery()
    {
        using var admin = factory.CreateAdminClient();

        var ok = await admin.GetFromJsonAsync<JsonElement>("/api/v1/query_exemplars?query=up");
        using var bad = await admin.GetAsync("/api/v1/query_exemplars");

        Assert.Equal("success", ok.GetProperty("status").GetString());
        Assert.Equal(0, ok.GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
