using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Api;
using OpsConsole.Web.Security;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Administration;

/// <summary>
/// Users changed through the admin API while they are signed in (real cookies, real login form): the change of
/// rights ends their session, the audit log records it, and bad changes are refused without changing anything.
/// </summary>
public sealed class UserAdministrationTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Password = "a-long-enough-secret";

    private async Task<UserView> CreateAsync(HttpClient admin, string userName, string role, string? tenantId = null)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/users", new { userName, password = Password, role, tenantId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<UserView>(Json))!;
    }

    private async Task<HttpClient> SignedInAsync(string userName, string password = Password)
    {
        var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, userName, password);
        return client;
    }

    private async Task<JsonElement[]> AuditAsync(HttpClient admin, Guid userId) =>
        [.. JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/audit?targetType=user&targetId={userId}")).RootElement.GetProperty("entries").EnumerateArray()];

    [Fact]
    public async Task ChangeRole_EndsTheUsersSessionAndTheNewSignInHasTheNewRights()
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "tara", "TenantAdmin", "acme");
        using var session = await SignedInAsync("tara");
        var me = await session.GetFromJsonAsync<MeView>("/api/v1/me", Json);

        using var put = await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { role = "Operator" });
        using var oldSession = await session.GetAsync("/api/v1/me");
        using var fresh = await SignedInAsync("tara");
        var meAgain = await fresh.GetFromJsonAsync<MeView>("/api/v1/me", Json);

        Assert.Equal(("TenantAdmin", "acme"), (me!.Role, me.TenantId));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSession.StatusCode);
        Assert.Equal(("Operator", (string?)null), (meAgain!.Role, meAgain.TenantId));
        var entry = Assert.Single(await AuditAsync(admin, user.Id), e => e.GetProperty("action").GetString() == "user.update");
        Assert.Equal("apikey:demo-admin", entry.GetProperty("actor").GetString());
        Assert.Contains("TenantAdmin", entry.GetProperty("before").GetString());
        Assert.Contains("Operator", entry.GetProperty("after").GetString());
    }

    [Fact]
    public async Task OpenCircuit_IsRevalidatedAndRefusedOnceTheUserIsDisabled()
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "circuit-user", "Operator");
        var entity = await factory.Services.GetRequiredService<UserRepository>().FindByIdAsync(user.Id);
        var principal = AccountService.BuildPrincipal(entity!);
        using var revalidator = new SessionRevalidator(NullLoggerFactory.Instance, factory.Services.GetRequiredService<AccountService>());
        var before = await revalidator.IsStillValidAsync(principal, CancellationToken.None);

        (await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { disabled = true })).Dispose();

        Assert.True(before);
        Assert.False(await revalidator.IsStillValidAsync(principal, CancellationToken.None));
    }

    [Fact]
    public async Task AssignTenantAdminToATenant_TheyThenSeeThatTenantOnly()
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "gina", "TenantAdmin", "acme");

        using var put = await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { tenantId = "globex" });
        using var session = await SignedInAsync("gina");
        var me = await session.GetFromJsonAsync<MeView>("/api/v1/me", Json);

        Assert.Equal("globex", (await put.Content.ReadFromJsonAsync<UserView>(Json))!.TenantId);
        Assert.Equal(("TenantAdmin", "globex"), (me!.Role, me.TenantId));
    }

    [Fact]
    public async Task DisableThenEnable_SessionEndsSignInRefusedUntilEnabled()
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "dora", "Executive");
        using var session = await SignedInAsync("dora");

        using var disable = await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { disabled = true });
        using var afterDisable = await session.GetAsync("/api/v1/me");
        using var browser = factory.CreateBrowserClient();
        using var refused = await BrowserSession.PostLoginAsync(browser, "dora", Password);
        using var enable = await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { disabled = false });
        using var allowed = await BrowserSession.PostLoginAsync(browser, "dora", Password);

        Assert.True((await disable.Content.ReadFromJsonAsync<UserView>(Json))!.Disabled);
        Assert.Equal(HttpStatusCode.Unauthorized, afterDisable.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode); // the form again, with an error
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        Assert.Equal(["user.enable", "user.disable", "user.create"], (await AuditAsync(admin, user.Id)).Select(e => e.GetProperty("action").GetString()!));
    }

    [Fact]
    public async Task ResetPassword_OldPasswordAndSessionStopWorking_NewPasswordWorks_AndTheAuditHasNoPassword()
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "pete", "Operator");
        using var session = await SignedInAsync("pete");
        const string newPassword = "brand-new-passphrase-42";

        using var reset = await admin.PostAsJsonAsync($"/api/v1/admin/users/{user.Id}/password", new { password = newPassword });
        using var oldSession = await session.GetAsync("/api/v1/me");
        using var browser = factory.CreateBrowserClient();
        using var oldPassword = await BrowserSession.PostLoginAsync(browser, "pete", Password);
        using var fresh = await SignedInAsync("pete", newPassword);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSession.StatusCode);
        Assert.Equal(HttpStatusCode.OK, oldPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/me")).StatusCode);
        var audit = await admin.GetStringAsync("/api/v1/audit?targetType=user&limit=1000");
        Assert.Contains("user.password-reset", audit);
        Assert.DoesNotContain(newPassword, audit);
        Assert.DoesNotContain(Password, audit);
    }

    [Theory]
    [InlineData("{\"role\":\"TenantAdmin\"}", "tenantId", "needs an existing tenant")]
    [InlineData("{\"role\":\"TenantAdmin\",\"tenantId\":\"no-such-tenant\"}", "tenantId", "needs an existing tenant")]
    [InlineData("{\"tenantId\":\"acme\"}", "tenantId", "Only TenantAdmin users")]
    [InlineData("{\"role\":\"Janitor\"}", "role", "must be Admin")]
    [InlineData("{\"displayName\":\" \"}", "displayName", "1-200")]
    public async Task Update_InvalidChange_Answers400NamingTheFieldAndChangesNothing(string body, string field, string message)
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "bad-" + Guid.NewGuid().ToString("N")[..8], "Operator");
        using var session = await SignedInAsync(user.UserName);
        var before = await admin.GetStringAsync("/api/v1/admin/users");

        using var response = await admin.PutAsync($"/api/v1/admin/users/{user.Id}", JsonBody.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(before, await admin.GetStringAsync("/api/v1/admin/users"));
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/me")).StatusCode); // still signed in
    }

    [Fact]
    public async Task UpdateAndReset_UnknownUser_Answer404()
    {
        using var admin = factory.CreateAdminClient();

        using var put = await admin.PutAsJsonAsync($"/api/v1/admin/users/{Guid.NewGuid()}", new { role = "Operator" });
        using var reset = await admin.PostAsJsonAsync($"/api/v1/admin/users/{Guid.NewGuid()}/password", new { password = "brand-new-passphrase-42" });

        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reset.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ResetPassword_WeakPassword_Answers400AndTheOldPasswordStillWorks()
    {
        using var admin = factory.CreateAdminClient();
        var user = await CreateAsync(admin, "wanda", "Operator");

        using var reset = await admin.PostAsJsonAsync($"/api/v1/admin/users/{user.Id}/password", new { password = "short" });
        using var stillWorks = await SignedInAsync("wanda");

        Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
        Assert.Contains("at least 12", await reset.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DisableOrDemote_TheLastEnabledAdmin_Answers409AndTheAdminKeepsTheirRights()
    {
        // Its own console: other tests here add admins.
        using var own = new OpsConsoleFactory();
        using var admin = own.CreateAdminClient();
        var users = await admin.GetFromJsonAsync<UserView[]>("/api/v1/admin/users", Json);
        var onlyAdmin = Assert.Single(users!, u => u.Role == "Admin" && !u.Disabled);

        using var disable = await admin.PutAsJsonAsync($"/api/v1/admin/users/{onlyAdmin.Id}", new { disabled = true });
        using var demote = await admin.PutAsJsonAsync($"/api/v1/admin/users/{onlyAdmin.Id}", new { role = "Operator" });
        using var session = own.CreateBrowserClient();
        await BrowserSession.SignInAsync(session, "admin", DemoAccounts.Password);

        Assert.Equal(HttpStatusCode.Conflict, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Contains("last enabled Admin", await demote.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/admin/users")).StatusCode);
    }

    [Fact]
    public async Task SignedInAdmin_CannotDisableThemselves()
    {
        using var admin = factory.CreateAdminClient();
        var second = await CreateAsync(admin, "second-admin", "Admin");
        using var session = await SignedInAsync("second-admin");

        using var response = await session.PutAsJsonAsync($"/api/v1/admin/users/{second.Id}", new { disabled = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("your own account", await response.Content.ReadAsStringAsync());
        Assert.False((await admin.GetFromJsonAsync<UserView[]>("/api/v1/admin/users", Json))!.Single(u => u.Id == second.Id).Disabled);
    }
}
