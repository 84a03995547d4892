using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Data;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Telemetry;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Dashboards;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>
/// What the dashboard pages need, as the console wires it: the hot stores, the database-backed history source (a
/// real, migrated SQLite database in a temporary file) and <see cref="PromQlQueries"/> with the default limits.
/// </summary>
public static class DashboardServices
{
    public static async Task<TelemetryWriter> AddAsync(IServiceCollection services, TelemetryStores stores)
    {
        var path = Path.Combine(Path.GetTempPath(), $"opsconsole-dash-{Guid.NewGuid():N}.db");
        var data = new ServiceCollection().AddLogging().AddOpsConsoleData(new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = $"Data Source={path};Pooling=False" }, Path.GetTempPath());
        var provider = data.BuildServiceProvider();
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        var history = new HistorySeriesSource(stores.Series, provider.GetRequiredService<TelemetryReader>());
        services.AddSingleton(stores);
        services.AddSingleton(history);
        services.AddSingleton<ISeriesSource>(history);
        services.AddSingleton(new SharedPanelEvaluations(history, stores, TimeProvider.System));
        services.AddSingleton(new PromQlQueries(history, Options.Create(new QueryOptions()), new PromQlQueryStats()));
        services.AddSingleton(provider); // disposed with the test's services
        return provider.GetRequiredService<TelemetryWriter>();
    }

    /// <summary>
    /// The console's database-backed dashboard store on <paramref name="data"/>'s database, provisioned from
    /// <paramref name="directory"/>, registered as the catalog (with the Grafana importer on it).
    /// </summary>
    public static async Task<DashboardStore> AddStoreAsync(IServiceCollection services, ServiceProvider data, string directory)
    {
        var audit = new AuditTrail(data.GetRequiredService<AuditLog>(), TimeProvider.System);
        var store = new DashboardStore(data.GetRequiredService<DashboardRepository>(), audit, data.GetRequiredService<AuditLog>(),
            Options.Create(new DashboardOptions { Directory = directory }), new HostingEnvironment { ContentRootPath = Path.GetTempPath() },
            TimeProvider.System, NullLogger<DashboardStore>.Instance);
        await store.LoadAsync(CancellationToken.None);
        services.AddSingleton(store);
        services.AddSingleton<IDashboardCatalog>(store);
        services.AddSingleton(new GrafanaImporter(store, audit));
        return store;
    }
}
