using OpsConsole.Core.Health;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Rules;

/// <summary>Whether one service is down, as System health tells it, and why.</summary>
public sealed record ServiceHealthSignal(string Service, bool Down, string Detail);

/// <summary>What log-based and health alerting rules read, within one tenant: log counts, services and health checks.</summary>
public interface IRuleSignalSource
{
    /// <summary>Tenants that have logs or health data to evaluate (joined with the tenants that have series).</summary>
    IReadOnlyList<string> Tenants();

    /// <summary>Log lines of <paramref name="tenantId"/> in [from, to) that satisfy <paramref name="match"/>.</summary>
    int CountLogs(LogMatch match, string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Every service of <paramref name="tenantId"/> whose state is known, with whether it is down.</summary>
    IReadOnlyList<ServiceHealthSignal> Services(string tenantId);

    /// <summary>The current state of every health check of <paramref name="tenantId"/>.</summary>
    IReadOnlyList<HealthCheckState> Checks(string tenantId);
}

/// <summary>
/// Rule signals from the hot log store and the health-check store: a service is down when one of its checks is
/// unhealthy (the console adds its scrape targets' <c>up</c> on top, as System health does).
/// </summary>
public sealed class StoreRuleSignalSource(LogStore logs, HealthCheckStore health) : IRuleSignalSource
{
    public IReadOnlyList<string> Tenants() => [.. logs.Tenants().Concat(health.Current(null).Select(c => c.TenantId)).Distinct(StringComparer.Ordinal)];

    public int CountLogs(LogMatch match, string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        logs.Count(match, tenantId, from, to, cancellationToken);

    public IReadOnlyList<ServiceHealthSignal> Services(string tenantId) =>
        [.. health.Current(tenantId).GroupBy(c => c.Service, StringComparer.Ordinal).Select(g =>
        {
            var failing = g.FirstOrDefault(c => c.Status == HealthStatus.Unhealthy);
            return new ServiceHealthSignal(g.Key, failing is not null,
                failing is null ? $"{g.Count()} health check(s) passing" : $"check '{failing.Check}' unhealthy: {failing.Message}");
        })];

    public IReadOnlyList<HealthCheckState> Checks(string tenantId) => health.Current(tenantId);
}
