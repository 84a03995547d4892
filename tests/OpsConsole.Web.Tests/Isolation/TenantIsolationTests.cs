using System.Reflection;
using Microsoft.AspNetCore.Components;
using Xunit.Abstractions;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>
/// The tenant-isolation proof (issue #8, point 6): with data seeded for <c>acme</c> and <c>globex</c>, acme's tenant admin
/// calls every API endpoint and page (walked from the endpoint data source, <see cref="EndpointWalk"/>), signed in with
/// the cookie and with an acme-scoped API key, and no response may carry globex's marker. Each walk also proves it is not
/// vacuous: acme's own marker shows where acme's data is expected, and the Admin's walk shows globex's marker there.
/// </summary>
public sealed class TenantIsolationTests(IsolationConsole console, ITestOutputHelper output) : IClassFixture<IsolationConsole>
{
    /// <summary>Routes that show a tenant's seeded data to whoever may see it (so a walk that sees nothing fails).</summary>
    private static readonly string[] ShowsTenantData =
    [
        "/api/v1/monitoring/traces", "/api/v1/monitoring/traces/{traceId}", "/api/v1/monitoring/service-map",
        "/api/v1/monitoring/logs/search", "/api/v1/monitoring/logs/{id}/context",
        "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/label/{name}/values",
        "/api/v1/monitoring/health-checks",
    ];

    /// <summary>What only the Admin reaches, where globex's data must show (alerts, the audit log).</summary>
    private static readonly string[] ShowsOperatorData = ["/api/v1/monitoring/alerts", "/api/v2/alerts", "/api/v1/admin/audit"];

    private void Report(string who, List<Visit> visits, IsolationTenant sees)
    {
        foreach (var failed in visits.Where(v => v.Status >= 500).Take(10))
        {
            output.WriteLine($"{failed.Request} → {failed.Status}: {failed.Body[..Math.Min(failed.Body.Length, 600)]}");
        }

        output.WriteLine($"{who} saw {sees.Id}'s marker on: {string.Join(", ", visits.Where(v => v.Shows(sees.Marker)).Select(v => v.Route).Distinct())}");
        output.WriteLine($"{who}: {visits.Count} requests over {visits.Select(v => v.Route).Distinct().Count()} routes; " +
            $"statuses {string.Join(", ", visits.GroupBy(v => v.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}");
    }

    private static List<string> Leaks(List<Visit> visits) =>
        [.. visits.Where(v => v.ShowsAny(IsolationTenant.Globex)).Select(v => $"{v.Request} → {v.Status}: …{v.AroundAny(IsolationTenant.Globex)}…")];

    /// <summary>Where a tenant's usage shows (its numbers are the usage marker).</summary>
    private static readonly string[] ShowsUsage = ["/api/v1/monitoring/tenants/{tenant}/usage"];

    private static void AssertShowsUsage(List<Visit> visits, IsolationTenant tenant, string who)
    {
        var marker = tenant.UsageMarker.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var blind = ShowsUsage.Where(r => !visits.Any(v => v.Route == r && v.Status == 200 && v.Shows(marker))).ToList();
        Assert.True(blind.Count == 0, $"{who} saw none of {tenant.Id}'s usage on: {string.Join(", ", blind)} — the walk would prove nothing there.");
    }

    private static void AssertShows(List<Visit> visits, IsolationTenant tenant, IEnumerable<string> routes, string who)
    {
        var blind = routes.Where(r => !visits.Any(v => v.Route == r && v.Status == 200 && v.Shows(tenant.Marker))).ToList();
        Assert.True(blind.Count == 0, $"{who} saw none of {tenant.Id}'s data on: {string.Join(", ", blind)} — the walk would prove nothing there.");
    }

    private async Task WalkAsAcmeAsync(HttpClient client, string who)
    {
        var visits = await new EndpointWalk(console).RunAsync(client, readOnly: false);
        Report(who, visits, IsolationTenant.Acme);

        var leaks = Leaks(visits);
        Assert.True(leaks.Count == 0, $"{leaks.Count} responses to {who} carry globex's marker:\n{string.Join('\n', leaks.Take(40))}");
        AssertShows(visits, IsolationTenant.Acme, ShowsTenantData, who);
        AssertShowsUsage(visits, IsolationTenant.Acme, who);
        Assert.DoesNotContain(visits, v => v.Status >= 500);
    }

    [Fact]
    public Task EveryEndpointAndPage_AsAcmesTenantAdminSignedIn_ShowsNothingOfGlobex() =>
        WalkAsAcmeAsync(console.AcmeCookieClient, "acme-admin (cookie)");

    [Fact]
    public async Task EveryEndpointAndPage_WithAcmesTenantAdminKey_ShowsNothingOfGlobex()
    {
        using var client = console.Factory.CreateApiClient(console.AcmeAdminKey);
        await WalkAsAcmeAsync(client, "acme's TenantAdmin key");
    }

