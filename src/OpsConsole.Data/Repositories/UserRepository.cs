using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

public sealed class UserRepository(IDbContextFactory<OpsDbContext> factory)
{
    public static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    public async Task<UserEntity?> FindByUserNameAsync(string userName, CancellationToken ct = default)
    {
        var normalized = Normalize(userName);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
    }

    public async Task<UserEntity?> FindByIdAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
    }

    public async Task<IReadOnlyList<UserEntity>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().OrderBy(u => u.NormalizedUserName).ToListAsync(ct);
    }

    public async Task<bool> AnyAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(ct);
    }

    /// <summary>Adds a user. Throws <see cref="DuplicateException"/> when the name is taken and
    /// <see cref="ArgumentException"/> when the tenant does not exist.</summary>
    public async Task<UserEntity> CreateAsync(UserEntity user, CancellationToken ct = default)
    {
        user.NormalizedUserName = Normalize(user.UserName);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            throw new DuplicateException($"A user named '{user.UserName}' already exists.");
        }
        catch (DbUpdateException ex) when (DbErrors.IsForeignKeyViolation(ex))
        {
            // Both the role and the tenant are foreign keys; say which one is missing.
            throw await MissingReferenceAsync(user, ct);
        }

        return user;
    }

    /// <summary>
    /// Loads the user, lets <paramref name="change"/> edit it and saves. Returns null when there is no such user.
    /// Throws <see cref="ArgumentException"/> when the change names a tenant or role that does not exist.
    /// </summary>
    public async Task<UserEntity?> UpdateAsync(Guid id, Action<UserEntity> change, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return null;
        }

        change(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsForeignKeyViolation(ex))
        {
            throw await MissingReferenceAsync(user, ct);
        }

        return user;
    }

    /// <summary>How many enabled users hold <paramref name="roleName"/>, leaving out <paramref name="except"/>.</summary>
    public async Task<int> CountEnabledAsync(string roleName, Guid except, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.CountAsync(u => u.RoleName == roleName && !u.IsDisabled && u.Id != except, ct);
    }

    private async Task<ArgumentException> MissingReferenceAsync(UserEntity user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Roles.AnyAsync(r => r.Name == user.RoleName, ct)
            ? new ArgumentException($"Tenant '{user.TenantId}' does not exist.", nameof(user))
            : new ArgumentException($"Role '{user.RoleName}' does not exist; use Admin, Operator, Executive or TenantAdmin.", nameof(user));
    }

    /// <summary>
    /// Counts a failed sign-in atomically; after <paramref name="maxFailures"/> in a row the account is locked until
    /// <paramref name="now"/> + <paramref name="lockout"/> and the count starts again. Returns the lockout end, if any.
    /// </summary>
    public async Task<DateTimeOffset?> RecordFailedSignInAsync(Guid id, DateTimeOffset now, int maxFailures, TimeSpan lockout, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignInCount, u => u.FailedSignInCount + 1), ct);
        var ends = now + lockout;
        var locked = await db.Users.Where(u => u.Id == id && u.FailedSignInCount >= maxFailures)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignInCount, 0).SetProperty(u => u.LockoutEndsAt, ends), ct);
        return locked > 0 ? ends : null;
    }

    public async Task RecordSuccessfulSignInAsync(Guid id, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedSignInCount, 0)
            .SetProperty(u => u.LockoutEndsAt, (DateTimeOffset?)null)
            .SetProperty(u => u.LastSignInAt, now), ct);
    }
}
