using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

public sealed class TenantRepository(IDbContextFactory<OpsDbContext> factory)
{
    public async Task<IReadOnlyList<TenantEntity>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Tenants.AsNoTracking().OrderBy(t => t.Id).ToListAsync(ct);
    }

    public async Task<TenantEntity?> FindAsync(string id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
    }

    /// <summary>Adds a tenant; throws <see cref="DuplicateException"/> when the id is taken.</summary>
    public async Task<TenantEntity> CreateAsync(TenantEntity tenant, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Tenants.Add(tenant);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            throw new DuplicateException($"A tenant with id '{tenant.Id}' already exists.");
        }

        return tenant;
    }

    /// <summary>
    /// Changes a tenant's display name, plan and quota overrides; returns the tenant before and after, or null when no
    /// tenant has that id.
    /// </summary>
    public async Task<(TenantEntity Before, TenantEntity After)?> UpdateAsync(string id, string displayName, string plan, long? ingestItemsPerMinute,
        long? ingestBytesPerDay, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null)
        {
            return null;
        }

        var before = Copy(tenant);
        tenant.DisplayName = displayName;
        tenant.Plan = plan;
        tenant.IngestItemsPerMinute = ingestItemsPerMinute;
        tenant.IngestBytesPerDay = ingestBytesPerDay;
        await db.SaveChangesAsync(ct);
        return (before, Copy(tenant));
    }

    private static TenantEntity Copy(TenantEntity t) => new()
    {
        Id = t.Id,
        DisplayName = t.DisplayName,
        Plan = t.Plan,
        CreatedAt = t.CreatedAt,
        IsDemo = t.IsDemo,
        IngestItemsPerMinute = t.IngestItemsPerMinute,
        IngestBytesPerDay = t.IngestBytesPerDay,
    };
}
