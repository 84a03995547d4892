using System.Net;
using System.Net.Http.Json;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>Production never runs with a default password and never has the demo accounts.</summary>
public sealed class ProductionStartupTests
{
    private sealed class ProductionFactory(string? bootstrapPassword) : OpsConsoleFactory
    {
        protected override string EnvironmentName => "Production";

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Auth:BootstrapAdminPassword"] = bootstrapPassword,
        };
    }

    [Theory]
    [InlineData(null, "OpsConsole__Auth__BootstrapAdminPassword")]
    [InlineData("", "OpsConsole__Auth__BootstrapAdminPassword")]
    [InlineData("admin", "at least 12 characters")]
    [InlineData("passwordpassword", "too easy")]
    public void Start_WithoutAStrongBootstrapPassword_RefusesToStartAndSaysWhatToSet(string? password, string expected)
    {
        using var factory = new ProductionFactory(password);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = error is AggregateException agg ? agg.Flatten().InnerExceptions[0].Message : error.Message;
        Assert.Contains(expected, message);
    }

    [Fact]
    public async Task Start_WithABootstrapPassword_CreatesOnlyThatAdminAndNoDemoAccounts()
    {
        const string password = "correct-horse-battery-staple";
        using var factory = new ProductionFactory(password);
        using var client = factory.CreateBrowserClient();

        using var demo = await BrowserSession.PostLoginAsync(client, "operator", DemoAccounts.Password);
        using var demoKey = factory.CreateAdminClient();
        using var demoKeyResponse = await demoKey.GetAsync("/api/v1/me");
        await BrowserSession.SignInAsync(client, "admin", password);
        var users = await client.GetFromJsonAsync<UserRow[]>("/api/v1/admin/users");

        Assert.Contains("not right", await demo.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, demoKeyResponse.StatusCode);
        var admin = Assert.Single(users!);
        Assert.Equal("admin", admin.UserName);
        Assert.Equal("Admin", admin.Role);
    }

    private sealed record UserRow(string UserName, string Role);
}