    [Fact]
    public async Task TheSameWalk_AsAdmin_SeesGlobex_SoTheCheckCanFail()
    {
        using var admin = console.Factory.CreateAdminClient();

        var visits = await new EndpointWalk(console).RunAsync(admin, readOnly: true);
        Report("Admin", visits, IsolationTenant.Globex);

        AssertShows(visits, IsolationTenant.Globex, [.. ShowsTenantData, .. ShowsOperatorData], "the Admin");
        AssertShowsUsage(visits, IsolationTenant.Globex, "the Admin");
        Assert.NotEmpty(Leaks(visits));
    }

    [Fact]
    public void EveryRoutableComponent_IsAPageTheWalkCalls()
    {
        using var _ = console.Factory.CreateClient();
        var walked = new EndpointWalk(console).Endpoints().Select(EndpointWalk.Raw).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var templates = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (Component: t.Name, Template: r.Template)))
            .ToList();

        Assert.True(templates.Count >= 15, $"Only {templates.Count} routable components found by reflection.");
        var missing = templates.Where(t => !walked.Contains(t.Template)).Select(t => $"{t.Component} ({t.Template})").ToList();
        Assert.True(missing.Count == 0, "Pages the walk does not call: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task EveryHubMessage_ToAcmesTenantAdmin_CarriesNothingOfGlobex()
    {
        using var _ = console.Factory.CreateClient();
        await using var admin = await HubListener.ConnectAsync(console.Factory, "Admin", bearer: Seeding.DemoAccounts.AdminKey);
        await using var acmeByKey = await HubListener.ConnectAsync(console.Factory, "acme (key)", bearer: console.AcmeAdminKey);
        await using var acmeByCookie = await HubListener.ConnectAsync(console.Factory, "acme (cookie)", cookie: console.AcmeCookie);
        var acme = new[] { acmeByKey, acmeByCookie };
        foreach (var listener in acme.Append(admin))
        {
            await listener.InvokeEveryHubMethodAsync(IsolationTenant.Globex);
        }

        // globex's events first: its health check changes, its telemetry arrives (ingest rates), a new alert fires for it.
        await HubListener.CauseEventsAsync(console.Seeded, IsolationTenant.Globex);
        await admin.WaitForAsync(IsolationTenant.Globex, "globex's health, ingest and alert events at the Admin");
        // Then acme's: once acme's own have arrived, anything sent to acme's connections before them has too.
        await HubListener.CauseEventsAsync(console.Seeded, IsolationTenant.Acme);
        foreach (var listener in acme)
        {
            await listener.WaitForAsync(IsolationTenant.Acme, $"acme's events at {listener.Who}");
        }

        foreach (var listener in acme.Append(admin))
        {
            output.WriteLine($"{listener.Who}: {listener.Messages.Count} hub messages ({string.Join(", ", listener.Messages.GroupBy(m => m.Method).Select(g => $"{g.Key}×{g.Count()}"))})");
        }

        Assert.Empty(admin.Unhandled);
        var leaks = acme.SelectMany(l => l.Messages.Where(m => HubListener.Mentions(m.Payload, IsolationTenant.Globex)).Select(m => $"{l.Who} {m.Method}: {m.Payload}")).ToList();
        Assert.True(leaks.Count == 0, "Hub messages to acme's tenant admin carry globex's data:\n" + string.Join('\n', leaks));
        Assert.Contains(admin.Messages, m => HubListener.Mentions(m.Payload, IsolationTenant.Globex));
    }

    /// <summary>Pages that show a tenant's seeded data once loaded (so a render walk that sees nothing fails).</summary>
    private static readonly string[] PagesShowingTenantData = ["/traces", "/traces/{TraceIdText}", "/traces/map", "/logs", "/dashboards/{Uid}"];

    [Fact]
    public async Task EveryPage_RenderedForAcmesTenantAdminUntilLoaded_ShowsNothingOfGlobex()
    {
        using var _ = console.Factory.CreateClient();

        var visits = await new PageRenderWalk(console).RunAsync(Domain.Security.Role.TenantAdmin, IsolationTenant.Acme.Id, IsolationTenant.Acme, PagesShowingTenantData);
        Report("pages rendered for acme's tenant admin", visits, IsolationTenant.Acme);

        var leaks = Leaks(visits);
        Assert.True(leaks.Count == 0, $"{leaks.Count} pages rendered for acme's tenant admin show globex's marker:\n{string.Join('\n', leaks.Take(40))}");
        AssertShows(visits, IsolationTenant.Acme, PagesShowingTenantData, "acme's tenant admin");
        Assert.DoesNotContain(visits, v => v.Status >= 500);
    }

    [Fact]
    public async Task EveryPage_RenderedForAnAdmin_ShowsGlobex_SoTheCheckCanFail()
    {
        using var _ = console.Factory.CreateClient();

        var visits = await new PageRenderWalk(console).RunAsync(Domain.Security.Role.Admin, null, IsolationTenant.Globex, [.. PagesShowingTenantData, "/alerts"]);
        Report("pages rendered for an Admin", visits, IsolationTenant.Globex);

        AssertShows(visits, IsolationTenant.Globex, [.. PagesShowingTenantData, "/alerts"], "the Admin");
    }
}
