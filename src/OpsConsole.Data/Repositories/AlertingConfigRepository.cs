using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

/// <summary>The versions of the alerting configuration document; the newest is in force.</summary>
public sealed class AlertingConfigRepository(IDbContextFactory<OpsDbContext> factory)
{
    public async Task<AlertingConfigVersionEntity?> LatestAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AlertingConfigVersions.AsNoTracking().OrderByDescending(v => v.Version).FirstOrDefaultAsync(ct);
    }

    /// <summary>The newest <paramref name="limit"/> versions, newest first.</summary>
    public async Task<IReadOnlyList<AlertingConfigVersionEntity>> ListAsync(int limit, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AlertingConfigVersions.AsNoTracking().OrderByDescending(v => v.Version).Take(limit).ToListAsync(ct);
    }

    /// <summary>Adds <paramref name="version"/>; false when that version number exists already (someone saved first).</summary>
    public async Task<bool> AddAsync(AlertingConfigVersionEntity version, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.AlertingConfigVersions.Add(version);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            return false;
        }
    }
}
