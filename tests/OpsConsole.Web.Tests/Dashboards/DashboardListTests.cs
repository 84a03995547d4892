using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Tests.Components;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>The Dashboards page: every dashboard, and for administrators the Grafana import with its warnings.</summary>
public sealed class DashboardListTests
{
    private const string Grafana = """
        {"title": "Imported here", "uid": "imported-here", "refresh": "1m",
         "panels": [
           {"id": 1, "type": "stat", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}, "targets": [{"refId": "A", "expr": "sum(up)"}]},
           {"id": 2, "type": "news", "title": "Feed", "gridPos": {"x": 6, "y": 0, "w": 6, "h": 4}}
         ]}
        """;

    private static async Task<BunitContext> Create(Role role)
    {
        var ctx = ComponentTestContext.Create(role);
        var services = new ServiceCollection();
        await DashboardServices.AddAsync(services, new Core.Storage.TelemetryStores(new Core.Storage.HotStoreOptions(), TimeProvider.System));
        var data = services.BuildServiceProvider().GetRequiredService<ServiceProvider>();
        ctx.Services.AddSingleton(data);
        await DashboardServices.AddStoreAsync(ctx.Services, data, ProvisionedDashboardsTests.RepoDashboards());
        return ctx;
    }

    [Fact]
    public async Task Admin_ImportsAGrafanaDashboard_AndSeesItListedWithTheWarnings()
    {
        await using var ctx = await Create(Role.Admin);
        var cut = ctx.Render<DashboardList>();
        Assert.Equal(5, cut.FindAll("[data-testid=dashboard-row]").Count);

        cut.Find("[data-testid=grafana-import-open]").Click();
        cut.Find("textarea[data-testid=grafana-json]").Change(Grafana);
        cut.Find("[data-testid=grafana-import-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Imported Imported here with 1 panels.", cut.Find("[data-testid=grafana-imported]").TextContent, StringComparison.Ordinal));
        var warnings = cut.FindAll("[data-testid=grafana-import-warning]").Select(w => w.TextContent).ToList();
        Assert.Contains("Panel \"Feed\" is a \"news\" panel, which the console does not draw; it is left out.", warnings);
        Assert.Contains("Grafana refreshed every 1m; here the server pushes new points as they arrive (live), so there is no refresh interval.", warnings);
        Assert.Equal(6, cut.FindAll("[data-testid=dashboard-row]").Count);
        Assert.Contains(cut.FindAll("[data-testid=dashboard-row] a"), a => a.GetAttribute("href") == "/dashboards/imported-here");
    }

    [Fact]
    public async Task Admin_ImportingSomethingThatIsNotADashboard_SeesWhyAndNothingIsAdded()
    {
        await using var ctx = await Create(Role.Admin);
        var cut = ctx.Render<DashboardList>();

        cut.Find("[data-testid=grafana-import-open]").Click();
        cut.Find("textarea[data-testid=grafana-json]").Change("{ this is not json");
        cut.Find("[data-testid=grafana-import-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("The file is not valid JSON", cut.Find("[data-testid=grafana-import-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal(5, cut.FindAll("[data-testid=dashboard-row]").Count);
    }

    [Fact]
    public async Task Executive_SeesNoImport()
    {
        await using var ctx = await Create(Role.Executive);

        var cut = ctx.Render<DashboardList>();

        Assert.Equal(5, cut.FindAll("[data-testid=dashboard-row]").Count);
        Assert.Empty(cut.FindAll("[data-testid=grafana-import-open]"));
    }
}
