using System.Net;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>Time-driven sign-in behaviour, stepped with the factory's fake clock (each test its own host).</summary>
public sealed class LockoutAndExpiryTests : IDisposable
{
    private readonly OpsConsoleFactory _factory = new();

    [Fact]
    public async Task Login_FiveWrongPasswords_LocksTheAccountEvenForTheRightPasswordUntilTheLockoutEnds()
    {
        using var client = _factory.CreateBrowserClient();
        for (var i = 0; i < 4; i++)
        {
            using var wrong = await BrowserSession.PostLoginAsync(client, "exec", "wrong-password-" + i);
            Assert.Contains("not right", await wrong.Content.ReadAsStringAsync());
        }

        using var fifth = await BrowserSession.PostLoginAsync(client, "exec", "wrong-password-5");
        using var right = await BrowserSession.PostLoginAsync(client, "exec", DemoAccounts.Password);

        Assert.Contains("locked after too many failed sign-ins. Try again in 15 minutes", await fifth.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());

        _factory.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        using var later = await BrowserSession.PostLoginAsync(client, "exec", DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
    }

    [Fact]
    public async Task Login_LockoutOfOneUser_DoesNotAffectAnother()
    {
        using var client = _factory.CreateBrowserClient();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await BrowserSession.PostLoginAsync(client, "operator", "wrong-password-" + i);
        }

        using var other = await BrowserSession.PostLoginAsync(client, "admin", DemoAccounts.Password);

        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
    }

    [Fact]
    public async Task Cookie_AfterItsLifetime_IsRefusedAndTheUserMustSignInAgain()
    {
        using var client = _factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "admin", DemoAccounts.Password);
        using var fresh = await client.GetAsync("/api/v1/me");

        _factory.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        using var expiredApi = await client.GetAsync("/api/v1/me");
        using var expiredPage = await client.GetAsync("/settings");

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expiredApi.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, expiredPage.StatusCode);
        Assert.StartsWith("/account/login", expiredPage.Headers.Location!.PathAndQuery());
    }

    [Fact]
    public async Task Cookie_TamperedValue_IsRefused()
    {
        using var client = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", "OpsConsole.Auth=CfDJ8forged-cookie-value-that-does-not-decrypt");

        using var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
