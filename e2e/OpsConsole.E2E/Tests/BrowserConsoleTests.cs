using Microsoft.Playwright;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;

namespace OpsConsole.E2E.Tests;

/// <summary>Errors in the browser console (script errors, failed loads, CSP violations) are bugs a user may hit.</summary>
public sealed class BrowserConsoleTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task BrowserConsole_LoginPage_ShowsNoErrors()
    {
        await Login.OpenAsync();

        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.True(BrowserErrors.Count == 0, "The browser console shows errors on the login page:" + Diagnostics());
    }

    [Fact]
    public async Task BrowserConsole_StartPageAsAdmin_ShowsNoErrors()
    {
        await SignInAsync(DemoUsers.Admin);

        // The circuit's first render imports the theme module; wait until that and every other request has settled.
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.True(BrowserErrors.Count == 0, "The browser console shows errors on the start page:" + Diagnostics());
    }
}
