using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Repositories;

/// <summary>The stored rule groups, by name.</summary>
public sealed class RuleGroupRepository(IDbContextFactory<OpsDbContext> factory)
{
    public const int MaxNameLength = 200;

    public async Task<IReadOnlyList<RuleGroupEntity>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.RuleGroups.AsNoTracking().OrderBy(g => g.Name).ToListAsync(ct);
    }

    /// <summary>Deletes <paramref name="deletes"/> and creates or replaces <paramref name="upserts"/> (by name), in one transaction.</summary>
    public async Task ApplyAsync(IReadOnlyCollection<RuleGroupEntity> upserts, IReadOnlyCollection<string> deletes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        await using var db = await factory.CreateDbContextAsync(ct);
        var names = upserts.Select(u => u.Name).Concat(deletes).ToList();
        var existing = await db.RuleGroups.Where(g => names.Contains(g.Name)).ToDictionaryAsync(g => g.Name, StringComparer.Ordinal, ct);
        foreach (var name in deletes)
        {
            if (existing.Remove(name, out var gone))
            {
                db.RuleGroups.Remove(gone);
            }
        }

        foreach (var upsert in upserts)
        {
            if (existing.TryGetValue(upsert.Name, out var row))
            {
                row.Source = upsert.Source;
                row.File = upsert.File;
                row.Yaml = upsert.Yaml;
                row.UpdatedAt = upsert.UpdatedAt;
                row.UpdatedBy = upsert.UpdatedBy;
            }
            else
            {
                db.RuleGroups.Add(new RuleGroupEntity
                {
                    Name = upsert.Name,
                    Source = upsert.Source,
                    File = upsert.File,
                    Yaml = upsert.Yaml,
                    UpdatedAt = upsert.UpdatedAt,
                    UpdatedBy = upsert.UpdatedBy,
                });
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deletes one group; false when there is none by that name.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.RuleGroups.Where(g => g.Name == name).ExecuteDeleteAsync(ct) > 0;
    }
}
