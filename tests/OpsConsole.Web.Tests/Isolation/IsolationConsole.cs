using System.Net;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>The console on the real clock (seeded data is "recent" for every default range), live events every 200 ms.</summary>
public sealed class IsolationConsoleFactory : OpsConsoleFactory
{
    protected override bool UseFakeClock => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LiveEvents:Interval"] = "00:00:00.2" };
}

/// <summary>
/// One console seeded by every <see cref="IsolationSeeders.All"/> seeder for <c>acme</c> and <c>globex</c>, with the ways in
/// of acme's tenant admin: the demo account <c>acme-admin</c> signed in through the login form (cookie), and an acme-scoped
/// TenantAdmin API key.
/// </summary>
public sealed class IsolationConsole : IAsyncLifetime
{
    private HttpClient? _admin;

    public IsolationConsoleFactory Factory { get; } = new();

    public IsolationSeedContext Seeded { get; private set; } = default!;

    public string AcmeAdminKey { get; private set; } = "";

    /// <summary>The <c>Cookie</c> header of acme-admin's signed-in session (for clients other than HttpClient).</summary>
    public string AcmeCookie { get; private set; } = "";

    public HttpClient AcmeCookieClient { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        _admin = Factory.CreateAdminClient();
        Seeded = new IsolationSeedContext(Factory, _admin, DateTimeOffset.UtcNow);
        foreach (var seeder in IsolationSeeders.All)
        {
            await seeder.SeedAsync(Seeded);
        }

        AcmeAdminKey = await Factory.CreateKeyAsync("isolation-acme-admin", "role", "TenantAdmin", IsolationTenant.Acme.Id);
        AcmeCookieClient = Factory.CreateBrowserClient();
        using var signIn = await BrowserSession.PostLoginAsync(AcmeCookieClient, "acme-admin", DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        AcmeCookie = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
    }

    public Task DisposeAsync()
    {
        AcmeCookieClient.Dispose();
        _admin?.Dispose();
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
