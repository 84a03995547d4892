using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Rules;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Tests.Support;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Rules;

/// <summary>
/// Log-based and health alerting rules run by the real scheduler over the real log, series and health stores, the
/// clock stepped one group interval (1 minute) at a time; and the ALERTS / ALERTS_FOR_STATE series they leave.
/// </summary>
public sealed class SignalRuleTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = TelemetryFactory.Base; // on a minute

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly TelemetryStores _stores;
    private readonly HealthCheckStore _health = new();
    private readonly AlertStore _alerts;
    private readonly RuleScheduler _scheduler;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public SignalRuleTests()
    {
        _stores = new TelemetryStores(new HotStoreOptions(), _clock);
        _alerts = new AlertStore(new InMemoryAlertingRepository(), _clock);
        _scheduler = new RuleScheduler(
            new SeriesRuleQueryEngine(_stores.Series), new Sink(_stores, _health), _clock, new RuleSchedulerOptions(), NullLogger<RuleScheduler>.Instance,
            alerts: _alerts, signals: new StoreRuleSignalSource(_stores.Logs, _health));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }

    private sealed class Sink(TelemetryStores stores, HealthCheckStore health) : ITelemetrySink
    {
        public ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            stores.Store(batch);
            health.OnCommitted(batch);
            return ValueTask.FromResult(IngestResult.Accepted);
        }
    }

    private void Start(string yaml)
    {
        var groups = RuleFileParser.ParseValid(yaml);
        _scheduler.SetGroups(groups.Select(g => new LoadedRuleGroup(g, RuleGroupSource.Api, "test.yml", T0, "test")));
        _running = _scheduler.RunAsync(_stop.Token);
    }

    /// <summary>Steps the clock to the next minute once the group waits for it, and waits for that evaluation.</summary>
    private async Task CycleAsync()
    {
        var slot = _clock.GetUtcNow();
        slot = slot.AddTicks(-(slot.UtcTicks % TimeSpan.TicksPerMinute)).AddMinutes(1);
        await Eventually.TrueAsync(() => _scheduler.Statuses().All(g => g.NextEvaluation == slot), $"every group waits for {slot:T}");
        _clock.Advance(slot - _clock.GetUtcNow());
        await Eventually.TrueAsync(() => _scheduler.Statuses().All(g => g.LastEvaluation == slot), $"every group was evaluated at {slot:T}");
    }

    private void Logs(string tenant, string service, int count, int severity, TimeSpan at, string body = "request failed") =>
        _stores.Store(new TelemetryBatch
        {
            Logs = [.. Enumerable.Range(0, count).Select(i => TelemetryFactory.Log(tenant, at + TimeSpan.FromSeconds(i), body, severity, service))],
        });

    private void Check(string tenant, string service, string check, HealthStatus status, DateTimeOffset at) =>
        _health.OnCommitted(new TelemetryBatch { HealthChecks = [new HealthCheckResult(tenant, service, check, status, status == HealthStatus.Healthy ? null : "connection refused", 3, at.ToUnixTimeMilliseconds())] });

    private IReadOnlyList<VectorSample> Query(string promQl, string tenant) =>
        ((InstantVector)new PromQlEngine(_stores.Series).Instant(promQl, _clock.GetUtcNow().ToUnixTimeMilliseconds(), tenant)).Samples;

    private const string LogRule = """
        groups:
          - name: logs
            interval: 1m
            rules:
              - alert: RagErrors
                logs:
                  query: 'level:error service:rag-service'
                  window: 5m
                  op: '>='
                  threshold: 3
                for: 1m
                labels:
                  severity: warning
                annotations:
                  summary: "{{ $value }} error lines from rag-service in 5 minutes"
        """;

    [Fact]
    public async Task LogRule_CountOverThreshold_PendingThenFiringWithTheCountThenResolvesWhenTheLinesLeaveTheWindow()
    {
        Logs("acme", "rag-service", 4, 17, TimeSpan.FromSeconds(-30));       // 4 errors of rag-service: counted
        Logs("acme", "api-gateway", 9, 17, TimeSpan.FromSeconds(-30));       // another service: not counted
        Logs("acme", "rag-service", 9, 9, TimeSpan.FromSeconds(-30), "ok");  // info lines: not counted
        Logs("globex", "rag-service", 2, 17, TimeSpan.FromSeconds(-30));     // another tenant, under the threshold
        Start(LogRule);

        await CycleAsync(); // 12:01
        var pending = Assert.Single(_alerts.Active());
        Assert.Equal((AlertState.Pending, 4.0, "acme", "acme"), (pending.State, pending.Value, pending.TenantId, pending.Labels.Get("tenant_id")));

        await CycleAsync(); // 12:02: for 1m has passed
        var firing = Assert.Single(_alerts.Active());
        Assert.Equal((AlertState.Firing, pending.Id), (firing.State, firing.Id));
        Assert.Equal("4 error lines from rag-service in 5 minutes", firing.Annotations["summary"]);
        Assert.Contains("level:error service:rag-service", firing.Expression, StringComparison.Ordinal);

        await CycleAsync(); // 12:03
        await CycleAsync(); // 12:04: the window [11:59, 12:04) still holds the lines of 11:59:30
        Assert.Equal(AlertState.Firing, Assert.Single(_alerts.Active()).State);

        await CycleAsync(); // 12:05: the window starts at 12:00, the lines are older
        Assert.Empty(_alerts.Active());
        Assert.Equal(T0.AddMinutes(5), Assert.Single(_alerts.Resolved()).ResolvedAt);
    }

    [Fact]
    public async Task LogRule_BelowThreshold_NoAlert()
    {
        Logs("acme", "rag-service", 2, 17, TimeSpan.FromSeconds(-30));
        Start(LogRule);

        await CycleAsync();

        Assert.Empty(_alerts.Active());
        Assert.Equal(RuleHealth.Ok, Assert.Single(Assert.Single(_scheduler.Statuses()).Rules).Health);
    }

    private const string HealthRules = """
        groups:
          - name: health
            interval: 1m
            rules:
              - alert: RagServiceDown
                health: {service: rag-service}
                for: 1m
                labels: {severity: critical}
                annotations:
                  summary: "{{ $labels.service }} is down"
              - alert: DatabaseCheckFailing
                health: {check: db}
                for: 3m
                labels: {severity: warning}
                annotations:
                  summary: "check {{ $labels.check }} of {{ $labels.service }} failing for {{ $value }}s"
        """;

    [Fact]
    public async Task HealthRules_CheckTurnsUnhealthy_ServiceDownFiresAfterItsForTheCheckAfterItsOwnThenBothResolve()
    {
        Check("default", "rag-service", "db", HealthStatus.Healthy, T0.AddSeconds(-50));
        Check("default", "upload-pipeline", "db", HealthStatus.Healthy, T0.AddSeconds(-50));
        Start(HealthRules);

        await CycleAsync(); // 12:01: all healthy
        Assert.Empty(_alerts.Active());

        Check("default", "rag-service", "db", HealthStatus.Unhealthy, T0.AddSeconds(70));
        await CycleAsync(); // 12:02: both conditions hold, both pending
        Assert.Equal(
            [("DatabaseCheckFailing", AlertState.Pending), ("RagServiceDown", AlertState.Pending)],
            _alerts.Active().Select(a => (a.Name, a.State)).Order());

        await CycleAsync(); // 12:03: the service rule's 1m has passed
        var down = _alerts.Active().Single(a => a.Name == "RagServiceDown");
        Assert.Equal((AlertState.Firing, "rag-service is down"), (down.State, down.Annotations["summary"]));
        Assert.Equal(AlertState.Pending, _alerts.Active().Single(a => a.Name == "DatabaseCheckFailing").State);

        await CycleAsync(); // 12:04
        await CycleAsync(); // 12:05: the check rule's 3m have passed
        var check = _alerts.Active().Single(a => a.Name == "DatabaseCheckFailing");
        Assert.Equal((AlertState.Firing, "rag-service", "db"), (check.State, check.Labels.Get("service"), check.Labels.Get("check")));
        Assert.Equal("check db of rag-service failing for 230s", check.Annotations["summary"]); // unhealthy since 12:01:10

        Check("default", "rag-service", "db", HealthStatus.Healthy, T0.AddSeconds(310));
        await CycleAsync(); // 12:06
        Assert.Empty(_alerts.Active());
        Assert.Equal(["DatabaseCheckFailing", "RagServiceDown"], _alerts.Resolved().Select(a => a.Name).Order());
    }

    [Fact]
    public async Task HealthRule_OtherServiceDown_NoAlertForTheNamedService()
    {
        Check("default", "upload-pipeline", "disk", HealthStatus.Unhealthy, T0.AddSeconds(-10));
        Start(HealthRules);

        await CycleAsync();

        Assert.Empty(_alerts.Active()); // the service rule names rag-service; the check rule names db
    }

    [Fact]
    public async Task AlertsSeries_WrittenLikePrometheus_PendingThenFiringThenGoneWhenResolved()
    {
        Check("acme", "rag-service", "db", HealthStatus.Unhealthy, T0.AddSeconds(-10));
        Start(HealthRules);

        await CycleAsync(); // 12:01: pending
        var pending = Assert.Single(Query("ALERTS{alertname=\"RagServiceDown\"}", "acme"));
        Assert.Equal(("pending", "rag-service", "critical", "acme", 1.0),
            (pending.Labels.Get("alertstate"), pending.Labels.Get("service"), pending.Labels.Get("severity"), pending.Labels.Get("tenant_id"), pending.Value));
        var forState = Assert.Single(Query("ALERTS_FOR_STATE{alertname=\"RagServiceDown\"}", "acme"));
        Assert.Equal(T0.AddMinutes(1).ToUnixTimeSeconds(), forState.Value);
        Assert.Null(forState.Labels.Get("alertstate"));
        Assert.Empty(Query("ALERTS", "default")); // the tenant's own series only

        await CycleAsync(); // 12:02: firing; the pending series ends at once (stale), not after the lookback
        var firing = Assert.Single(Query("ALERTS{alertstate=\"firing\"}", "acme"));
        Assert.Equal("RagServiceDown", firing.Labels.Get("alertname"));
        Assert.Empty(Query("ALERTS{alertstate=\"pending\", alertname=\"RagServiceDown\"}", "acme"));
        Assert.Equal(T0.AddMinutes(1).ToUnixTimeSeconds(), Assert.Single(Query("ALERTS_FOR_STATE{alertname=\"RagServiceDown\"}", "acme")).Value);

        Check("acme", "rag-service", "db", HealthStatus.Healthy, T0.AddSeconds(125));
        await CycleAsync(); // 12:03: resolved
        Assert.Empty(Query("ALERTS", "acme"));
        Assert.Empty(Query("ALERTS_FOR_STATE", "acme"));
    }

    [Fact]
    public async Task SharedSelectorData_ARuleRecordsAMetricMidCycle_LaterRulesOfTheCycleSeeIt()
    {
        Start("""
            groups:
              - name: order
                interval: 1m
                rules:
                  - record: seen:before
                    expr: count(job:x) or vector(0)
                  - record: job:x
                    expr: vector(7)
                  - record: seen:after
                    expr: sum(job:x) or vector(0)
            """);

        await CycleAsync();

        Assert.Equal(0, Assert.Single(Query("seen:before", "default")).Value);
        Assert.Equal(7, Assert.Single(Query("seen:after", "default")).Value); // not the "no job:x" loaded by the first rule
    }
}
