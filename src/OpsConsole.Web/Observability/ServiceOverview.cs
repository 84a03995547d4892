using OpsConsole.Core.Health;
using OpsConsole.Core.Storage;
using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Web.Observability;

public enum ServiceState
{
    /// <summary>Seen in telemetry, but nothing says whether it is up (no scrape target, no health check).</summary>
    Seen,
    Up,
    Degraded,
    Down,
}

/// <summary>One monitored service as the System health page shows it.</summary>
public sealed record ServiceRow(string Service, ServiceState State, string Detail, double? UptimePercent, bool SendsTraces, bool Scraped, int Checks);

/// <summary>
/// Every service seen — in traces, as a scrape target (job), or in health checks — with up/down from the scrape
/// (<c>up</c>) and the health checks: down if any says down, degraded if any is degraded.
/// </summary>
public static class ServiceOverview
{
    public static IReadOnlyList<ServiceRow> Build(TelemetryStores stores, HealthCheckStore health, ScrapeLoop scrapes, string? tenantId)
    {
        var traced = stores.Spans.Services(tenantId).ToHashSet(StringComparer.Ordinal);
        var targets = scrapes.GetStatuses()
            .Where(s => tenantId is null || s.Target.TenantId == tenantId)
            .GroupBy(s => s.Target.Job, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var checks = health.Current(tenantId).GroupBy(c => c.Service, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var names = traced.Concat(targets.Keys).Concat(checks.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var rows = new List<ServiceRow>();
        foreach (var name in names)
        {
            var state = ServiceState.Seen;
            var detail = "Seen in traces; no scrape target or health check reports on it.";
            double? uptime = null;
            if (targets.TryGetValue(name, out var scraped))
            {
                var down = scraped.Where(s => s.Health == ScrapeHealth.Down).ToList();
                var known = scraped.Any(s => s.Health != ScrapeHealth.Unknown);
                state = down.Count > 0 ? ServiceState.Down : known ? ServiceState.Up : ServiceState.Seen;
                detail = down.Count > 0
                    ? $"Scrape of {down[0].Target.Instance} failed: {down[0].LastError}"
                    : known ? $"{scraped.Count} target(s) answering." : "Waiting for the first scrape.";
            }

            if (checks.TryGetValue(name, out var results))
            {
                uptime = results.Min(r => r.UptimePercent);
                var worst = results.MaxBy(r => r.Status)!;
                var fromChecks = worst.Status switch
                {
                    Domain.Telemetry.HealthStatus.Unhealthy => ServiceState.Down,
                    Domain.Telemetry.HealthStatus.Degraded => ServiceState.Degraded,
                    _ => ServiceState.Up,
                };
                if (fromChecks > state || state == ServiceState.Seen)
                {
                    state = fromChecks;
                    detail = worst.Status == Domain.Telemetry.HealthStatus.Healthy
                        ? $"{results.Count} health check(s) passing."
                        : $"Check '{worst.Check}' {worst.Status.ToString().ToLowerInvariant()}: {worst.Message}";
                }
            }

            rows.Add(new ServiceRow(name, state, detail, uptime, traced.Contains(name), targets.ContainsKey(name), results?.Count ?? 0));
        }

        return rows;
    }
}
