using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Ingestion;

namespace OpsConsole.Core.Rules;

/// <summary>Tuning of rule evaluation (configuration section <c>Rules</c>).</summary>
public sealed record RuleSchedulerOptions
{
    /// <summary>The interval of groups that name none (Prometheus's global default, 1 minute).</summary>
    public long DefaultIntervalMs { get; init; } = 60_000;
}

/// <summary>
/// Runs the rule groups: each group on its own schedule, at the multiples of its interval (since the Unix epoch) on
/// the given clock, its rules one after the other at the same timestamp, so that a rule sees what an earlier rule of
/// the same group recorded in that cycle. Recording rules are evaluated for every tenant that has series, within
/// that tenant, and their results are written through the ingest pipeline (durable, then in the hot store) under that
/// tenant. A failing rule is marked and the next one runs. A cycle that falls behind skips the slots it missed.
/// Alerting rules drive the <see cref="AlertStore"/> when one is given (else they are held and shown only); the
/// alerts of rules that are gone resolve.
/// </summary>
public sealed partial class RuleScheduler
{
    private readonly RuleEvaluation _evaluation;
    private readonly RuleSchedulerOptions _options;
    private readonly Lock _gate = new();
    private readonly List<(GroupRun Old, GroupRun? Successor)> _retired = [];
    private readonly Channel<bool> _changes = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
    private List<GroupRun> _groups = [];
    private CancellationToken _stopping = new(canceled: true);
    private int _running;

    public RuleScheduler(
        IRuleQueryEngine engine, ITelemetrySink sink, TimeProvider timeProvider, RuleSchedulerOptions options, ILogger<RuleScheduler> logger,
        IRuleEvaluationObserver? observer = null, AlertStore? alerts = null, IRuleSignalSource? signals = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DefaultIntervalMs < RuleFileParser.MinIntervalMs)
        {
            throw new ArgumentException($"The default rule evaluation interval must be at least {RuleFileParser.MinIntervalMs} ms.", nameof(options));
        }

        _options = options;
        _evaluation = new RuleEvaluation(engine, sink, timeProvider, logger, observer, alerts, signals);
    }

    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>
    /// Makes <paramref name="groups"/> the groups to run, in this order. A group whose definition is unchanged keeps
    /// its schedule and status; a changed one starts afresh at its next slot; series recorded by rules that are gone
    /// get Prometheus's stale marker.
    /// </summary>
    public void SetGroups(IEnumerable<LoadedRuleGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        lock (_gate)
        {
            var current = _groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
            var next = new List<GroupRun>();
            foreach (var loaded in groups)
            {
                var interval = loaded.Group.IntervalMs ?? _options.DefaultIntervalMs;
                if (current.Remove(loaded.Name, out var existing))
                {
                    if (existing.Canonical == loaded.Group.ToYaml() && existing.IntervalMs == interval)
                    {
                        existing.Loaded = loaded;
                        next.Add(existing);
                        continue;
                    }

                    var successor = new GroupRun(loaded, interval, _evaluation);
                    existing.Retired = true;
                    _retired.Add((existing, successor));
                    next.Add(successor);
                    continue;
                }

                if (next.Any(g => g.Name == loaded.Name))
                {
                    throw new ArgumentException($"Rule group \"{loaded.Name}\" is given twice.", nameof(groups));
                }

                next.Add(new GroupRun(loaded, interval, _evaluation));
            }

            foreach (var gone in current.Values)
            {
                gone.Retired = true;
                _retired.Add((gone, null));
            }

            _groups = next;
        }

        _changes.Writer.TryWrite(true);
    }

    /// <summary>The alerts of one alerting rule (<paramref name="ruleIndex"/> within its group), empty without an alert store.</summary>
    public IReadOnlyList<Alert> AlertsOf(string group, int ruleIndex)
    {
        GroupRun? run;
        lock (_gate)
        {
            run = _groups.FirstOrDefault(g => g.Name == group);
        }

        return run is null || _evaluation.Alerts is null || ruleIndex >= run.RuleKeys.Count ? [] : _evaluation.Alerts.ForRule(group, run.RuleKey(ruleIndex));
    }

    /// <summary>Every group in order with its rules' health, last evaluation and last error.</summary>
    public IReadOnlyList<RuleGroupStatus> Statuses()
    {
        List<GroupRun> groups;
        lock (_gate)
        {
            groups = _groups;
        }

        return [.. groups.Select(g => g.Status())];
    }

    /// <summary>Runs the groups until <paramref name="stoppingToken"/> is cancelled. One run at a time.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The rule scheduler is already running.");
        }

        try
        {
            lock (_gate)
            {
                _stopping = stoppingToken;
            }

            await ReconcileAsync(stoppingToken).ConfigureAwait(false);
            await foreach (var _ in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the series stay as they are (no stale markers; the rules are not gone).
        }
        finally
        {
            List<GroupRun> groups;
            lock (_gate)
            {
                groups = _groups;
                _stopping = new CancellationToken(canceled: true);
            }

            foreach (var group in groups)
            {
                await group.StopAsync().ConfigureAwait(false);
            }

            Volatile.Write(ref _running, 0);
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        List<(GroupRun Old, GroupRun? Successor)> retired;
        lock (_gate)
        {
            retired = [.. _retired];
            _retired.Clear();
        }

        if (_evaluation.Alerts is { } alerts && retired.Count > 0)
        {
            HashSet<string> live;
            lock (_gate)
            {
                live = [.. _groups.SelectMany(g => g.RuleKeys.Select(k => g.Name + "\0" + k))];
            }

            await alerts.RetainRulesAsync(live, stoppingToken).ConfigureAwait(false);
        }

        foreach (var (old, successor) in retired)
        {
            await old.StopAsync().ConfigureAwait(false);
            var leftover = successor is null ? old.TakeOutputs() : successor.CarryOver(old);
            await _evaluation.MarkStaleAsync(old.Name, leftover, old.LastEvaluationMs, stoppingToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            foreach (var group in _groups)
            {
                if (!group.Retired)
                {
                    group.Start(_stopping);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule group \"{Group}\" stopped; {Count} recorded series marked stale")]
    internal static partial void LogMarkedStale(ILogger logger, string group, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group \"{Group}\", rule {Index} ({Rule}) failed: {Error}")]
    internal static partial void LogRuleFailed(ILogger logger, string group, int index, string rule, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule group \"{Group}\", rule {Index} ({Rule}) evaluates again without error")]
    internal static partial void LogRuleRecovered(ILogger logger, string group, int index, string rule);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule group \"{Group}\": an evaluation cycle failed")]
    internal static partial void LogGroupCrashed(ILogger logger, Exception exception, string group);
}
