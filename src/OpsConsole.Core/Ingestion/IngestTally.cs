using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Ingestion;

/// <summary>The signals the console takes in, as named in <c>opsconsole_ingested_items_total{signal}</c> and live events.</summary>
public static class IngestSignals
{
    public const string Spans = "spans";
    public const string Logs = "logs";
    public const string Samples = "samples";
    public const string HealthChecks = "health_checks";

    public static IReadOnlyList<string> All { get; } = [Spans, Logs, Samples, HealthChecks];
}

/// <summary>Items of one signal stored for one tenant since the console started.</summary>
public readonly record struct IngestTotal(string Signal, string TenantId, long Items);

/// <summary>
/// Counts what was committed, per signal and tenant (the tenant the items are stored under), since start, and keeps
/// the health-check results committed since they were last taken (at most <paramref name="maxPendingChecks"/>, the
/// oldest dropped first). The console's self-telemetry turns both into series; the live hub into ingest-rate events.
/// </summary>
public sealed class IngestTally(int maxPendingChecks = 10_000) : ICommittedTelemetryObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Signal, string Tenant), long> _totals = [];
    private readonly Queue<HealthCheckResult> _checks = new();

    public void OnCommitted(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            foreach (var s in batch.Spans)
            {
                Add(IngestSignals.Spans, s.TenantId);
            }

            foreach (var l in batch.Logs)
            {
                Add(IngestSignals.Logs, l.TenantId);
            }

            foreach (var s in batch.Samples)
            {
                Add(IngestSignals.Samples, s.TenantId);
            }

            foreach (var c in batch.HealthChecks)
            {
                Add(IngestSignals.HealthChecks, c.TenantId);
                _checks.Enqueue(c);
                if (_checks.Count > maxPendingChecks)
                {
                    _checks.Dequeue();
                }
            }
        }
    }

    /// <summary>Every (signal, tenant) seen so far with its running total, ordered by signal and tenant.</summary>
    public IReadOnlyList<IngestTotal> Totals()
    {
        lock (_gate)
        {
            return [.. _totals.Select(t => new IngestTotal(t.Key.Signal, t.Key.Tenant, t.Value))
                .OrderBy(t => t.Signal, StringComparer.Ordinal).ThenBy(t => t.TenantId, StringComparer.Ordinal)];
        }
    }

    /// <summary>The health-check results committed since the last call, in commit order.</summary>
    public IReadOnlyList<HealthCheckResult> TakeHealthChecks()
    {
        lock (_gate)
        {
            var taken = _checks.ToArray();
            _checks.Clear();
            return taken;
        }
    }

    private void Add(string signal, string tenant)
    {
        var key = (signal, tenant);
        _totals[key] = _totals.GetValueOrDefault(key) + 1;
    }
}
