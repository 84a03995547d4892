using OpsConsole.Core.Alerting;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Tests;

public abstract class AlertingRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly AlertingRepository _repository = db.GetRequiredService<AlertingRepository>();

    private static Alert Alert(string service, AlertState state = AlertState.Firing) => new()
    {
        Id = OpsConsole.Core.Alerting.Alert.NewId(),
        Labels = LabelSet.From(("alertname", "Down"), ("service", service + "-" + Guid.NewGuid().ToString("N")[..6])),
        Annotations = new Dictionary<string, string> { ["summary"] = "it is down", ["runbook_url"] = "https://runbooks/down" },
        State = state,
        Origin = AlertOrigin.Rule,
        ActiveAt = TestData.BaseTime,
        FiredAt = state == AlertState.Pending ? null : TestData.BaseTime.AddMinutes(2),
        LastSeenAt = TestData.BaseTime.AddMinutes(2),
        UpdatedAt = TestData.BaseTime.AddMinutes(2),
        Value = double.NaN,
        RuleGroup = "api",
        RuleKey = "Alerting:Down:0",
        Expression = "up == 0",
        TenantId = "acme",
    };

    [Fact]
    public async Task SaveAlertChanges_FiringThenAcknowledgedThenResolved_LoadAndHistoryGiveItBack()
    {
        var alert = Alert("rag");
        var acked = alert with { Acknowledgement = new Acknowledgement("operator", TestData.BaseTime.AddMinutes(3), "on it"), UpdatedAt = TestData.BaseTime.AddMinutes(3) };
        var resolved = acked with { State = AlertState.Resolved, ResolvedAt = TestData.BaseTime.AddMinutes(9), UpdatedAt = TestData.BaseTime.AddMinutes(9) };

        await _repository.SaveAlertChangesAsync([new AlertChange(null, alert, AlertChange.Firing)], default);
        await _repository.SaveAlertChangesAsync([new AlertChange(alert, acked, AlertChange.Acknowledged, "operator", "on it")], default);
        var whileFiring = (await _repository.LoadAsync(TestData.BaseTime.AddDays(1), default)).Alerts.Single(a => a.Id == alert.Id);
        await _repository.SaveAlertChangesAsync([new AlertChange(acked, resolved, AlertChange.Resolved)], default);

        Assert.Equal(alert.Labels, whileFiring.Labels);
        Assert.Equal(alert.Annotations, whileFiring.Annotations);
        Assert.Equal(("operator", "on it"), (whileFiring.Acknowledgement?.By, whileFiring.Acknowledgement?.Comment));
        InstantAssert.Equal(TestData.BaseTime.AddMinutes(3), whileFiring.Acknowledgement!.At);
        Assert.True(double.IsNaN(whileFiring.Value));
        Assert.Equal(("acme", "up == 0", "Alerting:Down:0"), (whileFiring.TenantId, whileFiring.Expression, whileFiring.RuleKey));
        var stored = await _repository.FindAlertAsync(alert.Id, default);
        Assert.Equal(AlertState.Resolved, stored!.State);
        InstantAssert.Equal(TestData.BaseTime.AddMinutes(9), stored.ResolvedAt!.Value);
        var history = await _repository.HistoryAsync(alert.Id, default);
        Assert.Equal([(AlertChange.Firing, null, "firing"), (AlertChange.Acknowledged, "operator", "firing"), (AlertChange.Resolved, null, "resolved")],
            history.Select(h => (h.Kind, h.Actor, h.State)));
        // Resolved before the cut-off: not loaded again at start-up, still in the database.
        Assert.DoesNotContain((await _repository.LoadAsync(TestData.BaseTime.AddMinutes(10), default)).Alerts, a => a.Id == alert.Id);
    }

    [Fact]
    public async Task SaveAlertChanges_PendingWentInactive_RowAndHistoryRemoved()
    {
        var pending = Alert("agent", AlertState.Pending);
        await _repository.SaveAlertChangesAsync([new AlertChange(null, pending, AlertChange.Pending)], default);

        await _repository.SaveAlertChangesAsync([new AlertChange(pending, pending with { State = AlertState.Resolved }, AlertStore.Inactive)], default);

        Assert.Null(await _repository.FindAlertAsync(pending.Id, default));
        Assert.Empty(await _repository.HistoryAsync(pending.Id, default));
    }

    [Fact]
    public async Task SaveSilences_CreateThenExpire_LoadedWithMatchersAndTimes()
    {
        var silence = new Silence(Guid.NewGuid().ToString(), [LabelMatcher.Equal("service", "rag"), LabelMatcher.Regex("severity", "warning|critical"), LabelMatcher.NotEqual("env", "dev"),
            LabelMatcher.NotRegex("team", "ml.*")], TestData.BaseTime, TestData.BaseTime.AddHours(1), "operator", "deploy", TestData.BaseTime);
        await _repository.SaveSilencesAsync([silence], default);

        await _repository.SaveSilencesAsync([silence with { EndsAt = TestData.BaseTime.AddMinutes(5), UpdatedAt = TestData.BaseTime.AddMinutes(5) }], default);
        var loaded = (await _repository.LoadAsync(TestData.BaseTime, default)).Silences.Single(s => s.Id == silence.Id);

        Assert.Equal(silence.Matchers, loaded.Matchers);
        Assert.Equal(("operator", "deploy"), (loaded.CreatedBy, loaded.Comment));
        InstantAssert.Equal(TestData.BaseTime.AddMinutes(5), loaded.EndsAt);
        Assert.True(loaded.Mutes(LabelSet.From(("service", "rag"), ("severity", "critical")), TestData.BaseTime.AddMinutes(1)));
    }

    [Fact]
    public async Task NotificationGroups_SaveUpdateDelete_StateComesBack()
    {
        var key = TestData.UniqueSlug("0:{alertname=\"Down\"}");
        var state = new NotificationGroupState
        {
            GroupKey = key,
            Route = "0.1",
            GroupLabels = new Dictionary<string, string> { ["alertname"] = "Down" },
            FirstSeenAt = TestData.BaseTime,
            LastFlushAt = TestData.BaseTime.AddSeconds(30),
            LastNotifiedAt = TestData.BaseTime.AddSeconds(30),
            NotifiedFiring = ["00000000000000aa", "00000000000000bb"],
            EscalationStep = 1,
            EscalationStartedAt = TestData.BaseTime.AddSeconds(30),
            AcknowledgeSent = true,
        };

        await _repository.SaveNotificationGroupAsync(state with { EscalationStep = 0 }, default);
        await _repository.SaveNotificationGroupAsync(state, default);
        var loaded = (await _repository.LoadAsync(TestData.BaseTime, default)).NotificationGroups.Single(g => g.GroupKey == key);
        await _repository.DeleteNotificationGroupAsync(key, default);

        Assert.Equal((1, true, "0.1"), (loaded.EscalationStep, loaded.AcknowledgeSent, loaded.Route));
        Assert.Equal(state.NotifiedFiring, loaded.NotifiedFiring);
        Assert.Equal(state.GroupLabels, loaded.GroupLabels);
        InstantAssert.Equal(TestData.BaseTime.AddSeconds(30), loaded.LastNotifiedAt!.Value);
        Assert.DoesNotContain((await _repository.LoadAsync(TestData.BaseTime, default)).NotificationGroups, g => g.GroupKey == key);
    }

    [Fact]
    public async Task Deliveries_AppendedAttempts_ListedNewestFirstAndByAlert()
    {
        var fingerprint = Guid.NewGuid().ToString("N")[..16];
        foreach (var (attempt, status) in new[] { (1, "retrying"), (2, "delivered") })
        {
            await _repository.AppendDeliveryAsync(new DeliveryRecord
            {
                At = TestData.BaseTime.AddSeconds(attempt),
                GroupKey = "0:{}",
                Channel = "ops-webhook",
                ChannelType = "webhook",
                Event = "firing",
                Attempt = attempt,
                Status = status,
                StatusCode = attempt == 1 ? 503 : 200,
                Error = attempt == 1 ? "HTTP 503 Service Unavailable" : null,
                Duration = TimeSpan.FromMilliseconds(12.5),
                Alerts = [fingerprint, "ffffffffffffffff"],
            }, default);
        }

        var mine = await _repository.DeliveriesAsync([fingerprint], 10, default);

        Assert.Equal([(2, "delivered", (int?)200, (string?)null), (1, "retrying", 503, "HTTP 503 Service Unavailable")],
            mine.Select(d => (d.Attempt, d.Status, d.StatusCode, d.Error)));
        Assert.Equal(12.5, mine[0].Duration.TotalMilliseconds, 3);
        Assert.Empty(await _repository.DeliveriesAsync(["0123456789abcdef"], 10, default));
    }
}

public sealed class SqliteAlertingRepositoryTests(SqliteDatabaseFixture db) : AlertingRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresAlertingRepositoryTests(PostgresDatabaseFixture db) : AlertingRepositoryTests<PostgresDatabaseFixture>(db);
