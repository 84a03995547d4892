namespace OpsConsole.Core.Alerting;

/// <summary>
/// Routes firing alerts into groups, mutes what silences and inhibition rules mute, and notifies each group's channels
/// as Alertmanager does: after <c>group_wait</c> for a new group, then at most every <c>group_interval</c> when its
/// alerts changed (new ones fire, some resolve), and again every <c>repeat_interval</c> while it fires. On top, an
/// escalation policy notifies further channels step by step while the group stays unacknowledged; acknowledging every
/// firing alert stops escalation and reminders and sends an acknowledge to channels that have one (PagerDuty).
/// Where each group stands is stored, so a restart does not notify again what was already notified.
/// Call <see cref="FlushAsync"/> on a timer; it is the only writer.
/// </summary>
public sealed class Notifier
{
    private readonly AlertStore _alerts;
    private readonly SilenceStore _silences;
    private readonly IAlertingRepository _repository;
    private readonly DeliveryRunner _delivery;
    private readonly SemaphoreSlim _flush = new(1, 1);
    private readonly Dictionary<string, NotificationGroupState> _states = new(StringComparer.Ordinal);
    private NotificationPolicy _policy = NotificationPolicy.Empty;
    private IReadOnlyDictionary<string, INotificationChannel> _channels = new Dictionary<string, INotificationChannel>();

    public Notifier(AlertStore alerts, SilenceStore silences, IAlertingRepository repository, DeliveryRunner delivery)
    {
        _alerts = alerts;
        _silences = silences;
        _repository = repository;
        _delivery = delivery;
        Muters = [new SilenceMuter(silences), new Inhibitor([], alerts.Firing)];
    }

    public NotificationPolicy Policy => Volatile.Read(ref _policy);

    public IReadOnlyDictionary<string, INotificationChannel> Channels => Volatile.Read(ref _channels);

    /// <summary>The silence muter, then the inhibitor of the current policy.</summary>
    public IReadOnlyList<IMuter> Muters { get; private set; }

    public void Configure(NotificationPolicy policy, IEnumerable<INotificationChannel> channels)
    {
        Volatile.Write(ref _channels, channels.ToDictionary(c => c.Name, StringComparer.Ordinal));
        Volatile.Write(ref _policy, policy);
        Muters = [new SilenceMuter(_silences), new Inhibitor(policy.InhibitRules, _alerts.Firing)];
    }

    public void Load(IEnumerable<NotificationGroupState> states)
    {
        foreach (var s in states)
        {
            _states[s.GroupKey] = s;
        }
    }

    /// <summary>Why an alert is muted now (silences, inhibiting alerts).</summary>
    public MuteStatus MuteStatusOf(Alert alert, DateTimeOffset now) => MuteSnapshot(now)(alert);

    /// <summary>
    /// The mute status of any number of alerts at <paramref name="now"/> from one look at the firing alerts (see
    /// <see cref="Inhibitor.Snapshot"/>): for lists, where asking alert by alert would cost a scan of all of them each.
    /// </summary>
    public Func<Alert, MuteStatus> MuteSnapshot(DateTimeOffset now)
    {
        var muters = Muters;
        var inhibitedBy = muters[1] is Inhibitor inhibitor ? inhibitor.Snapshot() : a => muters[1].MutedBy(a, now);
        return alert =>
        {
            if (alert.State != AlertState.Firing)
            {
                return MuteStatus.None;
            }

            var silenced = muters[0].MutedBy(alert, now);
            var inhibited = inhibitedBy(alert);
            return silenced.Count == 0 && inhibited.Count == 0 ? MuteStatus.None : new MuteStatus(silenced, inhibited);
        };
    }

    /// <summary>The receivers (route order) an alert goes to.</summary>
    public IReadOnlyList<string> ReceiversOf(Alert alert) => [.. Policy.Root.Match(alert.Labels).Select(r => r.Receiver).Distinct()];

