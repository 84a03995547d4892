using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Repositories;

namespace OpsConsole.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database for the configured provider (<c>Storage:Provider</c>) and the repositories.
    /// Code asks for <see cref="IDbContextFactory{OpsDbContext}"/>; the provider-specific context stays hidden.
    /// </summary>
    public static IServiceCollection AddOpsConsoleData(this IServiceCollection services, StorageOptions options, string contentRoot)
    {
        var connectionString = ResolveConnectionString(options, contentRoot);
        services.AddSingleton(new ResolvedStorage(options.Provider, connectionString));

        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                services.AddPooledDbContextFactory<SqliteOpsDbContext>(o => o.UseSqlite(connectionString));
                services.AddSingleton<IDbContextFactory<OpsDbContext>>(sp =>
                    new OpsDbContextFactory<SqliteOpsDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteOpsDbContext>>()));
                break;
            case StorageProvider.Postgres:
                services.AddPooledDbContextFactory<PostgresOpsDbContext>(o => o.UseNpgsql(connectionString));
                services.AddSingleton<IDbContextFactory<OpsDbContext>>(sp =>
                    new OpsDbContextFactory<PostgresOpsDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresOpsDbContext>>()));
                break;
            default:
                throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not supported; use Sqlite or Postgres.");
        }

        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<TenantRepository>();
        services.AddSingleton<ApiKeyRepository>();
        services.AddSingleton<AuditLog>();
        return services;
    }

    /// <summary>Turns the configured connection string into a usable one, with clear errors for bad configuration.</summary>
    public static string ResolveConnectionString(StorageOptions options, string contentRoot)
    {
        if (options.Provider == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new InvalidOperationException(
                    "Storage:Provider is Postgres but Storage:ConnectionString is empty. Set it, for example " +
                    "OpsConsole__Storage__ConnectionString=\"Host=db;Database=opsconsole;Username=opsconsole;Password=...\".");
            }

            return options.ConnectionString;
        }

        var builder = new SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(options.ConnectionString) ? $"Data Source={StorageOptions.DefaultSqlitePath}" : options.ConnectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new InvalidOperationException("Storage:ConnectionString for SQLite names no 'Data Source'.");
        }

        var isInMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource == ":memory:";
        if (!isInMemory && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }

        if (!isInMemory)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        }

        builder.Pooling = true;
        return builder.ToString();
    }

    private sealed class OpsDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<OpsDbContext>
        where TContext : OpsDbContext
    {
        public OpsDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>The provider and connection string actually in use (never logged: it may carry a password).</summary>
public sealed record ResolvedStorage(StorageProvider Provider, string ConnectionString)
{
    public override string ToString() => $"{Provider}";
}
