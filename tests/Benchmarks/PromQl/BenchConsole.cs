using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace OpsConsole.Benchmarks.PromQl;

/// <summary>
/// The real console listening on a loopback port (Kestrel, as when deployed; not the in-memory test server), on its own
/// SQLite file, with the demo off, request logging at Warning, a metrics memory budget and reload window big enough for
/// the whole data set, and the clock stopped 30 minutes after the data ends so the data is recent enough to stay in the hot store.
/// Development, so the demo admin API key exists.
/// </summary>
public sealed class BenchConsole : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-promql-bench-").FullName;

    public BenchConsole()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(PromQlBenchData.EndMs).AddMinutes(30));

    /// <summary>Where Kestrel listens (after <see cref="WebApplicationFactory{TEntryPoint}.StartServer"/>).</summary>
    public Uri BaseAddress =>
        new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "opsconsole.db")}",
            ["Demo:Enabled"] = "false",
            ["RateLimits:ApiPerMinute"] = "1000000", // thousands of queries a minute; rate limits have their own tests
            ["Retention:MetricsMemoryMB"] = "8192",

            // The start-up reload window marks the hot store complete only from (now − window): with the default 6 h
            // the data set's first half hour would be looked for in the (empty) database.
            ["Retention:ReloadWindow"] = "1.00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        }));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
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
                // Left for the OS temp cleaner.
            }
        }
    }
}
