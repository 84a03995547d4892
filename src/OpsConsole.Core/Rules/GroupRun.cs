using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Rules;

/// <summary>
/// One scheduled group: its loop, the status of each rule, and the series each recording rule wrote in its last
/// successful cycle per tenant (to mark the ones that disappear as stale, as Prometheus does).
/// </summary>
internal sealed class GroupRun
{
    private readonly RuleEvaluation _evaluation;
    private readonly Lock _gate = new();
    private readonly RuleStatus[] _statuses;
    private readonly Dictionary<string, HashSet<LabelSet>>[] _outputs;
    private readonly string[] _ruleKeys;
    private LoadedRuleGroup _loaded;
    private DateTimeOffset? _lastEvaluation;
    private TimeSpan _evaluationTime;
    private DateTimeOffset? _nextEvaluation;
    private CancellationTokenSource? _stop;
    private Task _task = Task.CompletedTask;

    public GroupRun(LoadedRuleGroup loaded, long intervalMs, RuleEvaluation evaluation)
    {
        _loaded = loaded;
        _evaluation = evaluation;
        IntervalMs = intervalMs;
        Canonical = loaded.Group.ToYaml();
        var rules = loaded.Group.Rules;
        _statuses = [.. rules.Select(r => new RuleStatus(r, RuleHealth.Unknown, null, null, TimeSpan.Zero, 0))];
        _outputs = [.. rules.Select(_ => new Dictionary<string, HashSet<LabelSet>>(StringComparer.Ordinal))];
        // A rule's identity across an edit of its group: kind, name and which occurrence of that name it is.
        _ruleKeys = [.. rules.Select((r, i) => $"{r.Kind}:{r.Name}:{rules.Take(i).Count(o => o.Kind == r.Kind && o.Name == r.Name)}")];
    }

    public string Name => _loaded.Name;

    /// <summary>A rule's identity within its group across edits: kind, name and which occurrence of that name it is.</summary>
    public string RuleKey(int rule) => _ruleKeys[rule];

    public IReadOnlyList<string> RuleKeys => _ruleKeys;

    /// <summary>The definition as text, to tell an unchanged group from an edited one.</summary>
    public string Canonical { get; }

    public long IntervalMs { get; }

    public LoadedRuleGroup Loaded
    {
        get
        {
            lock (_gate)
            {
                return _loaded;
            }
        }

        set
        {
            lock (_gate)
            {
                _loaded = value;
            }
        }
    }

    /// <summary>Replaced or removed (set under the scheduler's lock).</summary>
    public bool Retired { get; set; }

    public long LastEvaluationMs
    {
        get
        {
            lock (_gate)
            {
                return _lastEvaluation?.ToUnixTimeMilliseconds() ?? long.MinValue;
            }
        }
    }

    public void Start(CancellationToken stopping)
    {
        if (_stop is not null || stopping.IsCancellationRequested)
        {
            return;
        }

        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var token = _stop.Token;
        _task = Task.Run(() => LoopAsync(token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // How it stops.
        }

        _stop.Dispose();
        _stop = null;
        SetNext(null);
    }

    public RuleGroupStatus Status()
    {
        lock (_gate)
        {
            return new RuleGroupStatus(_loaded, IntervalMs, _lastEvaluation, _evaluationTime, [.. _statuses]) { NextEvaluation = _nextEvaluation };
        }
    }

    public IReadOnlyDictionary<string, HashSet<LabelSet>> Outputs(int rule)
    {
        lock (_gate)
        {
            return new Dictionary<string, HashSet<LabelSet>>(_outputs[rule], StringComparer.Ordinal);
        }
    }

    public void SetOutputs(int rule, Dictionary<string, HashSet<LabelSet>> outputs)
    {
        lock (_gate)
        {
            _outputs[rule] = outputs;
        }
    }

    /// <summary>Records a rule's result; returns its previous status.</summary>
    public RuleStatus SetRuleStatus(int rule, string? error, DateTimeOffset evaluatedAt, TimeSpan took, int series)
    {
        lock (_gate)
        {
            var previous = _statuses[rule];
            _statuses[rule] = previous with
            {
                Health = error is null ? RuleHealth.Ok : RuleHealth.Err,
                LastError = error,
                LastEvaluation = evaluatedAt,
                EvaluationTime = took,
                SeriesCount = series,
            };
            return previous;
        }
    }

    public void SetEvaluated(DateTimeOffset at, TimeSpan took)
    {
        lock (_gate)
        {
            _lastEvaluation = at;
            _evaluationTime = took;
        }
    }

    /// <summary>Every series this group's rules wrote last, by tenant (the group is going away).</summary>
    public Dictionary<string, HashSet<LabelSet>> TakeOutputs()
    {
        lock (_gate)
        {
            var all = new Dictionary<string, HashSet<LabelSet>>(StringComparer.Ordinal);
            foreach (var outputs in _outputs)
            {
                Merge(all, outputs);
            }

            return all;
        }
    }

    /// <summary>Takes over what <paramref name="previous"/> (the group before an edit) recorded, rule by rule; returns what no rule takes over.</summary>
    public Dictionary<string, HashSet<LabelSet>> CarryOver(GroupRun previous)
    {
        var leftover = new Dictionary<string, HashSet<LabelSet>>(StringComparer.Ordinal);
        lock (previous._gate)
        {
            lock (_gate)
            {
                for (var i = 0; i < previous._ruleKeys.Length; i++)
                {
                    var j = Array.IndexOf(_ruleKeys, previous._ruleKeys[i]);
                    if (j >= 0)
                    {
                        _outputs[j] = previous._outputs[i];
                    }
                    else
                    {
                        Merge(leftover, previous._outputs[i]);
                    }
                }
            }
        }

        return leftover;
    }

    private static void Merge(Dictionary<string, HashSet<LabelSet>> into, Dictionary<string, HashSet<LabelSet>> from)
    {
        foreach (var (tenant, series) in from)
        {
            if (!into.TryGetValue(tenant, out var set))
            {
                into[tenant] = set = [];
            }

            set.UnionWith(series);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var time = _evaluation.Time;
        var next = NextSlot(time.GetUtcNow().ToUnixTimeMilliseconds());
        var missed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            SetNext(next);
            var wait = next - time.GetUtcNow().ToUnixTimeMilliseconds();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), time, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await _evaluation.EvaluateAsync(this, next, missed, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // a broken cycle is logged; the group keeps its schedule
            catch (Exception e)
#pragma warning restore CA1031
            {
                RuleScheduler.LogGroupCrashed(_evaluation.Logger, e, Name);
            }

            var following = NextSlot(time.GetUtcNow().ToUnixTimeMilliseconds());
            missed = (int)Math.Max(0, (following - next - IntervalMs) / IntervalMs);
            next = Math.Max(following, next + IntervalMs);
        }
    }

    private void SetNext(long? slotMs)
    {
        lock (_gate)
        {
            _nextEvaluation = slotMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    /// <summary>The first multiple of the interval after <paramref name="nowMs"/>.</summary>
    private long NextSlot(long nowMs) => ((nowMs / IntervalMs) + 1) * IntervalMs;
}
