using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Rules;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Alerting;

/// <summary>Grouping, timing, muting and escalation of notifications, stepped through time.</summary>
public sealed class NotifierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly InMemoryAlertingRepository _repository = new();
    private readonly AlertStore _alerts;
    private readonly SilenceStore _silences;
    private readonly RecordingChannel _oncall = new("oncall");
    private readonly RecordingChannel _manager = new("manager");
    private readonly RecordingChannel _pager = new("pager", acknowledges: true);

    public NotifierTests()
    {
        _alerts = new AlertStore(_repository, _clock);
        _silences = new SilenceStore(_repository, _clock);
    }

    private Notifier Create(NotificationPolicy? policy = null)
    {
        var notifier = new Notifier(_alerts, _silences, _repository, new DeliveryRunner(_repository, _clock, new DeliveryOptions()));
        notifier.Configure(policy ?? Policy(), [_oncall, _manager, _pager]);
        return notifier;
    }

    private static NotificationPolicy Policy(EscalationPolicy? escalation = null, params InhibitRule[] inhibit) => new(
        ResolvedRoute.From(new Route { Receiver = "team", GroupBy = ["alertname", "service"] }, "team"),
        [new Receiver("team", escalation is null ? ["oncall"] : [], escalation?.Name)],
        escalation is null ? [] : [escalation],
        inhibit);

    private Task FireAsync(params (string Name, string Service, string Severity)[] alerts)
    {
        var rule = new AlertingRule("any", "x", 0, 0, new Dictionary<string, string>(), new Dictionary<string, string>());
        return Task.WhenAll(alerts.GroupBy(a => a.Name).Select(g => _alerts.ApplyRuleAsync(new AlertRuleResult("g", g.Key, rule with { Alert = g.Key },
            new Dictionary<string, string>(), _clock.GetUtcNow(),
            [.. g.Select(a => new AlertSample(LabelSet.From(("service", a.Service), ("severity", a.Severity)), 1, "default"))], new HashSet<string>()), default)));
    }

    private async Task<IReadOnlyList<Notification>> AtAsync(Notifier notifier, TimeSpan sinceStart)
    {
        _clock.AdjustTime(T0 + sinceStart);
        return await notifier.FlushAsync(default);
    }

    [Fact]
    public async Task Flush_NewGroup_WaitsGroupWaitThenNotifiesOnce()
    {
        var notifier = Create();
        await FireAsync(("Down", "rag", "critical"));

        Assert.Empty(await AtAsync(notifier, TimeSpan.FromSeconds(29)));
        var sent = Assert.Single(await AtAsync(notifier, TimeSpan.FromSeconds(30)));
        Assert.Empty(await AtAsync(notifier, TimeSpan.FromSeconds(31)));

        Assert.Equal(("firing", "firing"), (sent.Status, sent.Event));
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = "Down", ["service"] = "rag" }, sent.GroupLabels);
        Assert.Single(_oncall.Received);
        var delivery = Assert.Single(await _repository.DeliveriesAsync(null, 10, default));
        Assert.Equal(("oncall", "delivered", 1), (delivery.Channel, delivery.Status, delivery.Attempt));
    }

    [Fact]
    public async Task Flush_SecondAlertInTheGroup_WaitsForTheGroupIntervalAndSendsBoth()
    {
        var notifier = Create(new NotificationPolicy(
            ResolvedRoute.From(new Route { Receiver = "team", GroupBy = ["alertname"] }, "team"), [new Receiver("team", ["oncall"])], [], []));
        await FireAsync(("Down", "rag", "critical"));
        await AtAsync(notifier, TimeSpan.FromSeconds(30));
        _clock.AdjustTime(T0.AddMinutes(1));
        await FireAsync(("Down", "rag", "critical"), ("Down", "agent", "critical"));

        Assert.Empty(await AtAsync(notifier, TimeSpan.FromMinutes(5)));
        var sent = Assert.Single(await AtAsync(notifier, TimeSpan.FromMinutes(5.5)));

        Assert.Equal(2, sent.Alerts.Count);
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = "Down", ["severity"] = "critical" }, sent.CommonLabels);
    }

    [Fact]
    public async Task Flush_AlertResolves_ResolvedNotificationThenTheGroupIsOver()
    {
        var notifier = Create();
        await FireAsync(("Down", "rag", "critical"));
        await AtAsync(notifier, TimeSpan.FromSeconds(30));
        _clock.AdjustTime(T0.AddMinutes(2));
        await FireAsync(("Other", "x", "info")); // the Down rule returns nothing now…
        await _alerts.ApplyRuleAsync(new AlertRuleResult("g", "Down", new AlertingRule("Down", "x", 0, 0, new Dictionary<string, string>(), new Dictionary<string, string>()),
            new Dictionary<string, string>(), _clock.GetUtcNow(), [], new HashSet<string>()), default);

        var sent = await AtAsync(notifier, TimeSpan.FromSeconds(330));

        var resolved = Assert.Single(sent, n => n.GroupLabels["alertname"] == "Down");
        Assert.Equal("resolved", resolved.Status);
        Assert.Equal(AlertState.Resolved, Assert.Single(resolved.Alerts).State);
        Assert.DoesNotContain(await AtAsync(notifier, TimeSpan.FromHours(5)), n => n.GroupLabels["alertname"] == "Down");
    }

    [Fact]
    public async Task Flush_StillFiring_RemindsEveryRepeatIntervalUntilAcknowledged()
    {
        var notifier = Create();
        await FireAsync(("Down", "rag", "critical"));
        await AtAsync(notifier, TimeSpan.FromSeconds(30));

        Assert.Empty(await AtAsync(notifier, TimeSpan.FromHours(4)));
        Assert.Single(await AtAsync(notifier, TimeSpan.FromHours(4.1)));
        await _alerts.AcknowledgeAsync(Assert.Single(_alerts.Active()).Id, "operator", null, default);

        Assert.Empty(await AtAsync(notifier, TimeSpan.FromHours(9)));
        Assert.Equal(2, _oncall.Received.Count);
    }

    [Fact]
    public async Task Flush_SilencedOrInhibited_NotNotified()
    {
        var inhibit = new InhibitRule(Matchers.Parse("severity=\"critical\""), Matchers.Parse("severity=\"warning\""), ["service"]);
        var notifier = Create(Policy(null, inhibit));
        await _silences.SetAsync(new SilenceRequest(null, Matchers.Parse("service=\"billing\""), T0, T0.AddHours(1), "operator", "maintenance"), default);
        await FireAsync(("Down", "rag", "critical"), ("Latency", "rag", "warning"), ("Latency", "agent", "warning"), ("Errors", "billing", "critical"));

        var sent = await AtAsync(notifier, TimeSpan.FromSeconds(30));

        Assert.Equal(["Down/rag", "Latency/agent"], sent.Select(n => n.GroupLabels["alertname"] + "/" + n.GroupLabels["service"]).Order());
        var warning = _alerts.Active().Single(a => a.Name == "Latency" && a.Labels.Get("service") == "rag");
        var down = _alerts.Active().Single(a => a.Name == "Down");
        Assert.Equal([down.Fingerprint], notifier.MuteStatusOf(warning, _clock.GetUtcNow()).InhibitedBy);
        var billing = _alerts.Active().Single(a => a.Name == "Errors");
        Assert.Single(notifier.MuteStatusOf(billing, _clock.GetUtcNow()).SilencedBy);
    }

    [Fact]
    public async Task Flush_EscalationUnacknowledged_NextStepAfterItsWaitThenRepeats()
    {
        var policy = new EscalationPolicy("critical", [new EscalationStep(TimeSpan.Zero, ["oncall", "pager"]), new EscalationStep(TimeSpan.FromMinutes(15), ["manager"])],
            TimeSpan.FromMinutes(30));
        var notifier = Create(Policy(policy));
        await FireAsync(("Down", "rag", "critical"));

        await AtAsync(notifier, TimeSpan.FromSeconds(30));
        Assert.Equal((1, 1, 0), (_oncall.Received.Count, _pager.Received.Count, _manager.Received.Count));
        await AtAsync(notifier, TimeSpan.FromMinutes(15));
        Assert.Empty(_manager.Received);
        await AtAsync(notifier, TimeSpan.FromMinutes(15.5));
        Assert.Single(_manager.Received);
        await AtAsync(notifier, TimeSpan.FromMinutes(46));
        Assert.Equal((2, 1), (_oncall.Received.Count, _manager.Received.Count)); // started again from the first step
    }

    [Fact]
    public async Task Flush_AcknowledgedBeforeTheNextStep_EscalationStopsAndThePagerIsAcknowledged()
    {
        var policy = new EscalationPolicy("critical", [new EscalationStep(TimeSpan.Zero, ["pager"]), new EscalationStep(TimeSpan.FromMinutes(15), ["manager"])]);
        var notifier = Create(Policy(policy));
        await FireAsync(("Down", "rag", "critical"));
        await AtAsync(notifier, TimeSpan.FromSeconds(30));
        _clock.AdjustTime(T0.AddMinutes(5));
        await _alerts.AcknowledgeAsync(Assert.Single(_alerts.Active()).Id, "operator", "on it", default);

        var sent = await AtAsync(notifier, TimeSpan.FromMinutes(6));
        await AtAsync(notifier, TimeSpan.FromMinutes(30));

        Assert.Equal("acknowledge", Assert.Single(sent).Event);
        Assert.Equal(["firing", "acknowledge"], _pager.Received.Select(n => n.Event));
        Assert.Empty(_manager.Received);
    }

    [Fact]
    public async Task Flush_AfterARestart_WhatWasNotifiedIsNotNotifiedAgain()
    {
        var notifier = Create();
        await FireAsync(("Down", "rag", "critical"));
        await AtAsync(notifier, TimeSpan.FromSeconds(30));

        var restartedAlerts = new AlertStore(_repository, _clock);
        var snapshot = await _repository.LoadAsync(T0.AddDays(-1), default);
        restartedAlerts.Load(snapshot.Alerts);
        var restarted = new Notifier(restartedAlerts, new SilenceStore(_repository, _clock), _repository, new DeliveryRunner(_repository, _clock, new DeliveryOptions()));
        restarted.Configure(Policy(), [_oncall]);
        restarted.Load(snapshot.NotificationGroups);

        Assert.Empty(await AtAsync(restarted, TimeSpan.FromMinutes(10)));
        Assert.Single(_oncall.Received);
    }

    [Fact]
    public async Task Deliver_ChannelFailsTwice_RetriedWithBackoffAndEveryAttemptLogged()
    {
        var flaky = new RecordingChannel("flaky") { FailuresBeforeSuccess = 2 };
        var runner = new DeliveryRunner(_repository, TimeProvider.System, new DeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(1) });
        var notification = new Notification("k", "team", "firing", new Dictionary<string, string>(), [], "http://x");

        Assert.True(await runner.DeliverAsync(flaky, notification, default));

        var attempts = (await _repository.DeliveriesAsync(null, 10, default)).OrderBy(d => d.Attempt).ToList();
        Assert.Equal([(1, "retrying", "HTTP 503"), (2, "retrying", "HTTP 503"), (3, "delivered", null)], attempts.Select(a => (a.Attempt, a.Status, a.Error)));
    }

    [Fact]
    public async Task Deliver_NotRetryable_FailsAtOnce()
    {
        var broken = new RecordingChannel("broken") { FailuresBeforeSuccess = 10, Retryable = false };
        var runner = new DeliveryRunner(_repository, TimeProvider.System, new DeliveryOptions());

        Assert.False(await runner.DeliverAsync(broken, new Notification("k", "team", "firing", new Dictionary<string, string>(), [], "x"), default));

        Assert.Equal("failed", Assert.Single(await _repository.DeliveriesAsync(null, 10, default)).Status);
    }

    /// <summary>A channel that keeps what it was asked to send (the notifier's logic is under test, not a transport).</summary>
    private sealed class RecordingChannel(string name, bool acknowledges = false) : INotificationChannel
    {
        public List<Notification> Received { get; } = [];

        public int FailuresBeforeSuccess { get; init; }

        public bool Retryable { get; init; } = true;

        public string Name => name;

        public string Type => acknowledges ? "pagerduty" : "webhook";

        public bool SupportsAcknowledge => acknowledges;

        public Task<ChannelResponse> SendAsync(Notification notification, CancellationToken ct)
        {
            Received.Add(notification);
            return Task.FromResult(Received.Count > FailuresBeforeSuccess ? new ChannelResponse(true, 200) : new ChannelResponse(false, 503, "HTTP 503", Retryable));
        }
    }
}
