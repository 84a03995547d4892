using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Dashboards;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Tests.Components;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>The dashboard editor and the dashboard page's Export/Edit buttons, over the real store on a real SQLite database.</summary>
public sealed class DashboardEditorTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsconsole-editor-").FullName;
    private BunitContext? _ctx;
    private BunitJSModuleInterop? _chart;

    private readonly TelemetryStores _stores = new(new HotStoreOptions(), TimeProvider.System);

    private async Task<(BunitContext Ctx, DashboardStore Store)> CreateAsync(Role role = Role.Admin, string? tenant = null, IReadOnlyList<Alert>? alerts = null)
    {
        File.WriteAllText(Path.Combine(_folder, "team.json"), DashboardApiTests.Doc("team", "Team"));
        var ctx = ComponentTestContext.Create(role, tenant);
        _ctx = ctx;
        await DashboardServices.AddAsync(ctx.Services, _stores);
        var data = (ServiceProvider)ctx.Services.Last(d => d.ServiceType == typeof(ServiceProvider)).ImplementationInstance!;
        var store = await DashboardServices.AddStoreAsync(ctx.Services, data, _folder);
        if (alerts is not null)
        {
            var alertStore = new AlertStore(data.GetRequiredService<IAlertingRepository>(), TimeProvider.System);
            alertStore.Load(alerts);
            ctx.Services.AddSingleton(alertStore);
        }
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.Services.AddScoped<DashboardLiveSession>();
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _chart = ctx.JSInterop.SetupModule(OcChart.ModulePath);
        _chart.Mode = JSRuntimeMode.Loose;
        return (ctx, store);
    }

    private static IRenderedComponent<DashboardEditor> Edit(BunitContext ctx, string? uid = "team") =>
        ctx.Render<DashboardEditor>(p => p.Add(e => e.Uid, uid));

    private static void Type(IRenderedComponent<DashboardEditor> cut, string json) => cut.Find("textarea[data-testid=editor-json]").Input(json);

    [Fact]
    public async Task Admin_EditsTheJson_SeesThePreviewFollow_SavesWithAMessage_AndTheVersionIsInTheHistory()
    {
        var (ctx, store) = await CreateAsync();
        var cut = Edit(ctx);
        Assert.Contains("Requests", cut.Find("[data-testid=editor-preview]").TextContent, StringComparison.Ordinal);

        Type(cut, DashboardApiTests.Doc("team", "Team", "Error budget"));
        cut.WaitForAssertion(() => Assert.Contains("Error budget", cut.Find("[data-testid=editor-preview]").TextContent, StringComparison.Ordinal));
        cut.Find("input[data-testid=editor-message]").Input("budget panel");
        cut.Find("button[data-testid=editor-save]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Saved as version 2.", cut.Find("[data-testid=editor-outcome]").TextContent.Trim()));
        Assert.Equal(2, store.Find("team")!.Version);
        Assert.Equal("Error budget", store.Find("team")!.Dashboard.Panels.Single().Title);
        var history = cut.FindAll("[data-testid=editor-version]").Select(r => r.TextContent).ToList();
        Assert.Equal(2, history.Count);
        Assert.Contains("budget panel", history[0], StringComparison.Ordinal);
        Assert.Contains("(current)", history[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTitleField_WritesTheTitleIntoTheJson()
    {
        var (ctx, _) = await CreateAsync();
        var cut = Edit(ctx);

        cut.Find("input[data-testid=editor-title]").Input("Team overview");

        cut.WaitForAssertion(() => Assert.Contains("\"title\": \"Team overview\"", cut.Find("textarea[data-testid=editor-json]").GetAttribute("value") ?? cut.Find("textarea[data-testid=editor-json]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidJson_ListsEachProblemByPanelAndField_DisablesSave_AndSavesNothing()
    {
        var (ctx, store) = await CreateAsync();
        var cut = Edit(ctx);

        Type(cut, DashboardApiTests.Doc("team", "Team", "Latency", "sum(rate(x[5m])", width: 30));

        cut.WaitForAssertion(() =>
        {
            var errors = cut.FindAll("[data-testid=editor-error]").Select(e => e.TextContent).ToList();
            Assert.Contains(errors, e => e.Contains("panel 'Latency'", StringComparison.Ordinal) && e.Contains("gridPos.w 30 must be 1–24", StringComparison.Ordinal));
            Assert.True(errors.Count >= 2, string.Join(" | ", errors));
        });
        Assert.True(cut.Find("button[data-testid=editor-save]").HasAttribute("disabled"));
        Assert.NotEmpty(cut.FindAll("[data-testid=editor-no-preview]"));
        Assert.Equal(1, store.Find("team")!.Version);

        Type(cut, "{ \"uid\": ");
        cut.WaitForAssertion(() => Assert.Contains("not valid dashboard JSON", cut.Find("[data-testid=editor-errors]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SavingOverANewerVersion_SaysWhoSavedIt_KeepsTheEdits_AndChangesNothing()
    {
        var (ctx, store) = await CreateAsync();
        var cut = Edit(ctx);
        Type(cut, DashboardApiTests.Doc("team", "Mine"));
        cut.WaitForAssertion(() => Assert.Equal("Mine", cut.Find("input[data-testid=editor-title]").GetAttribute("value")));

        // Meanwhile another administrator saves version 2.
        var other = ComponentTestContext.Principal(Role.Admin, null, "Other Admin");
        Assert.Equal(DashboardChangeOutcome.Saved,
            (await store.SaveAsync("team", DashboardJson.Parse(DashboardApiTests.Doc("team", "Theirs"), "test"), 1, "theirs", other, null, default)).Outcome);
        cut.Find("button[data-testid=editor-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("is at version 2", cut.Find("[data-testid=editor-outcome]").TextContent, StringComparison.Ordinal));
        Assert.Equal("Theirs", store.Find("team")!.Dashboard.Title);
        Assert.Contains("\"Mine\"", cut.Find("textarea[data-testid=editor-json]").GetAttribute("value") ?? cut.Find("textarea[data-testid=editor-json]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_MakesAnOldVersionCurrent()
    {
        var (ctx, store) = await CreateAsync();
        var admin = ComponentTestContext.Principal(Role.Admin, null, "Admin");
        await store.SaveAsync("team", DashboardJson.Parse(DashboardApiTests.Doc("team", "Team later"), "test"), 1, null, admin, null, default);
        var cut = Edit(ctx);

        cut.Find("button[data-testid=editor-restore-1]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Version 1 restored as version 3.", cut.Find("[data-testid=editor-outcome]").TextContent.Trim()));
        Assert.Equal("Team", store.Find("team")!.Dashboard.Title);
        Assert.Equal(3, cut.FindAll("[data-testid=editor-version]").Count);
    }

    [Fact]
    public async Task NewDashboard_IsCreated_AndDelete_AsksFirst_ThenRemovesIt()
    {
        var (ctx, store) = await CreateAsync();
        var dialogs = ctx.Render<MudDialogProvider>();
        var cut = Edit(ctx, uid: null);
        Type(cut, DashboardApiTests.Doc("scratch", "Scratch"));
        Assert.Equal("Create", cut.Find("button[data-testid=editor-save]").TextContent.Trim());
        cut.WaitForAssertion(() => Assert.Equal("Scratch", cut.Find("input[data-testid=editor-title]").GetAttribute("value")));
        cut.Find("button[data-testid=editor-save]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(store.Find("scratch")));
        Assert.EndsWith("/dashboards/scratch", ctx.Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);

        var editor = Edit(ctx, "scratch");
        editor.Find("button[data-testid=editor-delete]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete \"Scratch\" (scratch)", dialogs.Markup, StringComparison.Ordinal));
        Assert.NotNull(store.Find("scratch")); // nothing yet: it asks first
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        editor.WaitForAssertion(() => Assert.Null(store.Find("scratch")));
        Assert.EndsWith("/dashboards", ctx.Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionedDashboard_OffersResetNotDelete()
    {
        var (ctx, _) = await CreateAsync();
        var cut = Edit(ctx);

        Assert.Empty(cut.FindAll("[data-testid=editor-delete]"));
        Assert.True(cut.Find("button[data-testid=editor-reset]").HasAttribute("disabled")); // not edited yet: nothing to reset
    }

    [Theory]
    [InlineData(Role.Admin, true)]
    [InlineData(Role.Executive, false)]
    [InlineData(Role.TenantAdmin, false)]
    public async Task DashboardPage_OffersExportToViewers_AndEditToAdminsOnly(Role role, bool canEdit)
    {
        var (ctx, _) = await CreateAsync(role);

        var cut = ctx.Render<DashboardView>(p => p.Add(v => v.Uid, "team"));

        Assert.Equal("/api/v1/dashboards/team/export", cut.Find("[data-testid=dashboard-export]").GetAttribute("href"));
        Assert.Equal(canEdit, cut.FindAll("[data-testid=dashboard-edit]").Count == 1);
    }

    [Theory]
    [InlineData(Role.TenantAdmin, "acme", "AcmeSlow")]
    [InlineData(Role.Operator, null, "AcmeSlow,GlobexDown")]
    public async Task DashboardPage_MarksTheViewersAlertsOnTimeSeries_ATenantAdminNeverSeesAnotherTenants(Role role, string? tenant, string expected)
    {
        var now = DateTimeOffset.UtcNow;
        Alert Firing(string name, string severity, string alertTenant) => new()
        {
            Id = Guid.NewGuid().ToString("N"),
            Labels = LabelSet.From(("alertname", name), ("severity", severity)),
            State = AlertState.Firing,
            Origin = AlertOrigin.Rule,
            ActiveAt = now.AddMinutes(-12),
            FiredAt = now.AddMinutes(-10),
            UpdatedAt = now,
            TenantId = alertTenant,
        };
        var samples = new List<SeriesSample>();
        for (var i = 0; i <= 40; i++)
        {
            foreach (var t in new[] { "acme", "globex" })
            {
                samples.Add(new SeriesSample("default", LabelSet.From(("__name__", "http_requests_total"), ("tenant_id", t)), now.ToUnixTimeMilliseconds() - ((40 - i) * 15_000L), i * 10.0));
            }
        }

        _stores.Store(new TelemetryBatch { Samples = samples });
        var (ctx, _) = await CreateAsync(role, tenant, [Firing("AcmeSlow", "warning", "acme"), Firing("GlobexDown", "critical", "globex")]);
        var chart = _chart!;

        var cut = ctx.Render<DashboardView>(p => p.Add(v => v.Uid, "team"));

        cut.WaitForState(() => chart.Invocations.Any(i => i.Identifier == "create"), TimeSpan.FromSeconds(20));
        var spec = (ChartSpec)chart.Invocations.First(i => i.Identifier == "create").Arguments[2]!;
        Assert.Equal(expected, string.Join(',', spec.Annotations.Select(a => a.Label).Order()));
        Assert.All(spec.Annotations, a => Assert.Equal(a.Label == "AcmeSlow" ? AlertAnnotations.Amber : PanelStyle.Hex("red", false), a.Color));
    }

    [Fact]
    public async Task EditorRoute_IsForbiddenToNonAdmins()
    {
        using var factory = new OpsConsoleFactory();
        using var executive = factory.CreateApiClient(await factory.CreateKeyAsync("exec-editor", "role", "Executive"));
        using var admin = factory.CreateAdminClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await executive.GetAsync("/dashboards/executive/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await executive.GetAsync("/dashboards/new")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/dashboards/executive/edit")).StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ctx is not null)
        {
            await _ctx.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // the OS temp cleaner gets it
        }
    }
}
