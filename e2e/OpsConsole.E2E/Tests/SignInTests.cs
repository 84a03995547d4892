using System.Text.RegularExpressions;
using OpsConsole.E2E.Infrastructure;
using OpsConsole.E2E.Pages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed partial class SignInTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    public static TheoryData<string, string, string, string[]> Roles => new()
    {
        { DemoUsers.Admin, "Ada Admin", "Admin", [.. ShellPage.AllNavItems] },
        {
            DemoUsers.Operator, "Oscar Operator", "Operator",
            ["nav-executive", "nav-services", "nav-ml", "nav-business", "nav-system-health", "nav-alerts", "nav-traces", "nav-logs"]
        },
        {
            DemoUsers.Executive, "Erin Executive", "Executive",
            ["nav-executive", "nav-services", "nav-ml", "nav-business", "nav-system-health", "nav-alerts", "nav-usage"]
        },
        {
            DemoUsers.AcmeAdmin, "Tara Tenant (acme)", "TenantAdmin · acme",
            ["nav-executive", "nav-services", "nav-ml", "nav-business", "nav-traces", "nav-logs", "nav-usage", "nav-audit"]
        },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task SignIn_DemoRole_LandsOnStartPageWithExactlyItsNavItems(string userName, string displayName, string roleChip, string[] expectedNav)
    {
        await Login.OpenAsync();

        await Login.SignInAsync(userName, DemoUsers.Password);

        await Expect(Page).ToHaveURLAsync(Fixture.Server.BaseAddress.ToString());
        await Shell.WaitUntilInteractiveAsync();
        await Expect(Shell.PageHeading).ToHaveTextAsync($"Welcome, {displayName}");
        await Expect(Shell.CurrentUser).ToContainTextAsync(displayName);
        await Expect(Shell.CurrentRole).ToHaveTextAsync(roleChip);
        Assert.Equal(expectedNav, await Shell.VisibleNavItemsAsync());
        if (userName == DemoUsers.Admin)
        {
            await SaveScreenshotAsync("start-page");
        }
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsErrorAndStaysOnLoginWithoutCookie()
    {
        await Login.OpenAsync();

        await Login.SignInAsync(DemoUsers.Operator, "not-the-password");

        await Expect(Login.Error).ToBeVisibleAsync();
        await Expect(Login.Error).ToContainTextAsync("The user name or password is not right.");
        await Expect(Login.Heading).ToBeVisibleAsync();
        Assert.Equal(LoginPage.Path, new Uri(Page.Url).AbsolutePath);
        var cookies = await Context.CookiesAsync();
        Assert.DoesNotContain(cookies, c => c.Name == DemoUsers.AuthCookie);
    }

    [Fact]
    public async Task DeepLink_SignedOut_RedirectsToLoginAndReturnsAfterSignIn()
    {
        await Page.GotoAsync(SystemHealthPage.Path);

        await Expect(Page).ToHaveURLAsync(LoginWithReturnUrl());
        await Expect(Login.Heading).ToBeVisibleAsync();
        await Login.SignInAsync(DemoUsers.Operator, DemoUsers.Password);

        await Expect(Page).ToHaveURLAsync(new Uri(Fixture.Server.BaseAddress, SystemHealthPage.Path).ToString());
        await Expect(new SystemHealthPage(Page).Heading).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignOut_SignedIn_ReturnsToLoginAndProtectedPagesRedirectAgain()
    {
        await SignInAsync(DemoUsers.Operator);

        await Shell.SignOutAsync();

        await Expect(Page).ToHaveURLAsync(new Uri(Fixture.Server.BaseAddress, LoginPage.Path).ToString());
        await Expect(Login.Heading).ToBeVisibleAsync();
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == DemoUsers.AuthCookie);
        await Page.GotoAsync(SystemHealthPage.Path);
        await Expect(Page).ToHaveURLAsync(LoginWithReturnUrl());
        await Expect(Shell.CurrentUser).Not.ToBeAttachedAsync();
    }

    [GeneratedRegex(@"/account/login\?ReturnUrl=%2Fsystem-health$")]
    private static partial Regex LoginWithReturnUrl();
}
