using System.Net;
using System.Net.Http.Json;
using OpsConsole.Web.Api;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

public sealed class LoginFlowTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Fact]
    public async Task Login_RightPassword_SetsCookieAndReturnsToRequestedPage()
    {
        using var client = factory.CreateBrowserClient();

        using var response = await BrowserSession.PostLoginAsync(client, "operator", DemoAccounts.Password, returnUrl: "/system-health");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/system-health", response.Headers.Location?.PathAndQuery());
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthenticationSetup.CookieName + "=", StringComparison.Ordinal));
        var me = await client.GetFromJsonAsync<MeView>("/api/v1/me");
        Assert.Equal("Operator", me!.Role);
        Assert.Equal("operator", me.Name);
        using var page = await client.GetAsync("/system-health");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsErrorAndSetsNoCookie()
    {
        using var client = factory.CreateBrowserClient();

        using var response = await BrowserSession.PostLoginAsync(client, "exec", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("The user name or password is not right.", html);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(AuthenticationSetup.CookieName + "=", StringComparison.Ordinal)));
        using var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Login_UnknownUser_ShowsTheSameErrorAsAWrongPassword()
    {
        using var client = factory.CreateBrowserClient();

        using var response = await BrowserSession.PostLoginAsync(client, "nobody-by-this-name", "whatever-password");

        Assert.Contains("The user name or password is not right.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Login_ExternalReturnUrl_IsIgnoredToPreventOpenRedirects()
    {
        using var client = factory.CreateBrowserClient();

        using var response = await BrowserSession.PostLoginAsync(client, "admin", DemoAccounts.Password, returnUrl: "//evil.example/steal");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.PathAndQuery());
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_IsRejectedAndSignsNobodyIn()
    {
        using var client = factory.CreateBrowserClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.UserName"] = "admin",
            ["Input.Password"] = DemoAccounts.Password,
        });

        using var response = await client.PostAsync("/account/login", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Logout_ClearsTheCookieAndProtectedPagesRedirectToLogin()
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "admin", DemoAccounts.Password);
        var token = await BrowserSession.GetAntiforgeryTokenAsync(client, "/");

        using var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(AuthenticationSetup.LoginPath, logout.Headers.Location?.PathAndQuery());
        using var page = await client.GetAsync("/settings");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/account/login?ReturnUrl=%2Fsettings", page.Headers.Location?.PathAndQuery());
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_IsRejectedAndKeepsTheSession()
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "admin", DemoAccounts.Password);

        using var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        using var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }
}
