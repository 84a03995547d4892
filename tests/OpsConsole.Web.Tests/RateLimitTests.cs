using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>API requests per key and per user, sign-in attempts per account and per address, with low limits.</summary>
public sealed class RateLimitTests
{
    private sealed class LowLimitsFactory(int api, int perAccount, int perAddress) : OpsConsoleFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["RateLimits:ApiPerMinute"] = api.ToString(CultureInfo.InvariantCulture),
            ["RateLimits:LoginPerAccountPerMinute"] = perAccount.ToString(CultureInfo.InvariantCulture),
            ["RateLimits:LoginPerAddressPerMinute"] = perAddress.ToString(CultureInfo.InvariantCulture),
        };
    }

    [Fact]
    public async Task Api_PerKey_OverTheLimit_429ProblemWithRetryAfter_OtherKeysAndIntakeUnaffected()
    {
        using var factory = new LowLimitsFactory(api: 3, perAccount: 100, perAddress: 100);
        var otherKey = await factory.CreateKeyAsync("reader", "role", role: "Operator"); // the admin key's 1st request
        using var admin = factory.CreateAdminClient();
        using var other = factory.CreateApiClient(otherKey);
        using var ingest = factory.CreateApiClient(DemoAccounts.IngestKey);

        using var second = await admin.GetAsync("/api/v1/me");
        using var third = await admin.GetAsync("/api/v1/me");
        using var refused = await admin.GetAsync("/api/v1/me");
        using var otherKeysRequest = await other.GetAsync("/api/v1/me");
        var intake = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var posted = await ingest.PostAsync("/api/v1/monitoring/logs", Json($"{{\"logs\":[{{\"message\":\"rate {i}\",\"service\":\"shop\"}}]}}"));
            intake.Add(posted.StatusCode);
        }

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (second.StatusCode, third.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("more than 3 API requests this minute", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherKeysRequest.StatusCode);
        Assert.All(intake, s => Assert.Equal(HttpStatusCode.OK, s)); // intake has quotas, not the API limiter
    }

    [Fact]
    public async Task Api_PerSignedInUser_OverTheLimit_429_AnotherUserUnaffected()
    {
        using var factory = new LowLimitsFactory(api: 2, perAccount: 100, perAddress: 100);
        using var operatorClient = factory.CreateBrowserClient();
        using var execClient = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(operatorClient, "operator", "opsconsole-demo");
        await BrowserSession.SignInAsync(execClient, "exec", "opsconsole-demo");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await operatorClient.GetAsync("/api/v1/me");
            statuses.Add(response.StatusCode);
        }

        using var exec = await execClient.GetAsync("/api/v1/me");
        using var page = await operatorClient.GetAsync("/account/login"); // pages are not API requests

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, exec.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, page.StatusCode);
    }

    [Fact]
    public async Task Login_PerAccount_ThirdAttemptRefusedWithAClearMessage_EvenWithTheRightPassword_OtherAccountsStillSignIn()
    {
        using var factory = new LowLimitsFactory(api: 100, perAccount: 2, perAddress: 100);
        using var client = factory.CreateBrowserClient();

        using var wrong1 = await BrowserSession.PostLoginAsync(client, "operator", "wrong-password-1");
        using var wrong2 = await BrowserSession.PostLoginAsync(client, "Operator", "wrong-password-2"); // same account, any case
        using var throttled = await BrowserSession.PostLoginAsync(client, "operator", "opsconsole-demo");
        using var otherAccount = await BrowserSession.PostLoginAsync(factory.CreateBrowserClient(), "exec", "opsconsole-demo");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (wrong1.StatusCode, wrong2.StatusCode)); // the form again, with its error
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.InRange(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        var page = await throttled.Content.ReadAsStringAsync();
        Assert.Contains("Too many sign-in attempts for this account.", page, StringComparison.Ordinal);
        using var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode); // the right password did not sign in while throttled
        Assert.Equal(HttpStatusCode.Redirect, otherAccount.StatusCode);
    }

    [Fact]
    public async Task Login_PerAddress_RefusedAfterTheLimitWhateverTheAccount()
    {
        using var factory = new LowLimitsFactory(api: 100, perAccount: 100, perAddress: 2);
        using var client = factory.CreateBrowserClient();

        using var a = await BrowserSession.PostLoginAsync(client, "nobody-1", "whatever-password");
        using var b = await BrowserSession.PostLoginAsync(client, "nobody-2", "whatever-password");
        using var c = await BrowserSession.PostLoginAsync(client, "admin", "opsconsole-demo");

        Assert.Equal(HttpStatusCode.TooManyRequests, c.StatusCode);
        Assert.Contains("Too many sign-in attempts from your address.", await c.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void BadConfiguration_ZeroLimit_RefusesToStartNamingTheKey()
    {
        using var factory = new LowLimitsFactory(api: 0, perAccount: 1, perAddress: 1);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("RateLimits:ApiPerMinute", error.ToString(), StringComparison.Ordinal);
    }
}
