using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Data;
using OpsConsole.Data.Telemetry;
using OpsConsole.Web.Api;

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
        services.AddSingleton(new PromQlQueries(history, Options.Create(new QueryOptions()), new PromQlQueryStats()));
        services.AddSingleton(provider); // disposed with the test's services
        return provider.GetRequiredService<TelemetryWriter>();
    }
}
