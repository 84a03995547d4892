using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Data;

namespace OpsConsole.Web.Observability;

/// <summary>Readiness: the database answers.</summary>
public sealed class DatabaseHealthCheck(DatabaseMigrator database, ResolvedStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy($"{storage.Provider} answers.")
                : HealthCheckResult.Unhealthy($"{storage.Provider} does not answer.");
        }
#pragma warning disable CA1031 // any failure to reach the database means "not ready"
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"{storage.Provider} is unreachable: {ex.GetType().Name}.");
        }
    }
}
