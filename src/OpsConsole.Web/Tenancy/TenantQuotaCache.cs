using System.Collections.Frozen;
using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;

namespace OpsConsole.Web.Tenancy;

/// <summary>
/// Every tenant's effective ingest quotas (override ?? plan) in memory, so intake never asks the database. Loaded at
/// start-up and again after every tenant change made through <see cref="TenantAdministration"/>. A tenant that is
/// not in the <c>tenants</c> table (telemetry under <c>default</c> or an unregistered <c>tenant.id</c>, possible only
/// when intake is not bound to a key) has no quota.
/// </summary>
public sealed class TenantQuotaCache(TenantRepository tenants, PlanCatalog plans) : IIngestQuotaSource
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile FrozenDictionary<string, IngestQuota> _quotas = FrozenDictionary<string, IngestQuota>.Empty;

    public IngestQuota QuotaOf(string tenantId) => _quotas.TryGetValue(tenantId, out var quota) ? quota : IngestQuota.Unlimited;

    /// <summary>Reads every tenant again and swaps the whole table in (one small query; tenants are few).</summary>
    public async Task LoadAsync(CancellationToken ct = default)
    {
        await _loading.WaitAsync(ct);
        try
        {
            var all = await tenants.ListAsync(ct);
            _quotas = all.ToFrozenDictionary(t => t.Id, t => Effective(t, plans.Find(t.Plan)), StringComparer.Ordinal);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>The tenant's override where set, else its plan's quota; null (unlimited) when neither says.</summary>
    public static IngestQuota Effective(TenantEntity tenant, PlanDefinition? plan) =>
        new(tenant.IngestItemsPerMinute ?? plan?.IngestItemsPerMinute, tenant.IngestBytesPerDay ?? plan?.IngestBytesPerDay);
}