    /// <summary>The alert groups as Alertmanager's <c>/api/v2/alerts/groups</c> shows them: route, group labels, receiver and alerts.</summary>
    public IReadOnlyList<(ResolvedRoute Route, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<Alert> Alerts)> Groups(IEnumerable<Alert> alerts)
    {
        var groups = new Dictionary<string, (ResolvedRoute, IReadOnlyDictionary<string, string>, List<Alert>)>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            foreach (var route in Policy.Root.Match(alert.Labels))
            {
                var labels = route.GroupLabels(alert.Labels);
                var key = route.Id + labels;
                if (!groups.TryGetValue(key, out var g))
                {
                    groups[key] = g = (route, labels.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal), []);
                }

                g.Item3.Add(alert);
            }
        }

        return [.. groups.Values.Select(g => (g.Item1, g.Item2, (IReadOnlyList<Alert>)g.Item3))];
    }

    /// <summary>Notifies what is due at the clock's now; returns the notifications sent.</summary>
    public async Task<IReadOnlyList<Notification>> FlushAsync(CancellationToken ct)
    {
        await _flush.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await FlushLockedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _flush.Release();
        }
    }

    /// <summary>Sends a test notification through one channel (the delivery is logged like any other).</summary>
    public async Task<bool> SendTestAsync(string channelName, string actor, CancellationToken ct)
    {
        if (!Channels.TryGetValue(channelName, out var channel))
        {
            throw new ArgumentException($"no channel named \"{channelName}\"", nameof(channelName));
        }

        var now = _alerts.Time.GetUtcNow();
        var alert = new Alert
        {
            Id = Alert.NewId(),
            Labels = Domain.Telemetry.LabelSet.From(("alertname", "OpsConsoleTestNotification"), ("severity", "info")),
            Annotations = new Dictionary<string, string> { ["summary"] = $"Test notification sent by {actor} from OpsConsole" },
            State = AlertState.Firing,
            Origin = AlertOrigin.External,
            ActiveAt = now,
            FiredAt = now,
            UpdatedAt = now,
        };
        var notification = new Notification("test/" + channelName, channelName, "test", new Dictionary<string, string> { ["alertname"] = "OpsConsoleTestNotification" },
            [alert], Policy.ExternalUrl);
        return await _delivery.DeliverAsync(channel, notification, ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Notification>> FlushLockedAsync(CancellationToken ct)
    {
        var now = _alerts.Time.GetUtcNow();
        var policy = Policy;
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var mute = MuteSnapshot(now);
        foreach (var alert in _alerts.Firing())
        {
            if (mute(alert).IsMuted)
            {
                continue;
            }

            foreach (var route in policy.Root.Match(alert.Labels))
            {
                GroupOf(groups, route, alert).Firing.Add(alert);
            }
        }

        // Resolved alerts the group announced as firing get a resolve notification.
        var notified = _states.Values.SelectMany(s => s.NotifiedFiring).ToHashSet(StringComparer.Ordinal);
        foreach (var alert in _alerts.Resolved(2000).Where(a => notified.Contains(a.Fingerprint)).DistinctBy(a => a.Fingerprint))
        {
            if (_alerts.ActiveByFingerprint(alert.Fingerprint) is not null)
            {
                continue;
            }

            foreach (var route in policy.Root.Match(alert.Labels))
            {
                var g = GroupOf(groups, route, alert);
                if (_states.TryGetValue(g.Key, out var s) && s.NotifiedFiring.Contains(alert.Fingerprint))
                {
                    g.Resolved.Add(alert);
                }
            }
        }

        var sent = new List<Notification>();
        foreach (var group in groups.Values)
        {
            sent.AddRange(await FlushGroupAsync(group, policy, now, ct).ConfigureAwait(false));
        }

        // Groups whose notified alerts are all gone without a resolve to send (silenced, or the route changed).
        foreach (var key in _states.Keys.Where(k => !groups.ContainsKey(k)).ToList())
        {
            _states.Remove(key);
            await _repository.DeleteNotificationGroupAsync(key, ct).ConfigureAwait(false);
        }

        return sent;
    }

    private static Group GroupOf(Dictionary<string, Group> groups, ResolvedRoute route, Alert alert)
    {
        var labels = route.GroupLabels(alert.Labels);
        var key = route.Id + ":" + labels;
        if (!groups.TryGetValue(key, out var group))
        {
            groups[key] = group = new Group(key, route, labels.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal));
        }

        return group;
    }

    private async Task<List<Notification>> FlushGroupAsync(Group group, NotificationPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        var sent = new List<Notification>();
        var route = group.Route;
        var receiver = policy.Receivers.FirstOrDefault(r => r.Name == route.Receiver) ?? new Receiver(route.Receiver, []);
        var escalation = receiver.Escalation is null ? null : policy.Escalations.FirstOrDefault(e => e.Name == receiver.Escalation);
        if (!_states.TryGetValue(group.Key, out var state))
        {
            if (group.Firing.Count == 0)
            {
                return sent;
            }

            // group_wait counts from when the group's first alert started firing, not from when this flush noticed it.
            var firstSeen = group.Firing.Min(a => a.FiredAt ?? now);
            state = new NotificationGroupState { GroupKey = group.Key, Route = route.Id, GroupLabels = group.Labels, FirstSeenAt = firstSeen < now ? firstSeen : now };
            _states[group.Key] = state;
        }

        var before = state;
        var firing = group.Firing.Select(a => a.Fingerprint).Order(StringComparer.Ordinal).ToList();
        var allAcknowledged = group.Firing.Count > 0 && group.Firing.All(a => a.Acknowledgement is not null);
        var due = state.LastFlushAt is { } flushed ? now >= flushed + route.GroupInterval : now >= state.FirstSeenAt + route.GroupWait;
        if (due)
        {
            var changed = !firing.SequenceEqual(state.NotifiedFiring) || group.Resolved.Count > 0;
            var remind = group.Firing.Count > 0 && !allAcknowledged && state.LastNotifiedAt is { } last && now >= last + route.RepeatInterval;
            state = state with { LastFlushAt = now };
            if (changed || remind)
            {
                var first = state.LastNotifiedAt is null || state.EscalationStep < 0;
                var step = escalation is null ? 0 : first ? Math.Max(0, LastStepDue(escalation, TimeSpan.Zero)) : state.EscalationStep;
                var channels = escalation is null ? receiver.Channels : escalation.Steps.Take(step + 1).SelectMany(s => s.Channels).Distinct().ToList();
                var notification = new Notification(group.Key, receiver.Name, group.Firing.Count > 0 ? "firing" : "resolved", group.Labels,
                    [.. group.Firing, .. group.Resolved], policy.ExternalUrl);
                await SendAsync(channels, notification, ct).ConfigureAwait(false);
                sent.Add(notification);
                var newAlerts = firing.Except(state.NotifiedFiring).Any();
                state = state with
                {
                    LastNotifiedAt = now,
                    NotifiedFiring = firing,
                    EscalationStep = escalation is null ? 0 : step,
                    EscalationStartedAt = first || (newAlerts && state.AcknowledgeSent) ? now : state.EscalationStartedAt,
                    AcknowledgeSent = state.AcknowledgeSent && !newAlerts,
                };
            }
        }

        if (group.Firing.Count > 0 && state.LastNotifiedAt is not null && escalation is not null && !allAcknowledged && state.EscalationStartedAt is { } started)
        {
            var next = state.EscalationStep + 1;
            if (next < escalation.Steps.Count && now >= started + escalation.Steps[next].Wait)
            {
                var notification = new Notification(group.Key, receiver.Name, "firing", group.Labels, group.Firing, policy.ExternalUrl);
                await SendAsync(escalation.Steps[next].Channels, notification, ct).ConfigureAwait(false);
                sent.Add(notification);
                state = state with { EscalationStep = next, LastNotifiedAt = now };
            }
            else if (next >= escalation.Steps.Count && escalation.RepeatAfter is { } repeat && now >= started + escalation.Steps[^1].Wait + repeat)
            {
                var notification = new Notification(group.Key, receiver.Name, "firing", group.Labels, group.Firing, policy.ExternalUrl);
                await SendAsync(escalation.Steps[0].Channels, notification, ct).ConfigureAwait(false);
                sent.Add(notification);
                state = state with { EscalationStep = 0, EscalationStartedAt = now, LastNotifiedAt = now };
            }
        }

        if (allAcknowledged && !state.AcknowledgeSent && state.LastNotifiedAt is not null)
        {
            var reached = escalation is null ? receiver.Channels : escalation.Steps.Take(state.EscalationStep + 1).SelectMany(s => s.Channels).Distinct().ToList();
            var ackable = reached.Where(c => Channels.TryGetValue(c, out var ch) && ch.SupportsAcknowledge).ToList();
            if (ackable.Count > 0)
            {
                var notification = new Notification(group.Key, receiver.Name, "acknowledge", group.Labels, group.Firing, policy.ExternalUrl);
                await SendAsync(ackable, notification, ct).ConfigureAwait(false);
                sent.Add(notification);
            }

            state = state with { AcknowledgeSent = true };
        }

        if (group.Firing.Count == 0 && state.LastFlushAt == now)
        {
            _states.Remove(group.Key); // resolved and told: the group is over
            await _repository.DeleteNotificationGroupAsync(group.Key, ct).ConfigureAwait(false);
        }
        else if (state != before)
        {
            _states[group.Key] = state;
            await _repository.SaveNotificationGroupAsync(state, ct).ConfigureAwait(false);
        }

        return sent;
    }

    /// <summary>The last step whose wait has passed after <paramref name="elapsed"/> (-1: none).</summary>
    private static int LastStepDue(EscalationPolicy policy, TimeSpan elapsed)
    {
        var step = -1;
        for (var i = 0; i < policy.Steps.Count && policy.Steps[i].Wait <= elapsed; i++)
        {
            step = i;
        }

        return step;
    }

    private async Task SendAsync(IEnumerable<string> channelNames, Notification notification, CancellationToken ct)
    {
        var channels = Channels;
        var tasks = channelNames.Distinct().Where(channels.ContainsKey).Select(n => _delivery.DeliverAsync(channels[n], notification, ct)).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private sealed record Group(string Key, ResolvedRoute Route, IReadOnlyDictionary<string, string> Labels)
    {
        public List<Alert> Firing { get; } = [];

        public List<Alert> Resolved { get; } = [];
    }
}
