using System.Net;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Alerting;

/// <summary>The alerting settings page served by the real host: who may open it, and what an operator is told.</summary>
public sealed class AlertingSettingsHostTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Theory]
    [InlineData("admin", "notifications", false)]
    [InlineData("operator", "notifications", true)]
    [InlineData("operator", "rules", true)]
    public async Task SettingsPage_AdminAndOperator_OpenItAndOnlyTheOperatorIsToldItIsReadOnly(string user, string section, bool readOnly)
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, user, DemoAccounts.Password);

        using var page = await client.GetAsync($"/settings/alerting/{section}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Alerting settings", html, StringComparison.Ordinal);
        Assert.Equal(readOnly, html.Contains("data-testid=\"read-only-note\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SettingsPage_Executive_IsForbidden()
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "exec", DemoAccounts.Password);

        using var page = await client.GetAsync("/settings/alerting");

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
    }
}
