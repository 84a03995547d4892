using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

public sealed class ApiKeyRepository(IDbContextFactory<OpsDbContext> factory)
{
    /// <summary>Stores a key (its hash only). Throws <see cref="DuplicateException"/> for a duplicate prefix and
    /// <see cref="ArgumentException"/> for a tenant that does not exist.</summary>
    public async Task<ApiKeyEntity> CreateAsync(ApiKeyEntity key, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.ApiKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            throw new DuplicateException($"An API key with prefix '{key.Prefix}' already exists.");
        }
        catch (DbUpdateException ex) when (DbErrors.IsForeignKeyViolation(ex))
        {
            throw new ArgumentException($"Tenant '{key.TenantId}' does not exist.", nameof(key));
        }

        return key;
    }

    public async Task<ApiKeyEntity?> FindByPrefixAsync(string prefix, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Prefix == prefix, ct);
    }

    public async Task<ApiKeyEntity?> FindAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, ct);
    }

    public async Task<IReadOnlyList<ApiKeyEntity>> ListAsync(bool includeRevoked, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.ApiKeys.AsNoTracking();
        if (!includeRevoked)
        {
            query = query.Where(k => k.RevokedAt == null);
        }

        return await query.OrderBy(k => k.CreatedAt).ThenBy(k => k.Name).ToListAsync(ct);
    }

    /// <summary>Revokes a key; returns false if it does not exist or was already revoked (nothing changes then).</summary>
    public async Task<bool> RevokeAsync(Guid id, string revokedBy, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var changed = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedBy, revokedBy), ct);
        return changed > 0;
    }

    /// <summary>
    /// Replaces a key: revokes <paramref name="id"/> and stores <paramref name="replacement"/> in one transaction.
    /// Returns false (and changes nothing) when the old key does not exist or is already revoked.
    /// </summary>
    public async Task<bool> RotateAsync(Guid id, ApiKeyEntity replacement, string revokedBy, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var revoked = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedBy, revokedBy), ct);
        if (revoked == 0)
        {
            return false;
        }

        db.ApiKeys.Add(replacement);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            throw new DuplicateException($"An API key with prefix '{replacement.Prefix}' already exists.");
        }

        await transaction.CommitAsync(ct);
        return true;
    }

    public async Task TouchLastUsedAsync(Guid id, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
    }
}
