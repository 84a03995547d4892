using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Tests.Components;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>The provisioned dashboards/executive.json rendered by the /executive page over real stores.</summary>
public sealed class ExecutiveDashboardTests
{
    private static string RepoDashboards()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "dashboards");
    }

    private static (BunitContext Ctx, TelemetryStores Stores) Create(Role role = Role.Executive, string? tenant = null)
    {
        var ctx = ComponentTestContext.Create(role, tenant);
        var catalog = new InMemoryDashboardCatalog();
        Assert.Equal(1, catalog.LoadDirectory(RepoDashboards(), NullLogger.Instance));
        var stores = new TelemetryStores(new HotStoreOptions(), TimeProvider.System);
        ctx.Services.AddSingleton<IDashboardCatalog>(catalog);
        ctx.Services.AddSingleton(stores);
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.Services.AddScoped<DashboardLiveSession>();
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        ctx.JSInterop.SetupModule(OcChart.ModulePath).Mode = JSRuntimeMode.Loose;
        return (ctx, stores);
    }

    /// <summary>Ten minutes of the gateway's traffic for two tenants and the daily active users, as scraped every 15 s.</summary>
    private static void Traffic(TelemetryStores stores)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var samples = new List<SeriesSample>();
        for (var i = 0; i <= 40; i++)
        {
            var t = now - ((40 - i) * 15_000L);
            foreach (var (tenant, perStep) in new[] { ("acme", 300.0), ("globex", 60.0) })
            {
                samples.Add(new SeriesSample("default", LabelSet.From(("__name__", "http_requests_total"), ("service", "api-gateway"), ("status", "200"), ("tenant_id", tenant)), t, i * perStep));
            }

            samples.Add(new SeriesSample("default", LabelSet.From(("__name__", "users_active_daily")), t, 2150));
        }

        stores.Store(new TelemetryBatch { Samples = samples });
    }

    [Fact]
    public async Task Executive_WithTraffic_FillsEveryPanelWithDataOrSaysThereIsNone()
    {
        var (ctx, stores) = Create();
        await using var _ctx = ctx;
        Traffic(stores);

        var cut = ctx.Render<Executive>();

        Assert.Equal("Executive", cut.Find("h1").TextContent);
        cut.WaitForAssertion(
            () => Assert.Empty(cut.FindAll("[data-testid=panel]").Where(p => p.GetAttribute("data-state") is "loading" or "error").Select(p => p.GetAttribute("data-panel-id") + ": " + p.TextContent)),
            TimeSpan.FromSeconds(20));
        var panels = cut.FindAll("[data-testid=panel]").ToDictionary(p => p.GetAttribute("data-panel-id")!, p => p);
        Assert.Equal(17, panels.Count);
        Assert.Equal("24 req/s", panels["request-rate"].QuerySelector("[data-testid=stat-value]")!.TextContent); // (300 + 60) per 15 s
        Assert.Equal("2.2k", panels["active-users"].QuerySelector("[data-testid=stat-value]")!.TextContent);
        Assert.Equal("0 %", panels["error-rate"].QuerySelector("[data-testid=stat-value]")!.TextContent);
        Assert.Equal("empty", panels["llm-cost"].GetAttribute("data-state")); // no LLM metrics were sent
        Assert.Single(cut.FindAll("[data-testid=variable-tenant]"));
        Assert.Contains("Last 1 hour", cut.Find("[data-testid=range-picker]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executive_RangeAndVariableInTheUrl_AreAppliedAndBadOnesExplained()
    {
        var (ctx, stores) = Create();
        await using var _ctx = ctx;
        Traffic(stores);
        var nav = ctx.Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo("/executive?from=now-6h&to=now&var-tenant=globex");

        var cut = ctx.Render<Executive>();

        cut.WaitForAssertion(() => Assert.Equal("4 req/s", cut.Find("[data-panel-id=request-rate] [data-testid=stat-value]").TextContent), TimeSpan.FromSeconds(20));
        Assert.Contains("Last 6 hours", cut.Find("[data-testid=range-picker]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=dashboard-problem]"));

        nav.NavigateTo("/executive?from=tomorrow&var-tenant=initech");

        cut.WaitForAssertion(() =>
        {
            var problems = cut.FindAll("[data-testid=dashboard-problem]").Select(p => p.TextContent).ToList();
            Assert.Contains(problems, p => p.Contains("The range in the address was not used (from 'tomorrow' is neither now-<duration>", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("'initech' is not a value of $tenant; showing 'All' instead.", StringComparison.Ordinal));
            Assert.Equal("24 req/s", cut.Find("[data-panel-id=request-rate] [data-testid=stat-value]").TextContent);
        }, TimeSpan.FromSeconds(20));
        Assert.Contains("Last 1 hour", cut.Find("[data-testid=range-picker]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executive_ForATenantAdmin_FixesTheTenantAndShowsOnlyTheirData()
    {
        var (ctx, stores) = Create(Role.TenantAdmin, "acme");
        await using var _ctx = ctx;
        Traffic(stores);

        var cut = ctx.Render<Executive>();

        cut.WaitForAssertion(() => Assert.Equal("empty", cut.Find("[data-panel-id=request-rate]").GetAttribute("data-state")), TimeSpan.FromSeconds(20));
        // The series belong to the "default" tenant, not acme: the engine's tenant scope hides them.
        var tenantVariable = cut.Find("[data-testid=variable-tenant]");
        Assert.Equal("true", tenantVariable.GetAttribute("aria-disabled"));
        Assert.Equal("acme", tenantVariable.TextContent);
    }

    [Fact]
    public async Task UnknownDashboard_SaysSo()
    {
        var (ctx, _) = Create();
        await using var _ctx = ctx;

        var cut = ctx.Render<DashboardPage>(p => p.Add(x => x.Uid, "nope"));

        Assert.Contains("There is no dashboard with the id nope", cut.Find("[data-testid=dashboard-not-found]").TextContent, StringComparison.Ordinal);
    }
}
