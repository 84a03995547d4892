using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>Tuning of alert handling (configuration section <c>Alerting</c>).</summary>
public sealed record AlertStoreOptions
{
    /// <summary>How long an external alert sent without <c>endsAt</c> stays firing unless sent again (Alertmanager's <c>resolve_timeout</c>).</summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many resolved alerts are held in memory for the history views (all stay in the database).</summary>
    public int ResolvedInMemory { get; init; } = 5000;
}

/// <summary>One series an alerting rule's expression returned: its labels (without <c>__name__</c>), value and tenant.</summary>
public sealed record AlertSample(LabelSet Labels, double Value, string TenantId);

/// <summary>One evaluation of one alerting rule: every series it returned (tenants whose query failed are left alone).</summary>
public sealed record AlertRuleResult(
    string Group, string RuleKey, Rules.AlertingRule Rule, IReadOnlyDictionary<string, string> GroupLabels, DateTimeOffset At,
    IReadOnlyList<AlertSample> Samples, IReadOnlySet<string> FailedTenants)
{
    public string GeneratorUrl { get; init; } = "";
}

/// <summary>An alert posted by a client (Alertmanager's <c>postableAlert</c>).</summary>
public sealed record PostedAlert(
    IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string>? Annotations, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? GeneratorUrl);

public enum AlertActionOutcome
{
    Done,
    NotFound,

    /// <summary>The action does not apply in the alert's state (already resolved, not acknowledged, a rule alert resolved by hand).</summary>
    Conflict,
}

/// <summary>The answer to an operator action on an alert.</summary>
public sealed record AlertActionResult(AlertActionOutcome Outcome, Alert? Alert, string? Message = null, Alert? Before = null);

/// <summary>
/// The alerts: the state machine of every alert (rule and external), operator states on top, and the recent
/// history. Every change is stored through <see cref="IAlertingRepository"/> before observers hear of it; changes are
/// applied one at a time, in order. Time comes from the caller (rule evaluations) or the given clock.
/// </summary>
public sealed class AlertStore
{
    /// <summary>The change kind of a pending alert whose condition went away before it fired: it is gone, not resolved.</summary>
    public const string Inactive = "inactive";

    private readonly IAlertingRepository _repository;
    private readonly IReadOnlyList<IAlertObserver> _observers;
    private readonly TimeProvider _time;
    private readonly AlertStoreOptions _options;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly Dictionary<string, Alert> _active = new(StringComparer.Ordinal);
    private readonly LinkedList<Alert> _resolved = new();
    private readonly Dictionary<string, Alert> _byId = new(StringComparer.Ordinal);
    private long _version;

    public AlertStore(IAlertingRepository repository, TimeProvider time, AlertStoreOptions? options = null, IEnumerable<IAlertObserver>? observers = null)
    {
        _repository = repository;
        _time = time;
        _options = options ?? new AlertStoreOptions();
        _observers = [.. observers ?? []];
    }

    public TimeProvider Time => _time;

    public AlertStoreOptions Options => _options;

    /// <summary>Grows with every change (pages use it to tell whether to refresh).</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Load(IEnumerable<Alert> alerts)
    {
        lock (_gate)
        {
            foreach (var alert in alerts.OrderBy(a => a.UpdatedAt))
            {
                Put(alert);
            }
        }
    }

    /// <summary>Pending and firing alerts.</summary>
    public IReadOnlyList<Alert> Active()
    {
        lock (_gate)
        {
            return [.. _active.Values];
        }
    }

    public IReadOnlyList<Alert> Firing()
    {
        lock (_gate)
        {
            return [.. _active.Values.Where(a => a.State == AlertState.Firing)];
        }
    }

    /// <summary>Resolved alerts held in memory, newest first.</summary>
    public IReadOnlyList<Alert> Resolved(int limit = int.MaxValue)
    {
        lock (_gate)
        {
            return [.. _resolved.Reverse().Take(limit)];
        }
    }

    public Alert? Get(string id)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    public Alert? ActiveByFingerprint(string fingerprint)
    {
        lock (_gate)
        {
            return _active.GetValueOrDefault(fingerprint);
        }
    }

    public IReadOnlyList<Alert> ForRule(string group, string ruleKey)
    {
        lock (_gate)
        {
            return [.. _active.Values.Where(a => a.RuleGroup == group && a.RuleKey == ruleKey)];
        }
    }

