using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

/// <summary>Filter for reading the audit log; every part optional. Results are newest first.</summary>
public sealed record AuditQuery(
    string? TenantId = null,
    string? Actor = null,
    string? Action = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100);

/// <summary>The append-only record of who did what, when.</summary>
public sealed class AuditLog(IDbContextFactory<OpsDbContext> factory)
{
    public const int MaxLimit = 1000;

    public async Task WriteAsync(AuditLogEntryEntity entry, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.AuditLog.Add(entry);
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<AuditLogEntryEntity>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxLimit, nameof(query));
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.AuditLog.AsNoTracking();
        if (query.TenantId is not null)
        {
            q = q.Where(a => a.TenantId == query.TenantId);
        }

        if (query.Actor is not null)
        {
            q = q.Where(a => a.Actor == query.Actor);
        }

        if (query.Action is not null)
        {
            q = q.Where(a => a.Action == query.Action);
        }

        if (query.From is { } from)
        {
            q = q.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            q = q.Where(a => a.At < to);
        }

        return await q.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(query.Limit).ToListAsync(ct);
    }
}
