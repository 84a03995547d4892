using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;

namespace OpsConsole.Data.Usage;

/// <summary>One tenant's amount of one usage kind (within an hour the caller names).</summary>
public sealed record UsageAmount(string TenantId, long HourStartMs, string Kind, double Value);

/// <summary>One hour's total of one kind, summed over every source.</summary>
public sealed record UsageHourTotal(long HourStartMs, string Kind, double Value);

/// <summary>The hourly usage rollups (<c>usage_rollups</c>) on either provider.</summary>
public sealed class UsageRepository(IDbContextFactory<OpsDbContext> factory)
{
    public const long HourMs = 3_600_000;

    /// <summary>
    /// Replaces the computed amounts of <paramref name="kinds"/> for the hour starting at <paramref name="hourStartMs"/> with
    /// <paramref name="amounts"/> (computing the same hour again is idempotent; a tenant that no longer appears loses its old amounts).
    /// </summary>
    public async Task ReplaceComputedHourAsync(
        long hourStartMs, IReadOnlyCollection<string> kinds, IReadOnlyList<UsageAmount> amounts, long nowMs, CancellationToken ct = default)
    {
        CheckHour(hourStartMs);
        if (amounts.Any(a => a.HourStartMs != hourStartMs || !kinds.Contains(a.Kind)))
        {
            throw new ArgumentException("Every amount must belong to the hour and the kinds being replaced.", nameof(amounts));
        }

        var kindList = kinds.ToList();

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.UsageRollups.Where(u => u.HourStartMs == hourStartMs && u.Source == UsageSources.Computed && kindList.Contains(u.Kind)).ExecuteDeleteAsync(ct);
                db.UsageRollups.AddRange(amounts.Select(a => Row(a, UsageSources.Computed, nowMs)));
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return;
            }
            catch (DbUpdateException ex) when (attempt < 3 && DbErrors.IsUniqueViolation(ex))
            {
                // Another replica replaced the same hour at the same moment; do it again over theirs.
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="amounts"/> as <paramref name="instance"/>'s absolute totals: each (tenant, hour, kind) of that
    /// instance is set, not added to, so writing the same totals again changes nothing.
    /// </summary>
    public async Task SetInstanceTotalsAsync(string instance, IReadOnlyList<UsageAmount> amounts, long nowMs, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        if (instance == UsageSources.Computed)
        {
            throw new ArgumentException($"'{UsageSources.Computed}' is reserved for computed amounts.", nameof(instance));
        }

        if (amounts.Count == 0)
        {
            return;
        }

        foreach (var a in amounts)
        {
            CheckHour(a.HourStartMs);
        }

        var hours = amounts.Select(a => a.HourStartMs).Distinct().ToList();
        await using var db = await factory.CreateDbContextAsync(ct);
        var existing = await db.UsageRollups.Where(u => u.Source == instance && hours.Contains(u.HourStartMs)).ToListAsync(ct);
        var byKey = existing.ToDictionary(u => (u.TenantId, u.HourStartMs, u.Kind));
        foreach (var a in amounts)
        {
            if (byKey.TryGetValue((a.TenantId, a.HourStartMs, a.Kind), out var row))
            {
                row.Value = a.Value;
                row.UpdatedAtMs = nowMs;
            }
            else
            {
                db.UsageRollups.Add(Row(a, instance, nowMs));
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Hourly totals (summed over sources) of <paramref name="tenantId"/> for hours starting in [from, to).</summary>
    public async Task<IReadOnlyList<UsageHourTotal>> HourlyAsync(string tenantId, long fromMs, long toMs, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.UsageRollups.AsNoTracking()
            .Where(u => u.TenantId == tenantId && u.HourStartMs >= fromMs && u.HourStartMs < toMs)
            .GroupBy(u => new { u.HourStartMs, u.Kind })
            .Select(g => new { g.Key.HourStartMs, g.Key.Kind, Value = g.Sum(u => u.Value) })
            .ToListAsync(ct);
        return [.. rows.Select(r => new UsageHourTotal(r.HourStartMs, r.Kind, r.Value)).OrderBy(r => r.HourStartMs).ThenBy(r => r.Kind, StringComparer.Ordinal)];
    }

    /// <summary>The start of the latest hour with computed amounts, or null when none has been computed.</summary>
    public async Task<long?> LatestComputedHourAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.UsageRollups.Where(u => u.Source == UsageSources.Computed).MaxAsync(u => (long?)u.HourStartMs, ct);
    }

    /// <summary>The start of the earliest hour <paramref name="tenantId"/> has a rollup for, or null when it has none.</summary>
    public async Task<long?> EarliestHourAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.UsageRollups.Where(u => u.TenantId == tenantId).MinAsync(u => (long?)u.HourStartMs, ct);
    }

    /// <summary>Spans, log records and metric samples held in the database, per tenant.</summary>
    public async Task<IReadOnlyDictionary<string, long>> StoredItemsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var spans = await db.Spans.GroupBy(s => s.TenantId).Select(g => new { Tenant = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var logs = await db.Logs.GroupBy(l => l.TenantId).Select(g => new { Tenant = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var samples = await db.Samples.GroupBy(s => s.TenantId).Select(g => new { Tenant = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in spans.Concat(logs).Concat(samples))
        {
            totals[row.Tenant] = totals.GetValueOrDefault(row.Tenant) + row.Count;
        }

        return totals;
    }

    /// <summary>Deletes every rollup of an hour that starts before <paramref name="cutoffMs"/>; returns how many.</summary>
    public async Task<int> PruneAsync(long cutoffMs, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.UsageRollups.Where(u => u.HourStartMs < cutoffMs).ExecuteDeleteAsync(ct);
    }

    private static UsageRollupRow Row(UsageAmount a, string source, long nowMs) => new()
    {
        TenantId = a.TenantId,
        HourStartMs = a.HourStartMs,
        Kind = a.Kind,
        Source = source,
        Value = a.Value,
        UpdatedAtMs = nowMs,
    };

    private static void CheckHour(long hourStartMs)
    {
        if (hourStartMs % HourMs != 0)
        {
            throw new ArgumentException($"{hourStartMs} is not the start of a UTC hour.", nameof(hourStartMs));
        }
    }
}