    /// <summary>Drives the alerts of one rule by its newest result (Prometheus's alerting-rule semantics).</summary>
    public async Task<IReadOnlyList<AlertChange>> ApplyRuleAsync(AlertRuleResult result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rule = result.Rule;
        var at = result.At;
        var built = new Dictionary<string, (LabelSet Labels, IReadOnlyDictionary<string, string> Annotations, AlertSample Sample)>(StringComparer.Ordinal);
        foreach (var sample in result.Samples)
        {
            var labels = BuildLabels(result, sample);
            var annotations = rule.Annotations.ToDictionary(a => a.Key, a => AlertTemplate.Expand(a.Value, sample.Labels, sample.Value), StringComparer.Ordinal);
            if (!built.TryAdd(Alert.FingerprintOf(labels), (labels, annotations, sample)))
            {
                throw new Rules.RuleEvaluationException($"vector contains metrics with the same labelset after applying alert labels: {labels}");
            }
        }

        return await ChangeAsync(changes =>
        {
            foreach (var (fingerprint, (labels, annotations, sample)) in built)
            {
                if (_active.TryGetValue(fingerprint, out var existing))
                {
                    var next = existing with { Value = sample.Value, Annotations = annotations, LastSeenAt = at, UpdatedAt = at };
                    if (existing.State == AlertState.Pending && at - existing.ActiveAt >= TimeSpan.FromMilliseconds(rule.ForMs))
                    {
                        next = next with { State = AlertState.Firing, FiredAt = at };
                        Record(changes, existing, next, AlertChange.Firing);
                    }
                    else
                    {
                        Replace(existing, next); // a new value is no transition: not stored every cycle
                    }

                    continue;
                }

                var alert = new Alert
                {
                    Id = Alert.NewId(),
                    Labels = labels,
                    Annotations = annotations,
                    State = rule.ForMs == 0 ? AlertState.Firing : AlertState.Pending,
                    Origin = AlertOrigin.Rule,
                    ActiveAt = at,
                    FiredAt = rule.ForMs == 0 ? at : null,
                    LastSeenAt = at,
                    UpdatedAt = at,
                    Value = sample.Value,
                    RuleGroup = result.Group,
                    RuleKey = result.RuleKey,
                    Expression = rule.Condition,
                    GeneratorUrl = result.GeneratorUrl,
                    TenantId = sample.TenantId,
                };
                Record(changes, null, alert, alert.State == AlertState.Firing ? AlertChange.Firing : AlertChange.Pending);
            }

            foreach (var alert in _active.Values.Where(a => a.RuleGroup == result.Group && a.RuleKey == result.RuleKey).ToList())
            {
                if (built.ContainsKey(alert.Fingerprint) || result.FailedTenants.Contains(alert.TenantId))
                {
                    continue;
                }

                if (alert.State == AlertState.Pending)
                {
                    Record(changes, alert, alert with { State = AlertState.Resolved, UpdatedAt = at }, Inactive);
                }
                else if (rule.KeepFiringForMs > 0 && alert.LastSeenAt is { } seen && at - seen < TimeSpan.FromMilliseconds(rule.KeepFiringForMs))
                {
                    continue; // keep_firing_for: still firing a while after the condition cleared
                }
                else
                {
                    Record(changes, alert, alert with { State = AlertState.Resolved, ResolvedAt = at, UpdatedAt = at }, AlertChange.Resolved);
                }
            }
        }, ct);
    }

    /// <summary>Resolves the alerts of rules that no longer exist (a group removed or edited); <paramref name="liveRules"/> holds <c>group\0ruleKey</c>.</summary>
    public Task<IReadOnlyList<AlertChange>> RetainRulesAsync(IReadOnlySet<string> liveRules, CancellationToken ct)
    {
        var at = _time.GetUtcNow();
        return ChangeAsync(changes =>
        {
            foreach (var alert in _active.Values.Where(a => a.Origin == AlertOrigin.Rule && !liveRules.Contains(a.RuleGroup + "\0" + a.RuleKey)).ToList())
            {
                Record(changes, alert, alert with { State = AlertState.Resolved, ResolvedAt = alert.State == AlertState.Firing ? at : null, UpdatedAt = at },
                    alert.State == AlertState.Firing ? AlertChange.Resolved : Inactive);
            }
        }, ct);
    }

    /// <summary>Checks posted alerts as Alertmanager does; the errors of each invalid one (index, message).</summary>
    public static List<string> Validate(IReadOnlyList<PostedAlert> alerts)
    {
        var errors = new List<string>();
        for (var i = 0; i < alerts.Count; i++)
        {
            var a = alerts[i];
            var which = $"alert {i + 1}";
            if (a.Labels is null || a.Labels.Count == 0)
            {
                errors.Add($"{which}: at least one label pair required");
                continue;
            }

            which = $"alert {i + 1} ({string.Join(", ", a.Labels.Select(l => l.Key + "=" + l.Value))})";
            foreach (var (name, value) in a.Labels)
            {
                if (!Matchers.IsValidLabelName(name))
                {
                    errors.Add($"{which}: invalid label name \"{name}\"");
                }
                else if (string.IsNullOrEmpty(value))
                {
                    errors.Add($"{which}: label \"{name}\" has an empty value");
                }
            }

            foreach (var name in (a.Annotations ?? new Dictionary<string, string>()).Keys.Where(n => !Matchers.IsValidLabelName(n)))
            {
                errors.Add($"{which}: invalid annotation name \"{name}\"");
            }

            if (a.StartsAt is { } s && a.EndsAt is { } e && e < s)
            {
                errors.Add($"{which}: end time must not be before start time");
            }
        }

        return errors;
    }

