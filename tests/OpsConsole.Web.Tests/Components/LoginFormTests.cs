using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Data;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Components.Pages.Account;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The sign-in form over a real SQLite database and the real account service and cookie handler.</summary>
public sealed class LoginFormTests : IAsyncLifetime
{
    private const string Password = "a-perfectly-fine-password";
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-login-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly BunitContext _ctx = ComponentTestContext.Create();
    private DefaultHttpContext _http = null!;

    public async Task InitializeAsync()
    {
        var services = _ctx.Services;
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IHostEnvironment>(new TestEnvironment());
        services.AddOpsConsoleData(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(_directory, "login.db")}" }, _directory);
        services.AddOptions<AuthOptions>();
        services.AddSingleton<IPasswordHasher<UserEntity>, PasswordHasher<UserEntity>>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AuditTrail>();
        // Generous: these tests submit the form many times; RateLimitTests covers the throttle itself.
        services.AddSingleton(new LoginThrottle(Microsoft.Extensions.Options.Options.Create(
            new RateLimitOptions { LoginPerAccountPerMinute = 1000, LoginPerAddressPerMinute = 1000 })));
        services.AddDataProtection();
        services.AddAuthentication().AddCookie();
        await _ctx.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        await _ctx.Services.GetRequiredService<AccountService>().CreateUserAsync("oscar", "Oscar", Password, Role.Operator, null);
        _http = new DefaultHttpContext { RequestServices = _ctx.Services };
        _http.Request.Method = "POST";
    }

    private IRenderedComponent<Login> RenderLogin(string? returnUrl = null)
    {
        if (returnUrl is not null)
        {
            _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        return _ctx.Render<Login>(p => p.AddCascadingValue(_http));
    }

    private static void Submit(IRenderedComponent<Login> cut, string user, string password)
    {
        cut.Find("#username").Change(user);
        cut.Find("#password").Change(password);
        cut.Find("form").Submit();
    }

    [Fact]
    public void Submit_RightCredentials_SignsInAndGoesToTheReturnUrl()
    {
        var cut = RenderLogin("/alerts");

        Submit(cut, "oscar", Password);

        Assert.EndsWith("/alerts", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Contains(_http.Response.Headers.SetCookie, c => c!.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=login-error]"));
    }

    [Fact]
    public void Submit_WrongPassword_ShowsTheErrorAndClearsThePassword()
    {
        var cut = RenderLogin();

        Submit(cut, "oscar", "wrong-password");

        Assert.Equal("The user name or password is not right.", cut.Find("[data-testid=login-error]").TextContent.Trim());
        Assert.Equal("", cut.Find("#password").GetAttribute("value") ?? "");
        Assert.Equal("oscar", cut.Find("#username").GetAttribute("value"));
        Assert.Equal(0, _http.Response.Headers.SetCookie.Count);
    }

    [Fact]
    public void Submit_EmptyFields_ShowsWhatIsMissingWithoutTryingToSignIn()
    {
        var cut = RenderLogin();

        cut.Find("form").Submit();

        Assert.Contains("Enter your user name.", cut.Markup);
        Assert.Contains("Enter your password.", cut.Markup);
        Assert.Empty(cut.FindAll("[data-testid=login-error]"));
    }

    [Fact]
    public async Task Submit_AfterTooManyFailures_SaysTheAccountIsLockedAndForHowLong()
    {
        var cut = RenderLogin();
        for (var i = 0; i < 4; i++)
        {
            Submit(cut, "oscar", "wrong-" + i);
        }

        Submit(cut, "oscar", "wrong-5");
        _clock.Advance(TimeSpan.FromMinutes(5));
        Submit(cut, "oscar", Password);

        Assert.Contains("locked after too many failed sign-ins. Try again in 10 minutes", cut.Find("[data-testid=login-error]").TextContent);
        Assert.Equal(0, _http.Response.Headers.SetCookie.Count);
        var user = await _ctx.Services.GetRequiredService<UserRepository>().FindByUserNameAsync("oscar");
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10), user!.LockoutEndsAt);
    }

    [Theory]
    [InlineData("/alerts?x=1", "/alerts?x=1")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("/account/logout", "/")]
    [InlineData(null, "/")]
    public void SafeReturnUrl_OnlyKeepsLocalPages(string? input, string expected) =>
        Assert.Equal(expected, Login.SafeReturnUrl(input));

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "OpsConsole.Web";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
