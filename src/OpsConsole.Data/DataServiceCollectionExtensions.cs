using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Telemetry;

namespace OpsConsole.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the database for fixed options (tools and tests).</summary>
    public static IServiceCollection AddOpsConsoleData(this IServiceCollection services, StorageOptions options, string contentRoot)
    {
        var resolved = new ResolvedStorage(options.Provider, ResolveConnectionString(options, contentRoot));
        return services.AddOpsConsoleData(_ => resolved);
    }

    /// <summary>
    /// Registers the database for the provider that <paramref name="resolveStorage"/> yields when first needed (so
    /// configuration added late, as integration tests do, is honoured) and the repositories. Code asks for
    /// <see cref="IDbContextFactory{OpsDbContext}"/>; the provider-specific context stays hidden.
    /// </summary>
    public static IServiceCollection AddOpsConsoleData(this IServiceCollection services, Func<IServiceProvider, ResolvedStorage> resolveStorage)
    {
        services.AddSingleton(resolveStorage);
        services.AddPooledDbContextFactory<SqliteOpsDbContext>((sp, o) => o.UseSqlite(sp.GetRequiredService<ResolvedStorage>().ConnectionString));
        services.AddPooledDbContextFactory<PostgresOpsDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<ResolvedStorage>().ConnectionString));
        services.AddSingleton<IDbContextFactory<OpsDbContext>>(sp => sp.GetRequiredService<ResolvedStorage>().Provider switch
        {
            StorageProvider.Sqlite => new OpsDbContextFactory<SqliteOpsDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteOpsDbContext>>()),
            StorageProvider.Postgres => new OpsDbContextFactory<PostgresOpsDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresOpsDbContext>>()),
            var other => throw new InvalidOperationException($"Storage:Provider '{other}' is not supported; use Sqlite or Postgres."),
        });

        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<TenantRepository>();
        services.AddSingleton<ApiKeyRepository>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<RuleGroupRepository>();
        services.AddSingleton<DashboardRepository>();
        services.AddSingleton<AlertingRepository>();
        services.AddSingleton<AlertingConfigRepository>();
        services.AddSingleton<IAlertingRepository>(sp => sp.GetRequiredService<AlertingRepository>());
        services.AddSingleton<TelemetryWriter>();
        services.AddSingleton<IDurableTelemetryWriter>(sp => sp.GetRequiredService<TelemetryWriter>());
        services.AddSingleton<TelemetryReader>();
        services.AddSingleton<LogHistorySearch>();
        services.AddSingleton<LogSearchIndexer>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TelemetryRetention>();
        services.AddSingleton<Usage.UsageRepository>();
        return services;
    }

    /// <summary>Turns the configured connection string into a usable one, with clear errors for bad configuration.</summary>
    public static string ResolveConnectionString(StorageOptions options, string contentRoot)
    {
        if (!Enum.IsDefined(options.Provider))
        {
            throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not supported; use Sqlite or Postgres.");
        }

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
