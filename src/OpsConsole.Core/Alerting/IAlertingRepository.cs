namespace OpsConsole.Core.Alerting;

/// <summary>An entry of an alert's history: a transition or an operator action.</summary>
public sealed record AlertHistoryEntry(string AlertId, DateTimeOffset At, string Kind, string? Actor, string? Comment, string State);

/// <summary>Where the notifier stands with one alert group (dedup across restarts, escalation).</summary>
public sealed record NotificationGroupState
{
    public required string GroupKey { get; init; }

    public required string Route { get; init; }

    public required IReadOnlyDictionary<string, string> GroupLabels { get; init; }

    /// <summary>When the group first had an alert to send (group_wait counts from here).</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }

    /// <summary>Last time the group was considered for sending (group_interval counts from here); null before the first.</summary>
    public DateTimeOffset? LastFlushAt { get; init; }

    /// <summary>Last time a notification went out; null before the first.</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>The firing alerts (fingerprints) the last notification announced.</summary>
    public IReadOnlyList<string> NotifiedFiring { get; init; } = [];

    /// <summary>The escalation step already notified (-1: none yet) and when escalation (re)started.</summary>
    public int EscalationStep { get; init; } = -1;

    public DateTimeOffset? EscalationStartedAt { get; init; }

    /// <summary>Whether an acknowledge was sent to the channels that support it (PagerDuty) for the current firing set.</summary>
    public bool AcknowledgeSent { get; init; }
}

/// <summary>One attempt to deliver a notification through a channel.</summary>
public sealed record DeliveryRecord
{
    public long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string GroupKey { get; init; }

    public required string Channel { get; init; }

    public required string ChannelType { get; init; }

    /// <summary><c>firing</c>, <c>resolved</c>, <c>acknowledge</c> or <c>test</c>.</summary>
    public required string Event { get; init; }

    public required int Attempt { get; init; }

    /// <summary><c>delivered</c>, <c>retrying</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    public int? StatusCode { get; init; }

    public string? Error { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>The fingerprints of the alerts in the notification.</summary>
    public IReadOnlyList<string> Alerts { get; init; } = [];
}

/// <summary>What alerting keeps across restarts.</summary>
public sealed record AlertingSnapshot(
    IReadOnlyList<Alert> Alerts, IReadOnlyList<Silence> Silences, IReadOnlyList<NotificationGroupState> NotificationGroups)
{
    public static readonly AlertingSnapshot Empty = new([], [], []);
}

/// <summary>Durable storage of alerting (alerts and their history, silences, notification state and deliveries).</summary>
public interface IAlertingRepository
{
    /// <summary>Active alerts, resolved alerts newer than <paramref name="resolvedSince"/>, every silence not expired before it, notification state.</summary>
    Task<AlertingSnapshot> LoadAsync(DateTimeOffset resolvedSince, CancellationToken ct);

    /// <summary>Stores alert changes in order: the alert row (removed for a pending alert that went inactive) and a history entry.</summary>
    Task SaveAlertChangesAsync(IReadOnlyList<AlertChange> changes, CancellationToken ct);

    Task SaveSilencesAsync(IReadOnlyList<Silence> silences, CancellationToken ct);

    Task SaveNotificationGroupAsync(NotificationGroupState state, CancellationToken ct);

    Task DeleteNotificationGroupAsync(string groupKey, CancellationToken ct);

    Task AppendDeliveryAsync(DeliveryRecord delivery, CancellationToken ct);

    Task<IReadOnlyList<DeliveryRecord>> DeliveriesAsync(IReadOnlyCollection<string>? fingerprints, int limit, CancellationToken ct);

    Task<IReadOnlyList<AlertHistoryEntry>> HistoryAsync(string alertId, CancellationToken ct);

    Task<Alert?> FindAlertAsync(string id, CancellationToken ct);
}

/// <summary>Keeps alerting in memory only (tests, tools): nothing survives the process.</summary>
public sealed class InMemoryAlertingRepository : IAlertingRepository
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    private readonly List<AlertHistoryEntry> _history = [];
    private readonly Dictionary<string, Silence> _silences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NotificationGroupState> _groups = new(StringComparer.Ordinal);
    private readonly List<DeliveryRecord> _deliveries = [];

    public Task<AlertingSnapshot> LoadAsync(DateTimeOffset resolvedSince, CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult(new AlertingSnapshot(
                [.. _alerts.Values.Where(a => a.IsActive || a.ResolvedAt >= resolvedSince)],
                [.. _silences.Values.Where(s => s.EndsAt >= resolvedSince)],
                [.. _groups.Values]));
        }
    }

    public Task SaveAlertChangesAsync(IReadOnlyList<AlertChange> changes, CancellationToken ct)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                if (change.Kind == AlertStore.Inactive)
                {
                    _alerts.Remove(change.After.Id);
                }
                else
                {
                    _alerts[change.After.Id] = change.After;
                }

                _history.Add(new AlertHistoryEntry(change.After.Id, change.After.UpdatedAt, change.Kind, change.Actor, change.Comment, change.After.State.ToString().ToLowerInvariant()));
            }
        }

        return Task.CompletedTask;
    }

    public Task SaveSilencesAsync(IReadOnlyList<Silence> silences, CancellationToken ct)
    {
        lock (_gate)
        {
            foreach (var s in silences)
            {
                _silences[s.Id] = s;
            }
        }

        return Task.CompletedTask;
    }

    public Task SaveNotificationGroupAsync(NotificationGroupState state, CancellationToken ct)
    {
        lock (_gate)
        {
            _groups[state.GroupKey] = state;
        }

        return Task.CompletedTask;
    }

    public Task DeleteNotificationGroupAsync(string groupKey, CancellationToken ct)
    {
        lock (_gate)
        {
            _groups.Remove(groupKey);
        }

        return Task.CompletedTask;
    }

    public Task AppendDeliveryAsync(DeliveryRecord delivery, CancellationToken ct)
    {
        lock (_gate)
        {
            _deliveries.Add(delivery with { Id = _deliveries.Count + 1 });
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeliveryRecord>> DeliveriesAsync(IReadOnlyCollection<string>? fingerprints, int limit, CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeliveryRecord>>(
                [.. _deliveries.Where(d => fingerprints is null || d.Alerts.Any(fingerprints.Contains)).OrderByDescending(d => d.Id).Take(limit)]);
        }
    }

    public Task<IReadOnlyList<AlertHistoryEntry>> HistoryAsync(string alertId, CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AlertHistoryEntry>>([.. _history.Where(h => h.AlertId == alertId)]);
        }
    }

    public Task<Alert?> FindAlertAsync(string id, CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult(_alerts.GetValueOrDefault(id));
        }
    }
}
