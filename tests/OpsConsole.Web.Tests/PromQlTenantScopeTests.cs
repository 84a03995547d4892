using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>
/// A tenant admin's PromQL is scoped by the engine with an implicit <c>tenant_id</c> matcher on every selector, and
/// intake stamps <c>tenant_id</c> on every series of a non-default tenant, so no tenant sees or plants another's series.
/// </summary>
public sealed class PromQlTenantScopeTests(PromQlTenantScopeTests.Seeded seeded) : IClassFixture<PromQlTenantScopeTests.Seeded>
{
    /// <summary>
    /// One console with, for the metric <c>scope_probe</c>: acme's series (one sent with <c>tenant_id="globex"</c>
    /// through acme's ingest key), globex's (one sent over OTLP with resource <c>tenant.id=globex</c> and attribute
    /// <c>tenant_id="acme"</c>), and two default-tenant series carrying their own <c>tenant_id</c> (as scraped ones do).
    /// </summary>
    public sealed class Seeded : IAsyncLifetime
    {
        public RealClockConsoleFactory Factory { get; } = new();

        public long Now { get; private set; }

        public string AcmeAdminKey { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
            var acmeIngest = await Factory.CreateKeyAsync("scope-acme-ingest", "ingest", tenantId: "acme");
            var globexIngest = await Factory.CreateKeyAsync("scope-globex-ingest", "ingest", tenantId: "globex");
            AcmeAdminKey = await Factory.CreateKeyAsync("scope-acme-admin", "role", "TenantAdmin", "acme");

            using (var acme = Factory.CreateApiClient(acmeIngest))
            {
                await PostNativeAsync(acme, "", ("job", "a1", null), ("job", "planted", "globex"));
            }

            using (var globex = Factory.CreateApiClient(globexIngest))
            {
                await PostNativeAsync(globex, "", ("job", "g1", null), ("globex_only", "yes", null));
            }

            using var admin = Factory.CreateAdminClient();
            await PostNativeAsync(admin, "", ("job", "scraped-acme", "acme"), ("job", "scraped-globex", "globex"));
            var otlp = $$$"""
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"tenant.id","value":{"stringValue":"globex"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"scope_probe","gauge":{"dataPoints":[
                   {"asDouble":100,"timeUnixNano":"{{{Now * 1_000_000}}}","attributes":[{"key":"job","value":{"stringValue":"otlp-planted"}},{"key":"tenant_id","value":{"stringValue":"acme"}}]}]}}]}]}]}
                """;
            using var response = await admin.PostAsync("/v1/metrics", new StringContent(otlp, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public Task DisposeAsync()
        {
            Factory.Dispose();
            return Task.CompletedTask;
        }

        /// <summary>One <c>scope_probe</c> sample per (label, value, tenant_id or none), each worth 1.</summary>
        private async Task PostNativeAsync(HttpClient client, string query, params (string Label, string Value, string? TenantLabel)[] series)
        {
            var metrics = string.Join(",", series.Select(s =>
                $"{{\"name\":\"scope_probe\",\"labels\":{{\"{s.Label}\":\"{s.Value}\"{(s.TenantLabel is null ? "" : $",\"tenant_id\":\"{s.TenantLabel}\"")}}},\"value\":1,\"timestamp\":{Now}}}"));
            using var response = await client.PostAsync("/api/v1/monitoring/metrics" + query, new StringContent($"{{\"metrics\":[{metrics}]}}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private HttpClient AcmeAdmin() => seeded.Factory.CreateApiClient(seeded.AcmeAdminKey);

    private string At => (seeded.Now / 1000).ToString(CultureInfo.InvariantCulture);

    private static async Task<JsonElement> DataAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return body.GetProperty("data");
    }

    /// <summary>(job, tenant_id) of every series of an instant-vector answer, sorted.</summary>
    private async Task<List<string>> VectorAsync(HttpClient client, string query)
    {
        var data = await DataAsync(client, $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={At}");
        return [.. data.GetProperty("result").EnumerateArray().Select(r => Describe(r.GetProperty("metric"))).Order(StringComparer.Ordinal)];
    }

    private static string Describe(JsonElement metric) =>
        (metric.TryGetProperty("job", out var job) ? job.GetString() : metric.TryGetProperty("globex_only", out _) ? "globex_only" : "-")
        + "@" + (metric.TryGetProperty("tenant_id", out var t) ? t.GetString() : "none");

    [Fact]
    public async Task Selector_AsAcmeAdmin_OnlyAcmesSeriesIncludingTheTrustedScrapedOne()
    {
        using var acme = AcmeAdmin();
        using var admin = seeded.Factory.CreateAdminClient();

        var seenByAcme = await VectorAsync(acme, "scope_probe");
        var seenByAdmin = await VectorAsync(admin, "scope_probe");

        Assert.Equal(["a1@acme", "planted@acme", "scraped-acme@acme"], seenByAcme);
        Assert.Equal(["a1@acme", "g1@globex", "globex_only@globex", "otlp-planted@globex", "planted@acme", "scraped-acme@acme", "scraped-globex@globex"], seenByAdmin);
    }

    [Fact]
    public async Task Ingest_WithAcmesKeyClaimingGlobex_IsLabelledAcme_AndOtlpForGlobexClaimingAcmeIsLabelledGlobex()
    {
        using var admin = seeded.Factory.CreateAdminClient();

        Assert.Equal(["planted@acme"], await VectorAsync(admin, "scope_probe{job=\"planted\"}"));
        Assert.Equal(["otlp-planted@globex"], await VectorAsync(admin, "scope_probe{job=\"otlp-planted\"}"));
    }

    [Theory]
    [InlineData("{__name__=~\".+\"}")]
    [InlineData("{__name__=~\"scope_.*\", tenant_id=~\".*\"}")]
    [InlineData("scope_probe or on() vector(0)")]
    public async Task AnySelector_AsAcmeAdmin_NeverReturnsAnotherTenantsSeries(string query)
    {
        using var acme = AcmeAdmin();

        var seen = await VectorAsync(acme, query);

        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.DoesNotContain("globex", s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Aggregation_AsAcmeAdmin_CountsOnlyAcme()
    {
        using var acme = AcmeAdmin();
        using var admin = seeded.Factory.CreateAdminClient();

        var acmeSum = await DataAsync(acme, $"/api/v1/query?query=sum(scope_probe)&time={At}");
        var adminSum = await DataAsync(admin, $"/api/v1/query?query=sum(scope_probe)&time={At}");

        Assert.Equal("3", acmeSum.GetProperty("result")[0].GetProperty("value")[1].GetString());
        Assert.Equal("106", adminSum.GetProperty("result")[0].GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task NamingAnotherTenant_AsAcmeAdmin_SelectsNothing()
    {
        using var acme = AcmeAdmin();

        Assert.Empty(await VectorAsync(acme, "scope_probe{tenant_id=\"globex\"}"));
        Assert.Empty(await VectorAsync(acme, "sum(scope_probe{tenant_id!=\"acme\"})"));
        var range = await DataAsync(acme, $"/api/v1/query_range?query=scope_probe%7Btenant_id%3D%22globex%22%7D&start={(seeded.Now / 1000) - 60}&end={At}&step=15");
        Assert.Equal(0, range.GetProperty("result").GetArrayLength());
    }

    [Fact]
    public async Task LabelsAndValues_AsAcmeAdmin_OnlyFromAcmesSeries()
    {
        using var acme = AcmeAdmin();
        using var admin = seeded.Factory.CreateAdminClient();

        var tenants = await DataAsync(acme, "/api/v1/label/tenant_id/values");
        var jobs = await DataAsync(acme, "/api/v1/label/job/values?match[]=scope_probe");
        var names = await DataAsync(acme, "/api/v1/labels");
        var adminNames = await DataAsync(admin, "/api/v1/labels");

        Assert.Equal(["acme"], tenants.EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["a1", "planted", "scraped-acme"], jobs.EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("globex_only", names.EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("globex_only", adminNames.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Series_AsAcmeAdmin_OnlyAcmesSeries()
    {
        using var acme = AcmeAdmin();
        var url = $"/api/v1/series?match[]={Uri.EscapeDataString("{__name__=\"scope_probe\"}")}&match[]={Uri.EscapeDataString("{tenant_id=\"globex\"}")}";

        var series = await DataAsync(acme, url);

        Assert.Equal(["a1@acme", "planted@acme", "scraped-acme@acme"], series.EnumerateArray().Select(Describe).Order(StringComparer.Ordinal));
    }
}
