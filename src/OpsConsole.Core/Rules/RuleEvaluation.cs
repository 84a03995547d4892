using Microsoft.Extensions.Logging;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Rules;

/// <summary>A rule's result that cannot be recorded (duplicate series after relabelling, over the group's limit, …).</summary>
public sealed class RuleEvaluationException(string message) : Exception(message);

/// <summary>Evaluates one cycle of a group and writes what its recording rules produce.</summary>
internal sealed class RuleEvaluation(
    IRuleQueryEngine engine, ITelemetrySink sink, TimeProvider time, ILogger logger, IRuleEvaluationObserver? observer, AlertStore? alerts,
    IRuleSignalSource? signals)
{
    /// <summary>Prometheus's series of the active alerts: 1 for each, with labels <c>alertstate</c> and the alert's labels.</summary>
    public const string AlertsMetric = "ALERTS";

    /// <summary>Prometheus's series of when each active alert became active (Unix seconds), to restore <c>for</c> state.</summary>
    public const string AlertsForStateMetric = "ALERTS_FOR_STATE";

    public TimeProvider Time => time;

    public AlertStore? Alerts => alerts;

    public ILogger Logger => logger;

    public async Task EvaluateAsync(GroupRun run, long slotMs, int missed, CancellationToken cancellationToken)
    {
        var loaded = run.Loaded;
        var group = loaded.Group;
        var queryMs = slotMs - group.QueryOffsetMs;
        var evaluatedAt = DateTimeOffset.FromUnixTimeMilliseconds(slotMs);
        var started = time.GetTimestamp();
        int evaluated = 0, failed = 0;
        for (var i = 0; i < group.Rules.Count; i++)
        {
            var rule = group.Rules[i];
            if (rule is AlertingRule && alerts is null)
            {
                continue; // no alert store: alerting rules are shown, not evaluated
            }

            var ruleStarted = time.GetTimestamp();
            string? error;
            var series = 0;
            try
            {
                (error, series) = rule switch
                {
                    RecordingRule recording => await RecordAsync(run, i, recording, group, queryMs, cancellationToken).ConfigureAwait(false),
                    AlertingRule alerting => await AlertAsync(run, i, alerting, group, evaluatedAt, queryMs, cancellationToken).ConfigureAwait(false),
                    _ => (null, 0),
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // one rule's failure must not stop the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = "internal error: " + e.Message;
            }

            evaluated++;
            failed += error is null ? 0 : 1;
            var previous = run.SetRuleStatus(i, error, evaluatedAt, time.GetElapsedTime(ruleStarted), series);
            if (error is not null && error != previous.LastError)
            {
                RuleScheduler.LogRuleFailed(logger, group.Name, i + 1, rule.Name, error);
            }
            else if (error is null && previous.Health == RuleHealth.Err)
            {
                RuleScheduler.LogRuleRecovered(logger, group.Name, i + 1, rule.Name);
            }
        }

        var took = time.GetElapsedTime(started);
        run.SetEvaluated(evaluatedAt, took);
        observer?.GroupEvaluated(group.Name, evaluated, failed, took, missed);
    }

    private async Task<(string? Error, int Series)> RecordAsync(GroupRun run, int index, RecordingRule rule, RuleGroup group, long queryMs, CancellationToken cancellationToken)
    {
        var tenants = engine.Tenants();
        var previous = run.Outputs(index);
        var outputs = new Dictionary<string, HashSet<LabelSet>>(StringComparer.Ordinal);
        var samples = new List<SeriesSample>();
        var errors = new List<string>();
        foreach (var tenant in tenants)
        {
            try
            {
                var produced = Record(engine.Instant(rule.Expr, queryMs, tenant, cancellationToken), rule, group, tenant, queryMs);
                samples.AddRange(produced);
                outputs[tenant] = [.. produced.Select(s => s.Labels)];
            }
            catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException or PromQlEvaluationException or RuleEvaluationException)
            {
                errors.Add(tenants.Count > 1 ? $"tenant \"{tenant}\": {e.Message}" : e.Message);
                if (previous.TryGetValue(tenant, out var kept))
                {
                    outputs[tenant] = kept; // as Prometheus: a failed evaluation marks nothing stale
                }
            }
        }

        var recorded = samples.Count;
        foreach (var (tenant, series) in previous)
        {
            if (!outputs.TryGetValue(tenant, out var now))
            {
                now = [];
            }

            samples.AddRange(series.Where(s => !now.Contains(s)).Select(s => new SeriesSample(tenant, s, queryMs, StaleMarker.StaleNaN)));
        }

        if (samples.Count > 0)
        {
            var result = await WriteAsync(samples, cancellationToken).ConfigureAwait(false);
            if (result.Outcome != IngestOutcome.Accepted)
            {
                errors.Add($"could not store the {recorded} recorded samples: {result.Message}");
                return (string.Join("; ", errors), 0);
            }
        }

        run.SetOutputs(index, outputs);
        return (errors.Count == 0 ? null : string.Join("; ", errors), recorded);
    }

    /// <summary>
    /// Evaluates an alerting rule for every tenant and drives its alerts. A series of a tenant other than the default one
    /// gets that tenant's <c>tenant_id</c> label when it has none (so alerts of two tenants never share a fingerprint).
    /// A tenant whose query failed keeps its alerts as they are, as Prometheus does for a failed evaluation.
    /// </summary>
    private async Task<(string? Error, int Series)> AlertAsync(
        GroupRun run, int index, AlertingRule rule, RuleGroup group, DateTimeOffset evaluatedAt, long queryMs, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> tenants = engine.Tenants();
        if (rule.Logs is not null || rule.Health is not null)
        {
            if (signals is null)
            {
                return ("log-based and health rules are not evaluated here: no log or health data is available to the rule scheduler", 0);
            }

            tenants = [.. tenants.Union(signals.Tenants(), StringComparer.Ordinal)];
        }

        var samples = new List<AlertSample>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();
        var logMatch = rule.Logs is { } logRule ? LogQueryParser.Parse(logRule.Query) : null;
        foreach (var tenant in tenants)
        {
            try
            {
                if (rule.Logs is { } logs)
                {
                    var count = signals!.CountLogs(
                        logMatch!, tenant, DateTimeOffset.FromUnixTimeMilliseconds(queryMs - logs.WindowMs), DateTimeOffset.FromUnixTimeMilliseconds(queryMs), cancellationToken);
                    if (logs.Holds(count))
                    {
                        samples.Add(new AlertSample(LabelSet.Empty, count, tenant));
                    }

                    continue;
                }

                if (rule.Health is { } health)
                {
                    samples.AddRange(HealthSamples(health, tenant, queryMs));
                    continue;
                }

                IReadOnlyList<VectorSample> vector = engine.Instant(rule.Expr, queryMs, tenant, cancellationToken) switch
                {
                    InstantVector v => v.Samples,
                    ScalarResult s => [new VectorSample(LabelSet.Empty, s.TimestampMs, s.Value)],
                    _ => throw new RuleEvaluationException("rule result is not a vector or scalar"),
                };
                samples.AddRange(vector.Select(v => new AlertSample(v.Labels.Without(LabelSet.MetricName), v.Value, tenant)));
            }
            catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException or PromQlEvaluationException or RuleEvaluationException or LogQueryParseException)
            {
                failed.Add(tenant);
                errors.Add(tenants.Count > 1 ? $"tenant \"{tenant}\": {e.Message}" : e.Message);
            }
        }

        if (group.Limit > 0 && samples.Count > group.Limit)
        {
            errors.Add($"exceeded limit of {group.Limit} with {samples.Count} alerts");
            failed.UnionWith(tenants);
            samples.Clear();
        }

        try
        {
            await alerts!.ApplyRuleAsync(
                new AlertRuleResult(group.Name, run.RuleKey(index), rule, group.Labels, evaluatedAt, samples, failed)
                {
                    GeneratorUrl = "/alerts?rule=" + Uri.EscapeDataString(rule.Alert),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RuleEvaluationException e)
        {
            errors.Add(e.Message);
        }

        if (await WriteAlertSeriesAsync(run, index, group, queryMs, cancellationToken).ConfigureAwait(false) is { } writeError)
        {
            errors.Add(writeError);
        }

        return (errors.Count == 0 ? null : string.Join("; ", errors), samples.Count);
    }

    /// <summary>
    /// A health rule's series in one tenant: one per service that is down (labels <c>service</c>, value 0 as <c>up</c>)
    /// or per failing check (labels <c>service</c> and <c>check</c>, value the seconds it has been failing).
    /// </summary>
    private List<AlertSample> HealthSamples(HealthRuleCondition health, string tenant, long queryMs)
    {
        var samples = new List<AlertSample>();
        if (health.Check is null)
        {
            samples.AddRange(signals!.Services(tenant)
                .Where(s => s.Down && s.Service == health.Service)
                .Select(s => new AlertSample(LabelSet.From(("service", s.Service)), 0, tenant)));
            return samples;
        }

        samples.AddRange(signals!.Checks(tenant)
            .Where(c => c.Check == health.Check && (health.Service is null || c.Service == health.Service) && c.Status == HealthStatus.Unhealthy)
            .Select(c => new AlertSample(LabelSet.From(("service", c.Service), ("check", c.Check)), Math.Max(0, queryMs - c.StatusSinceMs) / 1000.0, tenant)));
        return samples;
    }

    /// <summary>
    /// Writes the rule's <c>ALERTS</c> and <c>ALERTS_FOR_STATE</c> series as Prometheus does: for every pending or firing
    /// alert, <c>ALERTS{alertstate="pending"|"firing", …alert labels} 1</c> and <c>ALERTS_FOR_STATE{…alert labels}</c> =
    /// when it became active (Unix seconds), at the rule's query time, in the alert's tenant; the series of alerts that
    /// are gone (or changed state) get the stale marker.
    /// </summary>
    private async Task<string?> WriteAlertSeriesAsync(GroupRun run, int index, RuleGroup group, long queryMs, CancellationToken cancellationToken)
    {
        var previous = run.Outputs(index);
        var outputs = new Dictionary<string, HashSet<LabelSet>>(StringComparer.Ordinal);
        var samples = new List<SeriesSample>();
        foreach (var alert in alerts!.ForRule(group.Name, run.RuleKey(index)))
        {
            if (!outputs.TryGetValue(alert.TenantId, out var written))
            {
                outputs[alert.TenantId] = written = [];
            }

            var state = alert.State == AlertState.Firing ? "firing" : "pending";
            var labels = alert.Labels.Labels.Where(l => l.Key is not (LabelSet.MetricName or "alertstate")).ToList();
            var alertsSeries = LabelSet.From([.. labels, new(LabelSet.MetricName, AlertsMetric), new("alertstate", state)]);
            var forStateSeries = LabelSet.From([.. labels, new(LabelSet.MetricName, AlertsForStateMetric)]);
            if (written.Add(alertsSeries))
            {
                samples.Add(new SeriesSample(alert.TenantId, alertsSeries, queryMs, 1));
            }

            if (written.Add(forStateSeries))
            {
                samples.Add(new SeriesSample(alert.TenantId, forStateSeries, queryMs, alert.ActiveAt.ToUnixTimeMilliseconds() / 1000.0));
            }
        }

        foreach (var (tenant, series) in previous)
        {
            var now = outputs.GetValueOrDefault(tenant);
            samples.AddRange(series.Where(s => now is null || !now.Contains(s)).Select(s => new SeriesSample(tenant, s, queryMs, StaleMarker.StaleNaN)));
        }

        if (samples.Count > 0)
        {
            var result = await WriteAsync(samples, cancellationToken).ConfigureAwait(false);
            if (result.Outcome != IngestOutcome.Accepted)
            {
                return $"could not store the {AlertsMetric} series: {result.Message}";
            }
        }

        run.SetOutputs(index, outputs);
        return null;
    }

    /// <summary>A rule's result as samples of its tenant: metric name = the record name, group then rule labels applied (an empty value removes the label).</summary>
    private static List<SeriesSample> Record(PromQlResult result, RecordingRule rule, RuleGroup group, string tenant, long queryMs)
    {
        IReadOnlyList<VectorSample> vector = result switch
        {
            InstantVector v => v.Samples,
            ScalarResult s => [new VectorSample(LabelSet.Empty, s.TimestampMs, s.Value)],
            _ => throw new RuleEvaluationException("rule result is not a vector or scalar"),
        };
        var produced = new List<SeriesSample>(vector.Count);
        var seen = new HashSet<LabelSet>();
        foreach (var sample in vector)
        {
            var labels = LabelSet.From(sample.Labels.Labels
                .Concat(group.Labels)
                .Concat(rule.Labels)
                .Append(new KeyValuePair<string, string>(LabelSet.MetricName, rule.Record)));
            if (!seen.Add(labels))
            {
                throw new RuleEvaluationException($"vector contains metrics with the same labelset after applying rule labels: {labels}");
            }

            produced.Add(new SeriesSample(tenant, labels, queryMs, sample.Value));
        }

        if (group.Limit > 0 && produced.Count > group.Limit)
        {
            throw new RuleEvaluationException($"exceeded limit of {group.Limit} with {produced.Count} series");
        }

        return produced;
    }

    /// <summary>Writes rule output through the sink, then tells the engine which metrics changed (so shared selector data is dropped).</summary>
    private async Task<IngestResult> WriteAsync(List<SeriesSample> samples, CancellationToken cancellationToken)
    {
        try
        {
            return await sink.WriteAsync(new TelemetryBatch { Samples = samples }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            engine.SeriesWritten([.. samples.Select(s => s.Labels.Get(LabelSet.MetricName) ?? "").Distinct(StringComparer.Ordinal)]);
        }
    }

    /// <summary>Marks what a group that is gone recorded last as stale, so queries stop seeing it at once.</summary>
    public async Task MarkStaleAsync(string group, Dictionary<string, HashSet<LabelSet>> series, long lastEvaluationMs, CancellationToken cancellationToken)
    {
        var count = series.Values.Sum(s => s.Count);
        if (count == 0)
        {
            return;
        }

        var at = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), lastEvaluationMs + 1);
        var samples = series.SelectMany(t => t.Value.Select(l => new SeriesSample(t.Key, l, at, StaleMarker.StaleNaN))).ToList();
        var result = await WriteAsync(samples, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == IngestOutcome.Accepted)
        {
            RuleScheduler.LogMarkedStale(logger, group, count);
        }
    }
}
