using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

public sealed class ServiceDiscoveryTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Fact]
    public async Task Register_ValidTarget_ListedForItsTenantAndAudited()
    {
        using var ingest = factory.CreateApiClient(DemoAccounts.IngestKey);
        var globexKey = await factory.CreateKeyAsync("sd-globex", "role", "TenantAdmin", "globex");
        using var globex = factory.CreateApiClient(globexKey);
        using var admin = factory.CreateAdminClient();

        using var created = await ingest.PostAsJsonAsync("/api/v1/monitoring/service-discovery",
            new { job = "billing", url = "http://127.0.0.1:9/metrics", interval = "30s", timeout = "5s", labels = new { team = "payments" } });
        var listed = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/service-discovery");
        var seenByGlobex = await globex.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/service-discovery");
        var audit = await admin.GetStringAsync("/api/v1/admin/audit?action=scrape-target.register");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var billing = Assert.Single(listed!, t => t.GetProperty("job").GetString() == "billing");
        Assert.Equal("127.0.0.1:9", billing.GetProperty("instance").GetString());
        Assert.DoesNotContain(seenByGlobex!, t => t.GetProperty("job").GetString() == "billing");
        Assert.Contains("billing", audit);
    }

    [Theory]
    [InlineData("{\"job\":\"x\",\"url\":\"ftp://host/metrics\"}", "url")]
    [InlineData("{\"job\":\"x\",\"url\":\"not a url\"}", "url")]
    [InlineData("{\"url\":\"http://127.0.0.1:9100/metrics\"}", "job")]
    [InlineData("{\"job\":\"x\",\"url\":\"http://127.0.0.1:9100/metrics\",\"interval\":\"0s\"}", "interval")]
    [InlineData("{\"job\":\"x\",\"url\":\"http://127.0.0.1:9100/metrics\",\"interval\":\"10s\",\"timeout\":\"30s\"}", "timeout")]
    public async Task Register_Invalid_Answers400NamingTheFieldAndRegistersNothing(string body, string field)
    {
        using var admin = factory.CreateAdminClient();
        var before = await JobsAsync(admin);

        using var response = await admin.PostAsync("/api/v1/monitoring/service-discovery", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any(p => p.Name.Equals(field, StringComparison.OrdinalIgnoreCase)), problem.ToString());
        Assert.Equal(before, await JobsAsync(admin));
    }

    /// <summary>The registered targets (their status changes as they are scraped, so only identities are compared).</summary>
    private static async Task<string[]> JobsAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/service-discovery"))!
            .Select(t => t.GetProperty("job").GetString() + "/" + t.GetProperty("instance").GetString()).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Register_SameJobAndInstanceTwice_Answers409()
    {
        using var admin = factory.CreateAdminClient();
        var target = new { job = "twice", url = "http://127.0.0.1:9/metrics" };

        using var first = await admin.PostAsJsonAsync("/api/v1/monitoring/service-discovery", target);
        using var second = await admin.PostAsJsonAsync("/api/v1/monitoring/service-discovery", target);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }
}
