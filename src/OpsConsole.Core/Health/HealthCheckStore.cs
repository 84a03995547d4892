using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Health;

/// <summary>The state of one check of one service, for the System health page and health rules.</summary>
public sealed record HealthCheckState(
    string TenantId, string Service, string Check, HealthStatus Status, string? Message, long LastTimestampMs,
    long StatusSinceMs, double UptimePercent, int Results);

/// <summary>
/// Health-check results as reported: the current status of every (tenant, service, check), when it last changed,
/// and its uptime over the results held (a bounded history per check). Fed with committed batches.
/// </summary>
public sealed class HealthCheckStore(int historyPerCheck = 1440) : ICommittedTelemetryObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Tenant, string Service, string Check), Track> _tracks = [];

    public void OnCommitted(TelemetryBatch batch)
    {
        if (batch.HealthChecks.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var r in batch.HealthChecks)
            {
                var key = (r.TenantId, r.Service, r.Check);
                if (!_tracks.TryGetValue(key, out var track))
                {
                    _tracks[key] = track = new Track(historyPerCheck);
                }

                track.Add(r);
            }
        }
    }

    /// <summary>Current state of every check, for one tenant or (null) all; ordered by service and check.</summary>
    public IReadOnlyList<HealthCheckState> Current(string? tenantId)
    {
        lock (_gate)
        {
            return [.. _tracks
                .Where(t => tenantId is null || t.Key.Tenant == tenantId)
                .Select(t => t.Value.State(t.Key.Tenant, t.Key.Service, t.Key.Check))
                .OrderBy(s => s.Service, StringComparer.Ordinal).ThenBy(s => s.Check, StringComparer.Ordinal).ThenBy(s => s.TenantId, StringComparer.Ordinal)];
        }
    }

    /// <summary>The results held for one check, oldest first.</summary>
    public IReadOnlyList<HealthCheckResult> History(string tenantId, string service, string check)
    {
        lock (_gate)
        {
            return _tracks.TryGetValue((tenantId, service, check), out var t) ? t.Results() : [];
        }
    }

    private sealed class Track(int capacity)
    {
        private readonly Queue<HealthCheckResult> _results = new();
        private HealthCheckResult? _latest;
        private long _statusSince;
        private int _healthy;

        public void Add(HealthCheckResult r)
        {
            if (_latest is not null && r.TimestampMs < _latest.TimestampMs)
            {
                // A late result joins the history but does not replace the newer current status.
                Enqueue(r);
                return;
            }

            if (_latest is null || _latest.Status != r.Status)
            {
                _statusSince = r.TimestampMs;
            }

            _latest = r;
            Enqueue(r);
        }

        private void Enqueue(HealthCheckResult r)
        {
            _results.Enqueue(r);
            if (r.Status == HealthStatus.Healthy)
            {
                _healthy++;
            }

            if (_results.Count > capacity && _results.Dequeue().Status == HealthStatus.Healthy)
            {
                _healthy--;
            }
        }

        public HealthCheckResult[] Results() => [.. _results.OrderBy(r => r.TimestampMs)];

        public HealthCheckState State(string tenant, string service, string check) => new(
            tenant, service, check, _latest!.Status, _latest.Message, _latest.TimestampMs, _statusSince,
            _results.Count == 0 ? 0 : 100.0 * _healthy / _results.Count, _results.Count);
    }
}
