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
}
