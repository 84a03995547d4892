using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Rules;
using OpsConsole.Data;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Rules;
using OpsConsole.Web.Tests.Alerting;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Components;

/// <summary>
/// The alerting settings pages rendered by bUnit over the services of a real console (SQLite, the real rule catalog,
/// alerting configuration service, notifier and audit log): what admins edit, what operators only read, validation.
/// </summary>
public sealed class AlertingSettingsPageTests : IDisposable
{
    private readonly OpsConsoleFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private BunitContext Context(Role role)
    {
        var ctx = ComponentTestContext.Create(role);
        var host = _factory.Services;
        ctx.Services.AddSingleton(host.GetRequiredService<TimeProvider>());
        ctx.Services.AddSingleton(host.GetRequiredService<RuleGroupCatalog>());
        ctx.Services.AddSingleton(host.GetRequiredService<RuleScheduler>());
        ctx.Services.AddSingleton(host.GetRequiredService<PromQlQueries>());
        ctx.Services.AddSingleton(host.GetRequiredService<AlertingConfigService>());
        ctx.Services.AddSingleton(host.GetRequiredService<Notifier>());
        ctx.Services.AddSingleton(host.GetRequiredService<IAlertingRepository>());
        ctx.Services.AddSingleton(host.GetRequiredService<AlertOperations>());
        ctx.Services.AddSingleton(host.GetRequiredService<AlertFeed>());
        ctx.Services.AddSingleton(host.GetRequiredService<AuditTrail>());
        ctx.JSInterop.SetupModule(OcChart.ModulePath).Mode = JSRuntimeMode.Loose;
        return ctx;
    }

    private static (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<AlertingSettingsPage> Page) Render(BunitContext ctx, string section)
    {
        var dialogs = ctx.Render<MudDialogProvider>();
        ctx.Render<MudPopoverProvider>();
        return (dialogs, ctx.Render<AlertingSettingsPage>(p => p.Add(x => x.Section, section)));
    }

    private static IElement Input(IElement field) =>
        field.TagName is "INPUT" or "TEXTAREA" ? field : field.QuerySelector("input, textarea") ?? throw new InvalidOperationException("no input in " + field.OuterHtml);

    private static Task ClickButtonAsync(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == text).ClickAsync(new());

