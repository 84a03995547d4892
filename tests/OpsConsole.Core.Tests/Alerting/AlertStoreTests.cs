using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Rules;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Alerting;

/// <summary>The alert state machine stepped through time from a fixed base.</summary>
public sealed class AlertStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly InMemoryAlertingRepository _repository = new();
    private readonly List<AlertChange> _told = [];
    private readonly AlertStore _store;

    public AlertStoreTests() => _store = new AlertStore(_repository, _clock, new AlertStoreOptions(), [new Listener(_told)]);

    private static AlertingRule Rule(long forMs = 120_000, long keepMs = 0, Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null) =>
        new("HighErrorRate", "error_ratio > 0.05", forMs, keepMs, labels ?? new() { ["severity"] = "critical" }, annotations ?? new());

    private static AlertSample Sample(string service, double value, string tenant = "default") =>
        new(LabelSet.From(("service", service)), value, tenant);

    private Task<IReadOnlyList<AlertChange>> EvaluateAsync(AlertingRule rule, int minute, params AlertSample[] samples) =>
        _store.ApplyRuleAsync(new AlertRuleResult("api", "Alerting:HighErrorRate:0", rule, new Dictionary<string, string>(), T0.AddMinutes(minute), samples, new HashSet<string>()), default);

    [Fact]
    public async Task ApplyRule_ConditionHoldsLongerThanFor_PendingThenFiringThenResolved()
    {
        var rule = Rule(forMs: 120_000);

        await EvaluateAsync(rule, 0, Sample("rag", 0.08));
        var pending = Assert.Single(_store.Active());
        Assert.Equal((AlertState.Pending, T0, (DateTimeOffset?)null), (pending.State, pending.ActiveAt, pending.FiredAt));

        await EvaluateAsync(rule, 1, Sample("rag", 0.09));
        Assert.Equal(AlertState.Pending, Assert.Single(_store.Active()).State); // one minute of two

        await EvaluateAsync(rule, 2, Sample("rag", 0.07));
        var firing = Assert.Single(_store.Active());
        Assert.Equal((AlertState.Firing, T0, T0.AddMinutes(2), pending.Id), (firing.State, firing.ActiveAt, firing.FiredAt, firing.Id));
        Assert.Equal(0.07, firing.Value);

        await EvaluateAsync(rule, 3);
        Assert.Empty(_store.Active());
        var resolved = Assert.Single(_store.Resolved());
        Assert.Equal((AlertState.Resolved, T0.AddMinutes(3), pending.Id), (resolved.State, resolved.ResolvedAt, resolved.Id));
        Assert.Equal([AlertChange.Pending, AlertChange.Firing, AlertChange.Resolved], _told.Select(c => c.Kind));
        Assert.Equal([AlertChange.Pending, AlertChange.Firing, AlertChange.Resolved], (await _repository.HistoryAsync(pending.Id, default)).Select(h => h.Kind));
    }

    [Fact]
    public async Task ApplyRule_ConditionClearsWhilePending_AlertGoesAwayWithoutResolving()
    {
        var rule = Rule(forMs: 300_000);
        await EvaluateAsync(rule, 0, Sample("rag", 0.08));

        await EvaluateAsync(rule, 1);

        Assert.Empty(_store.Active());
        Assert.Empty(_store.Resolved());
        Assert.Equal([AlertChange.Pending, AlertStore.Inactive], _told.Select(c => c.Kind));
    }

    [Fact]
    public async Task ApplyRule_ForZero_FiresAtTheFirstEvaluation()
    {
        await EvaluateAsync(Rule(forMs: 0), 0, Sample("rag", 0.5));

        var alert = Assert.Single(_store.Active());
        Assert.Equal((AlertState.Firing, (DateTimeOffset?)T0), (alert.State, alert.FiredAt));
    }

    [Fact]
    public async Task ApplyRule_KeepFiringFor_StaysFiringUntilTheConditionHasBeenClearForThatLong()
    {
        var rule = Rule(forMs: 0, keepMs: 180_000);
        await EvaluateAsync(rule, 0, Sample("rag", 0.5));

        await EvaluateAsync(rule, 1);
        await EvaluateAsync(rule, 2);
        Assert.Equal(AlertState.Firing, Assert.Single(_store.Active()).State); // cleared 2 of 3 minutes ago

        await EvaluateAsync(rule, 3);
        Assert.Empty(_store.Active());
        Assert.Equal(T0.AddMinutes(3), Assert.Single(_store.Resolved()).ResolvedAt);
    }

    [Fact]
    public async Task ApplyRule_KeepFiringFor_ConditionReturnsInTime_SameAlertKeepsFiring()
    {
        var rule = Rule(forMs: 0, keepMs: 180_000);
        await EvaluateAsync(rule, 0, Sample("rag", 0.5));
        var first = Assert.Single(_store.Active());

        await EvaluateAsync(rule, 1);
        await EvaluateAsync(rule, 2, Sample("rag", 0.6));
        await EvaluateAsync(rule, 4);

        var alert = Assert.Single(_store.Active());
        Assert.Equal((first.Id, AlertState.Firing, 0.6), (alert.Id, alert.State, alert.Value));
    }

    [Fact]
    public async Task ApplyRule_FlappingAfterResolve_RefireIsANewInstanceWithoutTheOldAcknowledgement()
    {
        var rule = Rule(forMs: 0);
        await EvaluateAsync(rule, 0, Sample("rag", 0.5));
        var first = Assert.Single(_store.Active());
        await _store.AcknowledgeAsync(first.Id, "operator", "looking", default);
        await EvaluateAsync(rule, 1);

        await EvaluateAsync(rule, 2, Sample("rag", 0.5));

        var second = Assert.Single(_store.Active());
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.Null(second.Acknowledgement);
        Assert.Equal(T0.AddMinutes(2), second.ActiveAt);
        var old = Assert.Single(_store.Resolved());
        Assert.Equal((first.Id, "operator"), (old.Id, old.Acknowledgement?.By));
    }

    [Fact]
    public async Task ApplyRule_LabelsAndAnnotations_TemplatesExpandedAndAlertnameAdded()
    {
        var rule = Rule(forMs: 0,
            labels: new() { ["severity"] = "critical", ["team"] = "{{ $labels.service }}-oncall" },
            annotations: new() { ["summary"] = "{{ $labels.service }} errors at {{ humanizePercentage $value }}", ["raw"] = "value {{ $value }}" });

        await EvaluateAsync(rule, 0, Sample("rag-service", 0.0712, "acme"));

        var alert = Assert.Single(_store.Active());
        Assert.Equal(
            "{alertname=\"HighErrorRate\", service=\"rag-service\", severity=\"critical\", team=\"rag-service-oncall\", tenant_id=\"acme\"}",
            alert.Labels.ToString());
        Assert.Equal("rag-service errors at 7.12%", alert.Annotations["summary"]);
        Assert.Equal("value 0.0712", alert.Annotations["raw"]);
        Assert.Equal("acme", alert.TenantId);
        Assert.Equal(Alert.FingerprintOf(alert.Labels), alert.Fingerprint);
        Assert.Matches("^[0-9a-f]{16}$", alert.Fingerprint);
    }

    [Fact]
    public async Task ApplyRule_RuleLabelsMakeTwoSeriesEqual_FailsAndChangesNothing()
    {
        var rule = Rule(forMs: 0, labels: new() { ["service"] = "all" });

        await Assert.ThrowsAsync<RuleEvaluationException>(() => EvaluateAsync(rule, 0, Sample("a", 1), Sample("b", 1)));

        Assert.Empty(_store.Active());
    }

    [Fact]
    public async Task ApplyRule_SameSeriesEveryCycle_NeverDuplicated()
    {
        var rule = Rule(forMs: 60_000);
        for (var m = 0; m < 5; m++)
        {
            await EvaluateAsync(rule, m, Sample("rag", m), Sample("agent", m));
        }

        Assert.Equal(2, _store.Active().Count);
        Assert.Equal(4, _told.Count); // two pending, two firing; new values are no transitions
    }

    [Fact]
    public async Task ApplyRule_TenantQueryFailed_ItsAlertsStayAsTheyAre()
    {
        var rule = Rule(forMs: 0);
        await EvaluateAsync(rule, 0, Sample("rag", 1, "acme"), Sample("rag", 1, "globex"));

        await _store.ApplyRuleAsync(new AlertRuleResult("api", "Alerting:HighErrorRate:0", rule, new Dictionary<string, string>(), T0.AddMinutes(1), [],
            new HashSet<string> { "acme" }), default);

        Assert.Equal("acme", Assert.Single(_store.Active()).TenantId);
        Assert.Equal("globex", Assert.Single(_store.Resolved()).TenantId);
    }

    [Fact]
    public async Task RetainRules_RuleGone_ItsFiringAlertsResolveAndPendingOnesGo()
    {
        await EvaluateAsync(Rule(forMs: 0), 0, Sample("rag", 1));

        await _store.RetainRulesAsync(new HashSet<string> { "api\0Alerting:Other:0" }, default);

        Assert.Empty(_store.Active());
        Assert.Single(_store.Resolved());
    }

    [Fact]
    public async Task Receive_NoEndsAt_FiresThenResolvesAfterTheResolveTimeoutUnlessSentAgain()
    {
        var posted = new PostedAlert(new Dictionary<string, string> { ["alertname"] = "DiskFull", ["instance"] = "db-1" }, null, null, null, "http://prom/graph");
        await _store.ReceiveAsync([posted], "default", default);
        var alert = Assert.Single(_store.Active());
        Assert.Equal((AlertState.Firing, AlertOrigin.External, T0, (DateTimeOffset?)T0.AddMinutes(5)), (alert.State, alert.Origin, alert.StartsAt, alert.EndsAt));

        _clock.Advance(TimeSpan.FromMinutes(4));
        await _store.ReceiveAsync([posted], "default", default); // Prometheus re-sends while it fires
        _clock.Advance(TimeSpan.FromMinutes(4));
        await _store.ExpireExternalAsync(default);
        Assert.Equal((alert.Id, T0), (Assert.Single(_store.Active()).Id, Assert.Single(_store.Active()).StartsAt));

        _clock.Advance(TimeSpan.FromMinutes(1));
        await _store.ExpireExternalAsync(default);
        Assert.Empty(_store.Active());
        Assert.Equal(T0.AddMinutes(9), Assert.Single(_store.Resolved()).ResolvedAt);
    }

    [Fact]
    public async Task Receive_EndsAtInThePast_ResolvesTheFiringAlert()
    {
        var labels = new Dictionary<string, string> { ["alertname"] = "DiskFull" };
        await _store.ReceiveAsync([new PostedAlert(labels, null, T0, null, null)], "default", default);
        _clock.Advance(TimeSpan.FromMinutes(1));

        await _store.ReceiveAsync([new PostedAlert(labels, null, T0, T0.AddSeconds(30), null)], "default", default);

        Assert.Empty(_store.Active());
        Assert.Equal(T0.AddSeconds(30), Assert.Single(_store.Resolved()).ResolvedAt);
    }

    [Fact]
    public void Validate_BadPostedAlerts_EachProblemNamed()
    {
        var errors = AlertStore.Validate([
            new PostedAlert(new Dictionary<string, string>(), null, null, null, null),
            new PostedAlert(new Dictionary<string, string> { ["1bad"] = "x" }, null, null, null, null),
            new PostedAlert(new Dictionary<string, string> { ["a"] = "x" }, null, T0, T0.AddMinutes(-1), null),
        ]);

        Assert.Equal(3, errors.Count);
        Assert.Contains("alert 1: at least one label pair required", errors);
        Assert.Contains(errors, e => e.Contains("invalid label name \"1bad\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("end time must not be before start time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Acknowledge_ThenUnacknowledge_WhoWhenAndCommentRecorded()
    {
        await EvaluateAsync(Rule(forMs: 0), 0, Sample("rag", 1));
        var id = Assert.Single(_store.Active()).Id;
        _clock.Advance(TimeSpan.FromMinutes(3));

        var acked = await _store.AcknowledgeAsync(id, "operator", "on it", default);
        Assert.Equal(AlertActionOutcome.Done, acked.Outcome);
        Assert.Equal(new Acknowledgement("operator", T0.AddMinutes(3), "on it"), _store.Get(id)!.Acknowledgement);

        var unacked = await _store.UnacknowledgeAsync(id, "admin", "handing over", default);
        Assert.Equal(AlertActionOutcome.Done, unacked.Outcome);
        Assert.Null(_store.Get(id)!.Acknowledgement);
        var again = await _store.UnacknowledgeAsync(id, "admin", null, default);
        Assert.Equal(AlertActionOutcome.Conflict, again.Outcome);

        var history = await _repository.HistoryAsync(id, default);
        Assert.Equal([(AlertChange.Firing, null, null), (AlertChange.Acknowledged, "operator", "on it"), (AlertChange.Unacknowledged, "admin", "handing over")],
            history.Select(h => (h.Kind, h.Actor, h.Comment)));
    }

    [Fact]
    public async Task OperatorActions_UnknownOrResolvedOrRuleAlert_RefusedAndNothingChanges()
    {
        await EvaluateAsync(Rule(forMs: 0), 0, Sample("rag", 1));
        var ruleAlert = Assert.Single(_store.Active());
        var toldBefore = _told.Count;

        Assert.Equal(AlertActionOutcome.NotFound, (await _store.AcknowledgeAsync("nope", "operator", null, default)).Outcome);
        var resolve = await _store.ResolveAsync(ruleAlert.Id, "operator", null, default);
        Assert.Equal(AlertActionOutcome.Conflict, resolve.Outcome);
        Assert.Contains("resolves when its condition clears", resolve.Message, StringComparison.Ordinal);
        await EvaluateAsync(Rule(forMs: 0), 1);
        Assert.Equal(AlertActionOutcome.Conflict, (await _store.AcknowledgeAsync(ruleAlert.Id, "operator", null, default)).Outcome);

        Assert.Equal(toldBefore + 1, _told.Count); // only the resolve by the rule
    }

    [Fact]
    public async Task Resolve_ExternalAlertByHand_ResolvedWithWho()
    {
        await _store.ReceiveAsync([new PostedAlert(new Dictionary<string, string> { ["alertname"] = "Manual" }, null, null, null, null)], "default", default);
        var id = Assert.Single(_store.Active()).Id;
        _clock.Advance(TimeSpan.FromMinutes(1));

        var result = await _store.ResolveAsync(id, "operator", "fixed the disk", default);

        Assert.Equal(AlertActionOutcome.Done, result.Outcome);
        var resolved = Assert.Single(_store.Resolved());
        Assert.Equal(("operator", (DateTimeOffset?)T0.AddMinutes(1)), (resolved.ResolvedBy, resolved.ResolvedAt));
    }

    [Fact]
    public async Task Load_StoredAlerts_ActiveAndResolvedComeBackAsTheyWere()
    {
        await EvaluateAsync(Rule(forMs: 0), 0, Sample("rag", 1), Sample("agent", 1));
        await _store.AcknowledgeAsync(_store.Active().First(a => a.Labels.Get("service") == "rag").Id, "operator", "x", default);
        await EvaluateAsync(Rule(forMs: 0), 1, Sample("rag", 1));

        var restarted = new AlertStore(_repository, _clock);
        restarted.Load((await _repository.LoadAsync(T0.AddDays(-1), default)).Alerts);

        var active = Assert.Single(restarted.Active());
        Assert.Equal(("rag", "operator"), (active.Labels.Get("service"), active.Acknowledgement?.By));
        Assert.Equal("agent", Assert.Single(restarted.Resolved()).Labels.Get("service"));
    }

    private sealed class Listener(List<AlertChange> told) : IAlertObserver
    {
        public void AlertsChanged(IReadOnlyList<AlertChange> changes) => told.AddRange(changes);
    }
}
