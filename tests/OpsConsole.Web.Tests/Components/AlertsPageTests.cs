using AngleSharp.Dom;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Core.Alerting;
using OpsConsole.Data;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Components.Pages;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The triage screen over a real alert store, silence store, notifier and audit log (SQLite).</summary>
public sealed class AlertsPageTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-alerts-page-").FullName;
    private BunitContext _ctx = default!;
    private AlertStore _store = default!;
    private SilenceStore _silences = default!;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync(Role role)
    {
        _ctx = ComponentTestContext.Create(role);
        var time = TimeProvider.System;
        var repository = new InMemoryAlertingRepository();
        var feed = new AlertFeed(time);
        _store = new AlertStore(repository, time, observers: [feed]);
        _silences = new SilenceStore(repository, time);
        var notifier = new Notifier(_store, _silences, repository, new DeliveryRunner(repository, time, new DeliveryOptions()));
        _ctx.Services.AddOpsConsoleData(new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = "Data Source=alerts.db" }, _directory);
        _ctx.Services.AddSingleton(time);
        await Dashboards.DashboardServices.AddAsync(_ctx.Services, new Core.Storage.TelemetryStores(new Core.Storage.HotStoreOptions(), time));
        _ctx.Services.AddSingleton<IAlertingRepository>(repository);
        _ctx.Services.AddSingleton(feed);
        _ctx.Services.AddSingleton(_store);
        _ctx.Services.AddSingleton(_silences);
        _ctx.Services.AddSingleton(notifier);
        _ctx.Services.AddSingleton<AuditTrail>();
        _ctx.Services.AddSingleton<AlertOperations>();
        await _ctx.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        var now = time.GetUtcNow();
        _store.Load(
        [
            Make("CheckoutDown", "critical", "checkout", AlertState.Firing, now.AddMinutes(-5)),
            Make("SlowQueries", "warning", "rag", AlertState.Firing, now.AddMinutes(-9)),
            Make("NoisyDisk", "warning", "rag", AlertState.Firing, now.AddMinutes(-20)),
            Make("LatencyCreeping", "warning", "api", AlertState.Pending, now.AddMinutes(-1)),
            Make("QueueBacklog", "critical", "queue", AlertState.Firing, now.AddMinutes(-30)) with { Acknowledgement = new Acknowledgement("olga", now.AddMinutes(-25), "looking") },
            Make("CertExpiry", "info", "edge", AlertState.Resolved, now.AddHours(-2)) with { ResolvedAt = now.AddHours(-1) },
        ]);
        var silence = await _silences.SetAsync(new SilenceRequest(null, Matchers.Parse("alertname=\"NoisyDisk\""), now, now.AddHours(1), "olga", "disk swap planned"), CancellationToken.None);
        Assert.Equal(SilenceOutcome.Created, silence.Outcome);
    }

    public async Task DisposeAsync()
    {
        if (_ctx is not null)
        {
            await _ctx.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static Alert Make(string name, string severity, string service, AlertState state, DateTimeOffset at) => new()
    {
        Id = Alert.NewId(),
        Labels = LabelSet.From(("alertname", name), ("severity", severity), ("service", service)),
        Annotations = new Dictionary<string, string> { ["summary"] = $"{name} on {service}", ["runbook_url"] = $"https://runbooks.example/{name}" },
        State = state,
        Origin = AlertOrigin.External,
        ActiveAt = at,
        FiredAt = state == AlertState.Pending ? null : at,
        UpdatedAt = at,
    };

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<Alerts> Page) Render()
    {
        var dialogs = _ctx.Render<MudDialogProvider>();
        _ctx.Render<MudPopoverProvider>();
        return (dialogs, _ctx.Render<Alerts>());
    }

    private static string Count(IRenderedComponent<Alerts> page, string tab) => page.Find($"[data-testid=count-{tab}]").TextContent.Trim();

    private static List<string> Names(IRenderedComponent<Alerts> page) => [.. page.FindAll("[data-testid=alert-name]").Select(e => e.TextContent.Trim())];

    private static IElement Row(IRenderedComponent<Alerts> page, string name) =>
        page.FindAll("[data-testid=alert-row]").Single(r => r.QuerySelector("[data-testid=alert-name]")!.TextContent.Trim() == name);

    /// <summary>The text box of a MudTextField found by its test id (the id lands on the input, or on a wrapper around it).</summary>
    private static IElement Input(IElement field) =>
        field.TagName is "INPUT" or "TEXTAREA" ? field : field.QuerySelector("input, textarea") ?? throw new InvalidOperationException("no input in " + field.OuterHtml);

    [Fact]
    public async Task Page_WithAlertsInEveryState_ShowsTabCountsAndTheFiringAlertsFirst()
    {
        await StartAsync(Role.Operator);
        var (_, page) = Render();

        Assert.Equal("2", Count(page, "firing"));
        Assert.Equal("1", Count(page, "pending"));
        Assert.Equal("1", Count(page, "acknowledged"));
        Assert.Equal("1", Count(page, "suppressed"));
        Assert.Equal("1", Count(page, "resolved"));
        Assert.Equal(["CheckoutDown", "SlowQueries"], Names(page)); // newest first; the silenced and acknowledged ones are on their tabs
        Assert.Contains("mud-chip-color-error", Row(page, "CheckoutDown").QuerySelector("[data-testid=severity]")!.ClassName);
        Assert.Contains("mud-chip-color-warning", Row(page, "SlowQueries").QuerySelector("[data-testid=severity]")!.ClassName);

        page.Find("[data-testid=tab-suppressed]").Click();
        Assert.Equal(["NoisyDisk"], Names(page));
        page.Find("[data-testid=tab-resolved]").Click();
        Assert.Equal(["CertExpiry"], Names(page));
        Assert.Empty(page.FindAll("[data-testid=ack]")); // resolved alerts cannot be acknowledged
    }

    [Fact]
    public async Task Filter_TextAndLabelMatchers_NarrowTheListAndABadMatcherSaysWhyWithoutHidingAlerts()
    {
        await StartAsync(Role.Operator);
        var (_, page) = Render();

        Input(page.Find("[data-testid=filter-text]")).Input("checkout");
        page.WaitForAssertion(() => Assert.Equal(["CheckoutDown"], Names(page)));
        Input(page.Find("[data-testid=filter-text]")).Input("");
        page.WaitForAssertion(() => Assert.Equal(2, Names(page).Count));

        Input(page.Find("[data-testid=filter-labels]")).Input("service=\"rag\"");
        page.WaitForAssertion(() => Assert.Equal(["SlowQueries"], Names(page)));

        Input(page.Find("[data-testid=filter-labels]")).Input("service=\"rag");
        page.WaitForAssertion(() =>
        {
            Assert.Contains("Label filter:", page.Markup);
            Assert.Equal(2, Names(page).Count); // a broken filter filters nothing
        });
    }

    [Fact]
    public async Task Acknowledge_ThroughTheDialogWithAComment_MovesTheAlertToAcknowledgedAndAuditsIt()
    {
        await StartAsync(Role.Operator);
        var (dialogs, page) = Render();
        var alert = _store.Active().Single(a => a.Name == "CheckoutDown");

        _ = Row(page, "CheckoutDown").QuerySelector("[data-testid=ack]")!.ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Acknowledge CheckoutDown?", dialogs.Markup));
        Input(dialogs.Find("[data-testid=ack-comment]")).Input("rolling back the deploy");
        await dialogs.Find("[data-testid=ack-confirm]").ClickAsync(new());

        page.WaitForAssertion(() =>
        {
            Assert.Equal("1", Count(page, "firing"));
            Assert.Equal("2", Count(page, "acknowledged"));
            Assert.Equal(["SlowQueries"], Names(page));
        });
        var ack = _store.Get(alert.Id)!.Acknowledgement;
        Assert.NotNull(ack);
        Assert.Equal("rolling back the deploy", ack.Comment);
        await using var db = await _ctx.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var entry = await db.AuditLog.SingleAsync(e => e.Action == "alerts.acknowledge");
        Assert.Equal(alert.Id, entry.TargetId);
        Assert.Contains("rolling back the deploy", entry.After);
    }

    [Fact]
    public async Task Acknowledge_DialogCancelled_ChangesNothing()
    {
        await StartAsync(Role.Operator);
        var (dialogs, page) = Render();

        _ = Row(page, "CheckoutDown").QuerySelector("[data-testid=ack]")!.ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll("[data-testid=ack-cancel]")));
        await dialogs.Find("[data-testid=ack-cancel]").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=ack-cancel]")));
        Assert.Null(_store.Active().Single(a => a.Name == "CheckoutDown").Acknowledgement);
        Assert.Equal("2", Count(page, "firing"));
    }

    [Fact]
    public async Task BulkAcknowledge_SelectedAlerts_AreAllAcknowledged()
    {
        await StartAsync(Role.Operator);
        var (dialogs, page) = Render();

        Input(Row(page, "CheckoutDown").QuerySelector("[data-testid=select-alert]")!).Change(true);
        Input(Row(page, "SlowQueries").QuerySelector("[data-testid=select-alert]")!).Change(true);
        page.WaitForAssertion(() => Assert.Contains("2 selected", page.Find("[data-testid=bulk-actions]").TextContent));
        _ = page.Find("[data-testid=bulk-ack]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Acknowledge 2 alerts?", dialogs.Markup));
        await dialogs.Find("[data-testid=ack-confirm]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("0", Count(page, "firing")));
        Assert.All(_store.Active().Where(a => a.Name is "CheckoutDown" or "SlowQueries"), a => Assert.NotNull(a.Acknowledgement));
    }

    [Fact]
    public async Task Silence_DialogPrefilledFromTheAlertsLabels_PreviewsMatchesAndCreatesTheSilence()
    {
        await StartAsync(Role.Operator);
        var (dialogs, page) = Render();

        _ = Row(page, "SlowQueries").QuerySelector("[data-testid=silence]")!.ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Would silence 1 active alert(s)", dialogs.Find("[data-testid=silence-preview-count]").TextContent));
        var matchers = dialogs.FindAll("[data-testid=silence-matcher]").Select(f => Input(f).GetAttribute("value")).ToList();
        Assert.Contains("service=\"rag\"", matchers);
        Assert.Contains("alertname=\"SlowQueries\"", matchers);
        Assert.Equal("1h", Input(dialogs.Find("[data-testid=silence-duration]")).GetAttribute("value"));

        // Widen it to the whole service: the preview shows both rag alerts.
        var nameRow = dialogs.FindAll("[data-testid=silence-matcher]").Select(Input).Single(i => i.GetAttribute("value") == "alertname=\"SlowQueries\"");
        nameRow.Input("alertname=~\".+\"");
        dialogs.WaitForAssertion(() => Assert.Contains("Would silence 2 active alert(s)", dialogs.Find("[data-testid=silence-preview-count]").TextContent));

        Input(dialogs.Find("[data-testid=silence-comment]")).Input("rag reindex tonight");
        await dialogs.Find("[data-testid=silence-confirm]").ClickAsync(new());

        page.WaitForAssertion(() =>
        {
            Assert.Equal("1", Count(page, "firing"));
            Assert.Equal("2", Count(page, "suppressed"));
        });
        var created = _silences.List().Single(s => s.Comment == "rag reindex tonight");
        Assert.InRange(created.EndsAt - created.StartsAt, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        await using var db = await _ctx.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.AuditLog.CountAsync(e => e.Action == "silences.create"));
    }

    [Fact]
    public async Task Silence_WithoutCommentOrWithABadDuration_ShowsTheErrorAndCreatesNothing()
    {
        await StartAsync(Role.Operator);
        var (dialogs, page) = Render();
        var before = _silences.List().Count;

        _ = Row(page, "SlowQueries").QuerySelector("[data-testid=silence]")!.ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll("[data-testid=silence-confirm]")));
        await dialogs.Find("[data-testid=silence-confirm]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("comment is required", dialogs.Find("[data-testid=silence-error]").TextContent));

        Input(dialogs.Find("[data-testid=silence-comment]")).Input("maintenance");
        Input(dialogs.Find("[data-testid=silence-duration]")).Input("forever");
        await dialogs.Find("[data-testid=silence-confirm]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("is not a duration", dialogs.Find("[data-testid=silence-error]").TextContent));

        Assert.Equal(before, _silences.List().Count);
        Assert.Equal("2", Count(page, "firing"));
    }

    [Fact]
    public async Task Executive_SeesTheAlertsButNoActionButtons()
    {
        await StartAsync(Role.Executive);
        var (_, page) = Render();

        Assert.Equal(["CheckoutDown", "SlowQueries"], Names(page));
        Assert.Empty(page.FindAll("[data-testid=ack]"));
        Assert.Empty(page.FindAll("[data-testid=silence]"));
        Assert.Empty(page.FindAll("[data-testid=bulk-actions]"));
        Assert.Empty(page.FindAll("[data-testid=select-alert]"));
    }

    [Fact]
    public async Task NewAlert_PostedWhileThePageIsOpen_AppearsWithoutARerenderRequest()
    {
        await StartAsync(Role.Operator);
        var (_, page) = Render();
        Assert.Equal("2", Count(page, "firing"));

        await _store.ReceiveAsync(
            [new PostedAlert(new Dictionary<string, string> { ["alertname"] = "PaymentsDown", ["severity"] = "critical", ["service"] = "payments" }, null, null, null, null)],
            "default", CancellationToken.None);

        page.WaitForAssertion(() =>
        {
            Assert.Equal("3", Count(page, "firing"));
            Assert.Equal("PaymentsDown", Names(page)[0]);
        }, TimeSpan.FromSeconds(2));
    }

    private static PostedAlert Posted(string name, string severity) =>
        new(new Dictionary<string, string> { ["alertname"] = name, ["severity"] = severity, ["service"] = "payments" }, new Dictionary<string, string> { ["summary"] = name + " summary" }, null, null, null);

    [Fact]
    public async Task Sound_WhenEnabledInThisBrowser_AnnouncesOnlyNewCriticalAlertsOnce()
    {
        await StartAsync(Role.Operator);
        var sound = _ctx.JSInterop.SetupModule(Alerts.SoundModule);
        sound.Setup<bool>("isEnabled").SetResult(true);
        sound.SetupVoid("announce").SetVoidResult();
        var (_, page) = Render();
        page.WaitForAssertion(() => Assert.Equal("true", Input(page.Find("[data-testid=sound-toggle]")).HasAttribute("checked") ? "true" : "false"));

        await _store.ReceiveAsync([Posted("DiskAlmostFull", "warning")], "default", CancellationToken.None);
        page.WaitForAssertion(() => Assert.Equal("3", Count(page, "firing")));
        await _store.ReceiveAsync([Posted("PaymentsDown", "critical")], "default", CancellationToken.None);
        page.WaitForAssertion(() => Assert.Equal("4", Count(page, "firing")));
        await _store.ReceiveAsync([Posted("PaymentsDown", "critical"), Posted("Another", "warning")], "default", CancellationToken.None); // the same alert again, and a warning
        page.WaitForAssertion(() => Assert.Equal("5", Count(page, "firing")));

        // CheckoutDown (critical, there when the page opened) and the warnings are never announced; PaymentsDown once.
        var call = Assert.Single(sound.Invocations["announce"]);
        Assert.Equal("Critical: PaymentsDown", call.Arguments[0]);
        Assert.Equal("PaymentsDown — PaymentsDown summary", call.Arguments[1]);
        Assert.StartsWith("/alerts/", (string)call.Arguments[2]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sound_OffByDefault_AnnouncesNothingAndTurningItOnIsRemembered()
    {
        await StartAsync(Role.Operator);
        var sound = _ctx.JSInterop.SetupModule(Alerts.SoundModule);
        sound.Setup<bool>("isEnabled").SetResult(false);
        sound.Setup<string?>("setEnabled", _ => true).SetResult("granted");
        sound.SetupVoid("announce").SetVoidResult();
        var (_, page) = Render();

        await _store.ReceiveAsync([Posted("PaymentsDown", "critical")], "default", CancellationToken.None);
        page.WaitForAssertion(() => Assert.Equal("3", Count(page, "firing")));
        Assert.Empty(sound.Invocations["announce"]);

        Input(page.Find("[data-testid=sound-toggle]")).Change(true);
        page.WaitForAssertion(() => Assert.Equal(true, Assert.Single(sound.Invocations["setEnabled"]).Arguments[0]));
        await _store.ReceiveAsync([Posted("QueueStuck", "critical")], "default", CancellationToken.None);
        page.WaitForAssertion(() => Assert.Equal("4", Count(page, "firing")));
        page.WaitForAssertion(() => Assert.Equal("Critical: QueueStuck", Assert.Single(sound.Invocations["announce"]).Arguments[0]));
    }

    [Fact]
    public async Task Detail_OfAnAlert_ShowsLabelsRunbookHistoryAndLinksToItsWindow()
    {
        await StartAsync(Role.Operator);
        var (_, page) = Render();

        await Row(page, "CheckoutDown").QuerySelector("[data-testid=open-detail]")!.ClickAsync(new());

        var detail = page.Find("[data-testid=alert-detail]");
        Assert.Contains("checkout", detail.QuerySelector("[data-testid=detail-labels]")!.TextContent);
        Assert.Equal("https://runbooks.example/CheckoutDown", detail.QuerySelector("[data-testid=detail-runbook]")!.GetAttribute("href"));
        Assert.Equal("/services?service=checkout", detail.QuerySelector("[data-testid=link-service]")!.GetAttribute("href"));
        Assert.StartsWith("/traces?service=checkout&from=", detail.QuerySelector("[data-testid=link-traces]")!.GetAttribute("href"));
        Assert.StartsWith("/logs?q=service%3Acheckout&from=", detail.QuerySelector("[data-testid=link-logs]")!.GetAttribute("href"));
        Assert.NotNull(detail.QuerySelector("[data-testid=detail-no-deliveries]"));
    }

    [Fact]
    public async Task TenThousandFiringAlerts_ListRendersOnlyAWindowOfRows_AndALiveChangeShows()
    {
        await StartAsync(Role.Operator);
        var now = TimeProvider.System.GetUtcNow();
        _store.Load(Enumerable.Range(0, 10_000).Select(i => Make($"Bulk{i:D5}", i % 3 == 0 ? "critical" : "warning", $"svc{i % 40}", AlertState.Firing, now.AddSeconds(-i - 600))));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (_, page) = Render();
        var firstRender = clock.Elapsed;

        Assert.Equal("10002", Count(page, "firing"));
        Assert.InRange(page.FindAll("[data-testid=alert-row]").Count, 1, 500); // virtualized: a window, not 10,002 rows

        clock.Restart();
        await _store.ReceiveAsync(
            [new PostedAlert(new Dictionary<string, string> { ["alertname"] = "PaymentsDown", ["severity"] = "critical", ["service"] = "payments" }, null, null, null, null)],
            "default", CancellationToken.None);
        page.WaitForAssertion(() => Assert.Equal("10003", Count(page, "firing")));
        var liveUpdate = clock.Elapsed;

        // Timings are reported, not asserted (performance is measured by hand, not by the suite on a shared machine).
        Console.WriteLine($"10k alerts: first render {firstRender.TotalMilliseconds:0} ms, live update {liveUpdate.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Keyboard_JMovesTheCursorAndQuestionMarkShowsTheHelp()
    {
        await StartAsync(Role.Operator);
        var (_, page) = Render();

        await page.InvokeAsync(() => page.Instance.OnShortcut("j"));
        Assert.Equal("true", Row(page, "CheckoutDown").GetAttribute("data-cursor"));
        await page.InvokeAsync(() => page.Instance.OnShortcut("j"));
        Assert.Equal("true", Row(page, "SlowQueries").GetAttribute("data-cursor"));
        await page.InvokeAsync(() => page.Instance.OnShortcut("k"));
        Assert.Equal("true", Row(page, "CheckoutDown").GetAttribute("data-cursor"));

        await page.InvokeAsync(() => page.Instance.OnShortcut("?"));
        Assert.Contains("Keyboard shortcuts", page.Find("[data-testid=shortcut-help]").TextContent);
    }
}
