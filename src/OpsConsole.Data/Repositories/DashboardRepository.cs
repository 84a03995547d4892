using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

/// <summary>A version of a dashboard without its document (for history lists).</summary>
public sealed record DashboardVersionInfo(int Version, string SavedBy, DateTimeOffset SavedAt, string? Message);

/// <summary>
/// The stored dashboards and their versions. A save names the version it replaces; the database refuses a second save
/// over the same version (the version table's key), so concurrent editors on any number of replicas cannot lose a change.
/// </summary>
public sealed class DashboardRepository(IDbContextFactory<OpsDbContext> factory)
{
    public const int MaxUidLength = 64;
    public const int MaxTitleLength = 200;
    public const int MaxMessageLength = 500;

    public async Task<IReadOnlyList<DashboardEntity>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Dashboards.AsNoTracking().OrderBy(d => d.Uid).ToListAsync(ct);
    }

    public async Task<DashboardEntity?> FindAsync(string uid, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Dashboards.AsNoTracking().FirstOrDefaultAsync(d => d.Uid == uid, ct);
    }

    /// <summary>
    /// Stores <paramref name="row"/> as the dashboard's current version (its <see cref="DashboardEntity.Version"/> must be
    /// <paramref name="expectedVersion"/> + 1; 0 creates it) and appends it to the history, in one transaction. False,
    /// and nothing changed, when the stored version is not <paramref name="expectedVersion"/> (or, creating, the uid is taken).
    /// </summary>
    public async Task<bool> SaveVersionAsync(DashboardEntity row, int expectedVersion, string? message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Version != expectedVersion + 1)
        {
            throw new ArgumentException($"version {row.Version} does not follow {expectedVersion}", nameof(row));
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (expectedVersion == 0)
            {
                db.Dashboards.Add(Copy(row));
            }
            else
            {
                var updated = await db.Dashboards.Where(d => d.Uid == row.Uid && d.Version == expectedVersion).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Title, row.Title)
                    .SetProperty(d => d.Json, row.Json)
                    .SetProperty(d => d.Version, row.Version)
                    .SetProperty(d => d.Provisioned, row.Provisioned)
                    .SetProperty(d => d.File, row.File)
                    .SetProperty(d => d.Edited, row.Edited)
                    .SetProperty(d => d.UpdatedBy, row.UpdatedBy)
                    .SetProperty(d => d.UpdatedAt, row.UpdatedAt), ct);
                if (updated == 0)
                {
                    return false;
                }
            }

            db.DashboardVersions.Add(new DashboardVersionEntity
            {
                Uid = row.Uid,
                Version = row.Version,
                Json = row.Json,
                SavedBy = row.UpdatedBy,
                SavedAt = row.UpdatedAt,
                Message = message,
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>Marks a dashboard as no longer provisioned (its file is gone) without a new version.</summary>
    public async Task UnprovisionAsync(string uid, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Dashboards.Where(d => d.Uid == uid).ExecuteUpdateAsync(s => s.SetProperty(d => d.Provisioned, false).SetProperty(d => d.File, (string?)null), ct);
    }

    /// <summary>The versions of a dashboard, newest first.</summary>
    public async Task<IReadOnlyList<DashboardVersionInfo>> VersionsAsync(string uid, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.DashboardVersions.AsNoTracking().Where(v => v.Uid == uid).OrderByDescending(v => v.Version)
            .Select(v => new DashboardVersionInfo(v.Version, v.SavedBy, v.SavedAt, v.Message)).ToListAsync(ct);
    }

    public async Task<DashboardVersionEntity?> VersionAsync(string uid, int version, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.DashboardVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Uid == uid && v.Version == version, ct);
    }

    /// <summary>Deletes a dashboard and its history; false when there is none.</summary>
    public async Task<bool> DeleteAsync(string uid, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.DashboardVersions.Where(v => v.Uid == uid).ExecuteDeleteAsync(ct);
        var deleted = await db.Dashboards.Where(d => d.Uid == uid).ExecuteDeleteAsync(ct) > 0;
        await tx.CommitAsync(ct);
        return deleted;
    }

    private static DashboardEntity Copy(DashboardEntity row) => new()
    {
        Uid = row.Uid,
        Title = row.Title,
        Json = row.Json,
        Version = row.Version,
        Provisioned = row.Provisioned,
        File = row.File,
        Edited = row.Edited,
        UpdatedBy = row.UpdatedBy,
        UpdatedAt = row.UpdatedAt,
    };
}
