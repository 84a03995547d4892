using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Data.Tests.Infrastructure;

/// <summary>
/// One fresh, migrated database for one test class, with the services built the way the app builds them
/// (<c>AddOpsConsoleData</c>). Subclasses create and drop the database.
/// </summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    public abstract StorageProvider Provider { get; }

    /// <summary>The connection string the app resolved and uses.</summary>
    public string ConnectionString => GetRequiredService<ResolvedStorage>().ConnectionString;

    public T GetRequiredService<T>()
        where T : notnull =>
        (_services ?? throw new InvalidOperationException("The database fixture has not been initialised.")).GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        var (options, contentRoot) = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpsConsoleData(options, contentRoot);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await GetRequiredService<DatabaseMigrator>().MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        string? connectionString = null;
        if (_services is not null)
        {
            connectionString = ConnectionString;
            await _services.DisposeAsync();
        }

        await DropDatabaseAsync(connectionString);
    }

    /// <summary>Creates an empty database and returns the storage options and content root the app would be given.</summary>
    protected abstract Task<(StorageOptions Options, string ContentRoot)> CreateDatabaseAsync();

    /// <summary>Removes the database; <paramref name="connectionString"/> is null when start-up failed before it was resolved.</summary>
    protected abstract Task DropDatabaseAsync(string? connectionString);
}