    /// <summary>Takes alerts posted from outside (validate first): new ones fire, known ones are refreshed, ended ones resolve.</summary>
    public Task<IReadOnlyList<AlertChange>> ReceiveAsync(IReadOnlyList<PostedAlert> posted, string tenantId, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        return ChangeAsync(changes =>
        {
            foreach (var p in posted)
            {
                var labels = LabelSet.From(p.Labels.Select(l => new KeyValuePair<string, string>(l.Key, l.Value)));
                var startsAt = p.StartsAt ?? (p.EndsAt is { } end && end < now ? end : now);
                var endsAt = p.EndsAt ?? now + _options.ResolveTimeout;
                var annotations = p.Annotations ?? new Dictionary<string, string>();
                if (_active.TryGetValue(Alert.FingerprintOf(labels), out var existing))
                {
                    if (existing.Origin != AlertOrigin.External)
                    {
                        continue; // the console's own rule owns this alert
                    }

                    var next = existing with
                    {
                        Annotations = annotations,
                        EndsAt = endsAt,
                        ActiveAt = startsAt < existing.ActiveAt ? startsAt : existing.ActiveAt,
                        FiredAt = startsAt < existing.StartsAt ? startsAt : existing.FiredAt,
                        GeneratorUrl = p.GeneratorUrl ?? existing.GeneratorUrl,
                        UpdatedAt = now,
                    };
                    if (endsAt <= now)
                    {
                        Record(changes, existing, next with { State = AlertState.Resolved, ResolvedAt = endsAt }, AlertChange.Resolved);
                    }
                    else
                    {
                        Record(changes, existing, next, AlertChange.Updated);
                    }

                    continue;
                }

                if (endsAt <= now)
                {
                    continue; // already over and never seen firing: nothing to resolve
                }

                var alert = new Alert
                {
                    Id = Alert.NewId(),
                    Labels = labels,
                    Annotations = annotations,
                    State = AlertState.Firing,
                    Origin = AlertOrigin.External,
                    ActiveAt = startsAt,
                    FiredAt = startsAt,
                    EndsAt = endsAt,
                    UpdatedAt = now,
                    GeneratorUrl = p.GeneratorUrl ?? "",
                    TenantId = tenantId,
                };
                Record(changes, null, alert, AlertChange.Firing);
            }
        }, ct);
    }

