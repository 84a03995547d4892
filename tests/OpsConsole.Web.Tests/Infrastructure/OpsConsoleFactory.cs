using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Web.Api;
using OpsConsole.Web.Seeding;

namespace OpsConsole.Web.Tests.Infrastructure;

/// <summary>
/// The real console in-process (WebApplicationFactory&lt;Program&gt;) on its own SQLite file, in Development
/// (so the demo accounts exist) unless told otherwise, with a controllable clock.
/// </summary>
public class OpsConsoleFactory : WebApplicationFactory<Program>
{
    private readonly string _directory;

    public OpsConsoleFactory()
        : this(Directory.CreateTempSubdirectory("opsconsole-web-tests-").FullName)
    {
    }

    /// <summary>A host on the database in <paramref name="directory"/> (a second host on the same one is a restart).</summary>
    protected OpsConsoleFactory(string directory) => _directory = directory;

    /// <summary>Whether disposing deletes the database directory (false for a host that will be restarted).</summary>
    public bool KeepDatabase { get; init; }

    /// <summary>Starts at a fixed instant; advance it to test lockouts and expiries.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    /// <summary>When false the host keeps the real system clock (pages that sample the process need real time).</summary>
    protected virtual bool UseFakeClock => true;

    protected virtual string EnvironmentName => "Development";

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public string DatabasePath => Path.Combine(_directory, "opsconsole.db");

    /// <summary>The host's provisioning folder for rule files (missing until a test creates it).</summary>
    public string RulesDirectory => Path.Combine(_directory, "rules");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.ConfigureAppConfiguration(config =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Sqlite",
                ["Storage:ConnectionString"] = $"Data Source={DatabasePath}",
                ["Demo:Enabled"] = "false", // tests send their own telemetry; the demo SaaS has its own tests
                ["SelfTelemetry:Enabled"] = "false", // tests count what they send; tests of self-telemetry turn it on
                ["Rules:Directory"] = RulesDirectory, // none unless a test writes rule files there (not the repository's rules/)
                // Tests sign in and call the API far more often than people do; rate-limit tests set their own low limits.
                ["RateLimits:ApiPerMinute"] = "1000000",
                ["RateLimits:LoginPerAccountPerMinute"] = "1000000",
                ["RateLimits:LoginPerAddressPerMinute"] = "1000000",
            };
            foreach (var (key, value) in Settings)
            {
                settings[key] = value;
            }

            config.AddInMemoryCollection(settings);
        });
        builder.ConfigureTestServices(services =>
        {
            if (UseFakeClock)
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.PostConfigureAll<CookieAuthenticationOptions>(o => o.TimeProvider = Clock);
            }
        });
    }

    /// <summary>A client that keeps cookies but does not follow redirects, so tests see them.</summary>
    public HttpClient CreateBrowserClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient CreateApiClient(string apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public HttpClient CreateAdminClient() => CreateApiClient(DemoAccounts.AdminKey);

    /// <summary>Creates an API key through the admin API and returns it in clear.</summary>
    public async Task<string> CreateKeyAsync(string name, string scope, string? role = null, string? tenantId = null)
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/api-keys", new { name, scope, role, tenantId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Creating key '{name}' failed: {(int)response.StatusCode} {body}");
        var created = System.Text.Json.JsonSerializer.Deserialize<CreatedApiKey>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        return created!.Key;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && !KeepDatabase)
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

/// <summary>The console on the real clock, for tests of "recent" data (default time ranges, lookbacks).</summary>
public sealed class RealClockConsoleFactory : OpsConsoleFactory
{
    protected override bool UseFakeClock => false;
}
