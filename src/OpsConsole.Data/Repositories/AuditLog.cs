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
    int Limit = 100,
    string? TargetType = null,
    string? TargetId = null,
    int Offset = 0);

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

    /// <summary>Most entries one export streams.</summary>
    public const int MaxExportRows = 1_000_000;

    public async Task<IReadOnlyList<AuditLogEntryEntity>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxLimit, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset, nameof(query));
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Filter(db, query).Skip(query.Offset).Take(query.Limit).ToListAsync(ct);
    }

    /// <summary>Every entry the filter matches (its limit and offset ignored), newest first, read as it streams out.</summary>
    public async IAsyncEnumerable<AuditLogEntryEntity> StreamAsync(AuditQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await foreach (var entry in Filter(db, query).Take(MaxExportRows).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return entry;
        }
    }

    /// <summary>The distinct actions recorded (for filter pickers), optionally of one tenant's entries only.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(string? tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.AuditLog.AsNoTracking();
        if (tenantId is not null)
        {
            q = q.Where(a => a.TenantId == tenantId);
        }

        return await q.Select(a => a.Action).Distinct().OrderBy(a => a).ToListAsync(ct);
    }

    private static IQueryable<AuditLogEntryEntity> Filter(OpsDbContext db, AuditQuery query)
    {
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

        if (query.TargetType is not null)
        {
            q = q.Where(a => a.TargetType == query.TargetType);
        }

        if (query.TargetId is not null)
        {
            q = q.Where(a => a.TargetId == query.TargetId);
        }

        if (query.From is { } from)
        {
            q = q.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            q = q.Where(a => a.At < to);
        }

        return q.OrderByDescending(a => a.At).ThenByDescending(a => a.Id);
    }
}
