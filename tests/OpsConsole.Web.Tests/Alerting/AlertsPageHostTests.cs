using System.Net;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Alerting;

/// <summary>The Alerts page served by the real host (its services wired as in production).</summary>
public sealed class AlertsPageHostTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Fact]
    public async Task AlertsPage_SignedInAdmin_RendersTheTriageTabs()
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "admin", DemoAccounts.Password);

        using var page = await client.GetAsync("/alerts");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"tab-firing\"", html);
        Assert.Contains("data-testid=\"tab-resolved\"", html);
    }

    [Fact]
    public async Task AlertDetail_UnknownFingerprint_SaysNoSuchAlert()
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "admin", DemoAccounts.Password);

        using var page = await client.GetAsync("/alerts/00000000deadbeef");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("No alert with fingerprint 00000000deadbeef", await page.Content.ReadAsStringAsync());
    }
}
