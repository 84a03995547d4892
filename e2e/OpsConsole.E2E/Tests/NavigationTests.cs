using Microsoft.Playwright;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class NavigationTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    /// <summary>Each menu item, the address it opens and that page's heading.</summary>
    private static readonly (string TestId, string Path, string Heading)[] Sections =
    [
        ("nav-executive", "/executive", "Executive"),
        ("nav-services", "/services", "Services"),
        ("nav-ml", "/ml", "ML"),
        ("nav-business", "/business", "Business"),
        ("nav-system-health", "/system-health", "System health"),
        ("nav-alerts", "/alerts", "Alerts"),
        ("nav-traces", "/traces", "Traces"),
        ("nav-logs", "/logs", "Logs"),
        ("nav-usage", "/usage", "Usage"),
        ("nav-audit", "/audit", "Audit log"),
        ("nav-settings", "/settings", "Settings"),
    ];

    [Fact]
    public async Task NavMenu_AdminOpensEveryItem_EachPageShowsItsHeadingWithoutBrowserErrors()
    {
        await SignInAsync(DemoUsers.Admin);

        foreach (var (testId, path, heading) in Sections)
        {
            await Shell.NavItem(testId).ClickAsync();

            await Expect(Page).ToHaveURLAsync(new Uri(Fixture.Server.BaseAddress, path).ToString());
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1, Exact = true })).ToBeVisibleAsync();
        }

        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(BrowserErrors.Count == 0, "The browser console shows errors while moving through the menu:" + Diagnostics());
    }

    [Fact]
    public async Task UnknownUrl_SignedIn_ShowsPageNotFoundWith404()
    {
        await SignInAsync(DemoUsers.Operator);

        var response = await Page.GotoAsync("/no-such-page");

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Go to the start page" })).ToBeVisibleAsync();
    }
}