    /// <summary>Resolves external alerts whose end has passed (sent again in time, they stay firing).</summary>
    public Task<IReadOnlyList<AlertChange>> ExpireExternalAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_active.Values.Any(a => a.Origin == AlertOrigin.External && a.EndsAt <= now))
            {
                return Task.FromResult<IReadOnlyList<AlertChange>>([]);
            }
        }

        return ChangeAsync(changes =>
        {
            foreach (var alert in _active.Values.Where(a => a.Origin == AlertOrigin.External && a.EndsAt <= now).ToList())
            {
                Record(changes, alert, alert with { State = AlertState.Resolved, ResolvedAt = alert.EndsAt, UpdatedAt = now }, AlertChange.Resolved);
            }
        }, ct);
    }

    public Task<AlertActionResult> AcknowledgeAsync(string id, string actor, string? comment, CancellationToken ct) =>
        ActAsync(id, ct, alert => alert.IsActive
            ? (alert with { Acknowledgement = new Acknowledgement(actor, _time.GetUtcNow(), comment), UpdatedAt = _time.GetUtcNow() }, AlertChange.Acknowledged, actor, comment, null)
            : (null, null, null, null, "the alert is resolved; only active alerts can be acknowledged"));

    public Task<AlertActionResult> UnacknowledgeAsync(string id, string actor, string? comment, CancellationToken ct) =>
        ActAsync(id, ct, alert => alert.Acknowledgement is null
            ? (null, null, null, null, "the alert is not acknowledged")
            : !alert.IsActive
                ? (null, null, null, null, "the alert is resolved")
                : (alert with { Acknowledgement = null, UpdatedAt = _time.GetUtcNow() }, AlertChange.Unacknowledged, actor, comment, null));

    /// <summary>Resolves an external alert by hand (a rule's alert resolves when its condition clears).</summary>
    public Task<AlertActionResult> ResolveAsync(string id, string actor, string? comment, CancellationToken ct) =>
        ActAsync(id, ct, alert => !alert.IsActive
            ? (null, null, null, null, "the alert is already resolved")
            : alert.Origin == AlertOrigin.Rule
                ? (null, null, null, null, $"the alert comes from the rule {alert.Name} and resolves when its condition clears; silence it to mute it")
                : (alert with { State = AlertState.Resolved, ResolvedAt = _time.GetUtcNow(), EndsAt = _time.GetUtcNow(), ResolvedBy = actor, UpdatedAt = _time.GetUtcNow() },
                    AlertChange.Resolved, actor, comment, null));

    private async Task<AlertActionResult> ActAsync(
        string id, CancellationToken ct, Func<Alert, (Alert? Next, string? Kind, string? Actor, string? Comment, string? Refusal)> decide)
    {
        AlertActionResult? result = null;
        await ChangeAsync(changes =>
        {
            var alert = _byId.GetValueOrDefault(id);
            if (alert is null)
            {
                result = new AlertActionResult(AlertActionOutcome.NotFound, null, $"no alert with id {id}");
                return;
            }

            var (next, kind, actor, comment, refusal) = decide(alert);
            if (next is null)
            {
                result = new AlertActionResult(AlertActionOutcome.Conflict, alert, refusal);
                return;
            }

            changes.Add(new AlertChange(alert, next, kind!, actor, comment));
            result = new AlertActionResult(AlertActionOutcome.Done, next, Before: alert);
        }, ct);
        return result!;
    }

    private static LabelSet BuildLabels(AlertRuleResult result, AlertSample sample)
    {
        var labels = new List<KeyValuePair<string, string>>(sample.Labels.Count + result.GroupLabels.Count + result.Rule.Labels.Count + 2);
        labels.AddRange(sample.Labels.Labels.Where(l => l.Key != LabelSet.MetricName));
        if (sample.TenantId != Domain.Tenancy.TenantIds.Default && sample.Labels.Get(AlertLabels.TenantId) is null)
        {
            labels.Add(new(AlertLabels.TenantId, sample.TenantId));
        }

        labels.AddRange(result.GroupLabels.Select(l => new KeyValuePair<string, string>(l.Key, AlertTemplate.Expand(l.Value, sample.Labels, sample.Value))));
        labels.AddRange(result.Rule.Labels.Select(l => new KeyValuePair<string, string>(l.Key, AlertTemplate.Expand(l.Value, sample.Labels, sample.Value))));
        labels.Add(new(AlertLabels.AlertName, result.Rule.Alert));
        return LabelSet.From(labels);
    }

    private static void Record(List<AlertChange> changes, Alert? before, Alert after, string kind) => changes.Add(new AlertChange(before, after, kind));

    /// <summary>Runs <paramref name="decide"/> under the lock to list changes, stores them, applies them, tells observers.</summary>
    private async Task<IReadOnlyList<AlertChange>> ChangeAsync(Action<List<AlertChange>> decide, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            var changes = new List<AlertChange>();
            lock (_gate)
            {
                decide(changes);
            }

            if (changes.Count == 0)
            {
                return changes;
            }

            await _repository.SaveAlertChangesAsync(changes, ct);
            lock (_gate)
            {
                foreach (var change in changes)
                {
                    if (change.Kind == Inactive)
                    {
                        _active.Remove(change.After.Fingerprint);
                        _byId.Remove(change.After.Id);
                    }
                    else
                    {
                        Put(change.After);
                    }
                }
            }

            Interlocked.Increment(ref _version);
            foreach (var observer in _observers)
            {
                observer.AlertsChanged(changes);
            }

            return changes;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Replaces an active alert in memory without a stored transition (newer value or annotations).</summary>
    private void Replace(Alert existing, Alert next)
    {
        _active[existing.Fingerprint] = next;
        _byId[next.Id] = next;
    }

    private void Put(Alert alert)
    {
        if (alert.IsActive)
        {
            _active[alert.Fingerprint] = alert;
            _byId[alert.Id] = alert;
            return;
        }

        if (_active.TryGetValue(alert.Fingerprint, out var current) && current.Id == alert.Id)
        {
            _active.Remove(alert.Fingerprint);
        }

        _byId[alert.Id] = alert;
        _resolved.AddLast(alert);
        while (_resolved.Count > _options.ResolvedInMemory)
        {
            var oldest = _resolved.First!.Value;
            _resolved.RemoveFirst();
            if (_byId.TryGetValue(oldest.Id, out var held) && !held.IsActive)
            {
                _byId.Remove(oldest.Id);
            }
        }
    }
}
