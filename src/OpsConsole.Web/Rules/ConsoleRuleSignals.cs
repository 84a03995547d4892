using OpsConsole.Core.Health;
using OpsConsole.Core.Rules;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Web.Observability;

namespace OpsConsole.Web.Rules;

/// <summary>
/// What log-based and health rules read in the console: the hot log store, and services up or down exactly as the
/// System health page shows them (scrape targets' <c>up</c> and health checks, <see cref="ServiceOverview"/>).
/// </summary>
public sealed class ConsoleRuleSignals(TelemetryStores stores, HealthCheckStore health, ScrapeLoop scrapes) : IRuleSignalSource
{
    private readonly StoreRuleSignalSource _stored = new(stores.Logs, health);

    public IReadOnlyList<string> Tenants() =>
        [.. _stored.Tenants().Concat(scrapes.GetStatuses().Select(s => s.Target.TenantId)).Distinct(StringComparer.Ordinal)];

    public int CountLogs(LogMatch match, string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        _stored.CountLogs(match, tenantId, from, to, cancellationToken);

    public IReadOnlyList<ServiceHealthSignal> Services(string tenantId) =>
        [.. ServiceOverview.Build(stores, health, scrapes, tenantId)
            .Where(r => r.State != ServiceState.Seen)
            .Select(r => new ServiceHealthSignal(r.Service, r.State == ServiceState.Down, r.Detail))];

    public IReadOnlyList<HealthCheckState> Checks(string tenantId) => _stored.Checks(tenantId);
}
