using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Data;

/// <summary>Applies the provider's migrations at start-up and sets the SQLite file to WAL mode.</summary>
public sealed partial class DatabaseMigrator(IDbContextFactory<OpsDbContext> factory, ResolvedStorage storage, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (storage.Provider == StorageProvider.Sqlite)
        {
            // WAL is a property of the database file: set once, it persists; readers no longer block the writer.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(logger, storage.Provider, pending.Count);
    }

    /// <summary>Whether the database answers; used by the readiness check.</summary>
    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready ({Provider}); {Count} migration(s) applied.")]
    private static partial void LogMigrated(ILogger logger, StorageProvider provider, int count);
}
