using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Web.Seeding;

namespace OpsConsole.Conformance.Tests;

/// <summary>
/// The real console in-process on its own SQLite file, in Development (so the demo admin key exists), with the clock
/// stopped shortly after the data set ends so the whole data set is recent enough to stay in the hot store.
/// </summary>
public sealed class ConsoleHost : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-conformance-").FullName;

    public FakeTimeProvider Clock { get; } = new(ConformanceDataSet.Start.AddSeconds(ConformanceDataSet.DurationSeconds).AddMinutes(30));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "opsconsole.db")}",
            ["Demo:Enabled"] = "false",
            ["RateLimits:ApiPerMinute"] = "1000000", // thousands of queries a minute; rate limits have their own tests
        }));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A client of the Prometheus-compatible API with the demo admin's API key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoAccounts.AdminKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow shutdown; the OS temp cleaner gets it.
            }
        }
    }
}