    private async Task<int> AuditCountAsync(string action)
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        return await db.AuditLog.CountAsync(e => e.Action == action);
    }

    private const string GoodGroup = "groups:\n  - name: settings-test\n    interval: 1m\n    rules:\n      - alert: AlwaysOne\n        expr: vector(1) > 0.5\n        labels:\n          severity: warning\n";

    [Fact]
    public async Task Rules_AdminWithABrokenExpression_SeesThePositionedErrorAndNothingIsSaved()
    {
        await using var ctx = Context(Role.Admin);
        var (_, page) = Render(ctx, "rules");
        var before = _factory.Services.GetRequiredService<RuleGroupCatalog>().Groups.Count;

        await page.Find("[data-testid=rule-new]").ClickAsync(new());
        Input(page.Find("[data-testid=rule-yaml]")).Input(GoodGroup.Replace("vector(1) > 0.5", "rate(http_requests_total[5m] > 1", StringComparison.Ordinal));
        await page.Find("[data-testid=rule-validate]").ClickAsync(new());

        var error = page.WaitForElement("[data-testid=rule-error]");
        Assert.NotNull(error.GetAttribute("data-line"));
        Assert.Matches(@"^\d+:\d+: ", error.TextContent.Trim());
        Assert.Contains("AlwaysOne", error.TextContent, StringComparison.Ordinal);
        await page.Find("[data-testid=rule-save]").ClickAsync(new());
        Assert.NotEmpty(page.FindAll("[data-testid=rule-error]"));
        Assert.Equal(before, _factory.Services.GetRequiredService<RuleGroupCatalog>().Groups.Count);
        Assert.Equal(0, await AuditCountAsync("rules.group.create"));
    }

    [Fact]
    public async Task Rules_AdminValidatesPreviewsSavesAndDeletesAGroup_EachAudited()
    {
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render(ctx, "rules");

        await page.Find("[data-testid=rule-new]").ClickAsync(new());
        Input(page.Find("[data-testid=rule-yaml]")).Input(GoodGroup);
        await page.Find("[data-testid=rule-validate]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("settings-test would be created (1 rule(s))", page.Find("[data-testid=rule-valid]").TextContent, StringComparison.Ordinal));
        // The preview graphs vector(1) over the last hour with the rule's threshold.
        page.WaitForAssertion(() => Assert.Contains(ctx.JSInterop.Invocations, i => i.Identifier == "create"));
        var spec = (ChartSpec)ctx.JSInterop.Invocations.First(i => i.Identifier == "create").Arguments[2]!;
        Assert.Equal(0.5, Assert.Single(spec.Thresholds).Value);
        Assert.All(Assert.Single(spec.Series).Points!, p => Assert.Equal(1, p.Y));
        Assert.DoesNotContain(_factory.Services.GetRequiredService<RuleGroupCatalog>().Groups, g => g.Name == "settings-test"); // validating stores nothing

        await page.Find("[data-testid=rule-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("settings-test (create, 1 rule(s))", page.Find("[data-testid=rule-message]").TextContent, StringComparison.Ordinal));
        var row = page.Find("[data-testid=rule-group][data-name=settings-test]");
        Assert.Contains("AlwaysOne", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, await AuditCountAsync("rules.group.create"));

        _ = row.QuerySelector("[data-testid=rule-delete]")!.ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the rule group settings-test", dialogs.Markup, StringComparison.Ordinal));
        await ClickButtonAsync(dialogs, "Delete");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=rule-group][data-name=settings-test]")));
        Assert.Equal(1, await AuditCountAsync("rules.group.delete"));
    }

    [Fact]
    public async Task Notifications_OperatorReadsEverythingWithSecretsMaskedAndHasNoEditOrTestButtons()
    {
        await using var hook = await HttpReceiver.StartAsync();
        var admin = ComponentTestContext.Principal(Role.Admin, null, "Ada");
        var config = _factory.Services.GetRequiredService<AlertingConfigService>();
        var doc = config.Current.Document.Clone();
        doc.Channels.Add(new ChannelOptions { Name = "pd", Type = "pagerduty", RoutingKey = "super-secret-key", Url = hook.Url });
        doc.Receivers[0].Channels.Add("pd");
        Assert.True((await config.SaveAsync(doc, admin, null, null, CancellationToken.None)).Ok);
        await using var ctx = Context(Role.Operator);

        var (_, page) = Render(ctx, "notifications");

        Assert.NotNull(page.Find("[data-testid=read-only-note]"));
        Assert.Contains("routing key ********", page.Find("[data-testid=channel-row][data-name=pd]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-key", page.Markup, StringComparison.Ordinal);
        Assert.Contains("ServiceDown", page.Find("[data-testid=section-inhibitRules]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid^=edit-]"));
        Assert.Empty(page.FindAll("[data-testid=channel-test]"));
        Assert.Empty(page.FindAll("[data-testid=channel-edit]"));
        Assert.Empty(page.FindAll("[data-testid=channel-new]"));
    }

    [Fact]
    public async Task Rules_Operator_SeesGroupsWithoutEditButtons()
    {
        var catalog = _factory.Services.GetRequiredService<RuleGroupCatalog>();
        var admin = ComponentTestContext.Principal(Role.Admin, null, "Ada");
        Assert.True((await catalog.ImportAsync(GoodGroup, admin, dryRun: false, null, CancellationToken.None)).IsValid);
        await using var ctx = Context(Role.Operator);

        var (_, page) = Render(ctx, "rules");

        Assert.Contains("AlwaysOne", page.Find("[data-testid=rule-group][data-name=settings-test]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=rule-new]"));
        Assert.Empty(page.FindAll("[data-testid=rule-edit]"));
        Assert.Empty(page.FindAll("[data-testid=rule-delete]"));
    }

    [Fact]
    public async Task Channels_AdminAddsAWebhook_ABadUrlIsShownOnTheFieldThenTheTestNotificationResultIsShown()
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var ctx = Context(Role.Admin);
        var (_, page) = Render(ctx, "notifications");
        var config = _factory.Services.GetRequiredService<AlertingConfigService>();
        var version = config.Current.Version;

        await page.Find("[data-testid=channel-new]").ClickAsync(new());
        Input(page.Find("[data-testid=channel-name]")).Input("team-hook");
        Input(page.Find("[data-testid=channel-url]")).Input("not-a-url");
        await page.Find("[data-testid=channel-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("must be an absolute http(s) URL", page.Find("[data-testid=channel-form]").TextContent, StringComparison.Ordinal));
        Assert.Equal(version, config.Current.Version);

        Input(page.Find("[data-testid=channel-url]")).Input(hook.Url + "/team");
        await page.Find("[data-testid=channel-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains($"Saved as version {version + 1}", page.Find("[data-testid=config-message]").TextContent, StringComparison.Ordinal));
        Assert.Equal("webhook", config.Current.Document.Channels.Single(c => c.Name == "team-hook").Type);

        await page.Find("[data-testid=channel-row][data-name=team-hook] [data-testid=channel-test]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.StartsWith("Delivered (status 202", page.Find("[data-testid=channel-test-result]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Equal("/team", Assert.Single(hook.Received).Path);

        hook.Status.Enqueue(400);
        await page.Find("[data-testid=channel-row][data-name=team-hook] [data-testid=channel-test]").ClickAsync(new());
        page.WaitForAssertion(() =>
        {
            var text = page.Find("[data-testid=channel-test-result]").TextContent;
            Assert.Contains("Not delivered (status 400", text, StringComparison.Ordinal);
            Assert.Contains("HTTP 400", text, StringComparison.Ordinal);
        });
        Assert.Equal(2, await AuditCountAsync("notifications.test"));
    }

    [Fact]
    public async Task Routes_AdminEditsAsJson_BadJsonAndAnUnknownReceiverAreExplainedAndNothingChanges()
    {
        await using var ctx = Context(Role.Admin);
        var (_, page) = Render(ctx, "notifications");
        var config = _factory.Services.GetRequiredService<AlertingConfigService>();
        var version = config.Current.Version;

        await page.Find("[data-testid=edit-routes]").ClickAsync(new());
        Input(page.Find("[data-testid=section-json]")).Input("{ \"receiver\": \"default\", ");
        await page.Find("[data-testid=section-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Not valid JSON at line 1", page.Find("[data-testid=section-routes]").TextContent, StringComparison.Ordinal));

        Input(page.Find("[data-testid=section-json]")).Input("""{ "receiver": "default", "routes": [ { "receiver": "ghost", "matchers": ["service=\"db\""] } ] }""");
        await page.Find("[data-testid=section-save]").ClickAsync(new());
        page.WaitForAssertion(() =>
        {
            var error = page.Find("[data-testid=config-error]");
            Assert.Equal("route.routes[0].receiver", error.GetAttribute("data-field"));
            Assert.Contains("\"ghost\" is not one of receivers", error.TextContent, StringComparison.Ordinal);
        });
        Assert.Equal(version, config.Current.Version);

        Input(page.Find("[data-testid=section-json]")).Input("""{ "receiver": "default", "groupBy": ["alertname"], "routes": [ { "receiver": "default", "matchers": ["service=\"db\""], "groupWait": "5s" } ] }""");
        await page.Find("[data-testid=section-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=route-node]").Count));
        Assert.Equal(version + 1, config.Current.Version);
        Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(_factory.Services.GetRequiredService<Notifier>().Policy.Root.Routes).GroupWait);
    }

    [Fact]
    public async Task InhibitionRules_SavedWhileTheAlertsPageIsOpen_ChangeWhatItShowsAsSuppressedAtOnce()
    {
        await _factory.Services.GetRequiredService<AlertStore>().ReceiveAsync(
        [
            new PostedAlert(new Dictionary<string, string> { ["alertname"] = "ServiceDown", ["severity"] = "critical", ["service"] = "db" }, null, null, null, null),
            new PostedAlert(new Dictionary<string, string> { ["alertname"] = "DbSlow", ["severity"] = "warning", ["service"] = "db" }, null, null, null, null),
        ], "default", CancellationToken.None);
        await using var ctx = Context(Role.Admin);
        ctx.Render<MudPopoverProvider>();
        var alerts = ctx.Render<Alerts>();
        // The seeded rule: a critical ServiceDown inhibits the warnings of its service.
        Assert.Equal(("1", "1"), (alerts.Find("[data-testid=count-firing]").TextContent.Trim(), alerts.Find("[data-testid=count-suppressed]").TextContent.Trim()));

        var config = _factory.Services.GetRequiredService<AlertingConfigService>();
        var doc = config.Current.Document.Clone();
        doc.InhibitRules.Clear();
        Assert.True((await config.SaveAsync(doc, ComponentTestContext.Principal(Role.Admin, null, "Ada"), null, null, CancellationToken.None)).Ok);

        alerts.WaitForAssertion(() =>
            Assert.Equal(("2", "0"), (alerts.Find("[data-testid=count-firing]").TextContent.Trim(), alerts.Find("[data-testid=count-suppressed]").TextContent.Trim())));
    }

    [Fact]
    public async Task Silences_OperatorCreatesWithAPreviewThenExpiresWithConfirmation()
    {
        await _factory.Services.GetRequiredService<AlertStore>().ReceiveAsync(
            [new PostedAlert(new Dictionary<string, string> { ["alertname"] = "DbSlow", ["severity"] = "warning", ["service"] = "db" }, null, null, null, null)],
            "default", CancellationToken.None);
        await using var ctx = Context(Role.Operator);
        var (dialogs, page) = Render(ctx, "silences");
        Assert.NotNull(page.Find("[data-testid=silences-empty]"));

        _ = page.Find("[data-testid=silence-new]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll("[data-testid=silence-matcher-add]")));
        await dialogs.Find("[data-testid=silence-matcher-add]").ClickAsync(new());
        Input(dialogs.Find("[data-testid=silence-matcher]")).Input("service=\"db\"");
        _factory.Clock.Advance(TimeSpan.FromSeconds(1)); // the matcher field's debounce runs on the console's (fake) clock
        dialogs.WaitForAssertion(() => Assert.Contains("Would silence 1 active alert(s)", dialogs.Find("[data-testid=silence-preview-count]").TextContent, StringComparison.Ordinal));
        Input(dialogs.Find("[data-testid=silence-comment]")).Input("db maintenance");
        _factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await dialogs.Find("[data-testid=silence-confirm]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("1 alert(s)", page.Find("[data-testid=silence-row] [data-testid=silence-matches]").TextContent, StringComparison.Ordinal));
        Assert.Contains("db maintenance", page.Find("[data-testid=silence-row]").TextContent, StringComparison.Ordinal);

        _ = page.Find("[data-testid=silence-expire]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Expire the silence service=\"db\" now?", dialogs.Markup, StringComparison.Ordinal));
        await ClickButtonAsync(dialogs, "Expire");
        page.WaitForAssertion(() => Assert.Contains("expired", page.Find("[data-testid=silences-message]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=silence-row]"));
        Assert.Equal(1, await AuditCountAsync("silences.expire"));
    }
}
