using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Usage;

namespace OpsConsole.Web.Usage;

/// <summary>
/// Joins ingest quotas and usage metering: every refusal by the <see cref="IngestQuotaLedger"/> is counted by the
/// <see cref="UsageMeter"/> (so the Usage page says "quota hit N times"), and at start-up the ledger learns each
/// tenant's request bytes so far today from the stored usage, so a restart does not hand a tenant a fresh daily quota.
/// </summary>
public sealed partial class QuotaUsageBridge(
    IngestQuotaLedger ledger, UsageMeter meter, UsageRepository usage, TenantRepository tenants, TimeProvider time, ILogger<QuotaUsageBridge> logger)
{
    private int _attached;

    /// <summary>Seeds today's bytes per tenant and starts forwarding refusals (once; later calls only seed again).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _attached, 1) == 0)
        {
            ledger.Rejected += Forward;
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var dayStartMs = new DateTimeOffset(today, TimeOnly.MinValue, TimeSpan.Zero).ToUnixTimeMilliseconds();
        foreach (var tenant in await tenants.ListAsync(ct))
        {
            var hours = await usage.HourlyAsync(tenant.Id, dayStartMs, now.ToUnixTimeMilliseconds() + UsageRepository.HourMs, ct);
            var bytes = (long)hours.Where(h => h.Kind == UsageKinds.RequestBytes).Sum(h => h.Value);
            if (bytes > 0)
            {
                ledger.Seed(tenant.Id, today, bytes);
            }
        }
    }

    private void Forward(IngestQuotaRejection rejection)
    {
        try
        {
            meter.RecordQuotaRejection(rejection.TenantId, rejection.Items, rejection.At);
        }
        catch (ArgumentException ex)
        {
            // An unregistered tenant id or a clock far off: the refusal itself stands; only its count is lost.
            LogNotCounted(logger, rejection.TenantId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A quota refusal for tenant {Tenant} was not counted in usage: {Reason}")]
    private static partial void LogNotCounted(ILogger logger, string tenant, string reason);
}
