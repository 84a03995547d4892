using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>
/// The executive overview's intake rates (spans, logs, samples per second) were the whole console's, so a tenant admin
/// saw how much every other tenant was sending. Found by the isolation walk; a tenant-bound caller now gets their own.
/// </summary>
public sealed class OverviewScopeTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public OverviewScopeTests(OpsConsoleFactory factory) => _factory = factory;

    private async Task SendAsync(HttpClient admin, string tenant, int spans, int samples)
    {
        var at = _factory.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var spanItems = Enumerable.Range(0, spans).Select(i =>
            $$"""{"traceId":"{{Guid.NewGuid():N}}","spanId":"{{i + 1:x16}}","name":"op","service":"svc","startTime":{{at}},"durationMs":5}""");
        (await admin.PostAsync($"/api/v1/monitoring/traces?tenant={tenant}", Json($"{{\"spans\":[{string.Join(',', spanItems)}]}}"))).EnsureSuccessStatusCode();
        var sampleItems = Enumerable.Range(0, samples).Select(i => $$"""{"name":"overview_probe","labels":{"i":"{{i}}"},"value":1,"timestamp":{{at}}}""");
        (await admin.PostAsync($"/api/v1/monitoring/metrics?tenant={tenant}", Json($"{{\"metrics\":[{string.Join(',', sampleItems)}]}}"))).EnsureSuccessStatusCode();
    }

    private static async Task<(double Spans, double Samples)> RatesAsync(HttpClient client)
    {
        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/dashboard/overview?tenant=globex");
        return (body.GetProperty("spansPerSecond").GetDouble(), body.GetProperty("samplesPerSecond").GetDouble());
    }

    [Fact]
    public async Task IntakeRates_ForATenantAdmin_AreTheirTenantsOnly_EvenAskingForAnother()
    {
        using var admin = _factory.CreateAdminClient();
        using var acme = _factory.CreateApiClient(await _factory.CreateKeyAsync("overview-acme", "role", "TenantAdmin", "acme"));
        await SendAsync(admin, "acme", spans: 3, samples: 6);
        await SendAsync(admin, "globex", spans: 9, samples: 12);

        var everyone = await RatesAsync(admin);
        var acmes = await RatesAsync(acme);

        Assert.Equal((12 / 60d, 18 / 60d), everyone);
        Assert.Equal((3 / 60d, 6 / 60d), acmes);
    }
}
