using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Administration;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Components.Pages.Admin;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Components;

/// <summary>
/// The settings hub, API keys, users and audit log pages rendered by bUnit over the services of a real console
/// (SQLite, the real administration services and audit log): what an admin clicks and what it changes.
/// </summary>
public sealed class AdminPagesTests : IDisposable
{
    private readonly OpsConsoleFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private BunitContext Context(Role role, string? tenant = null)
    {
        var ctx = ComponentTestContext.Create(role, tenant);
        var host = _factory.Services;
        ctx.Services.AddSingleton(host.GetRequiredService<TimeProvider>());
        ctx.Services.AddSingleton(host.GetRequiredService<ApiKeyAdministration>());
        ctx.Services.AddSingleton(host.GetRequiredService<UserAdministration>());
        ctx.Services.AddSingleton(host.GetRequiredService<TenantRepository>());
        ctx.Services.AddSingleton(host.GetRequiredService<AuditReader>());
        return ctx;
    }

    private static IElement Input(IElement field) =>
        field.TagName is "INPUT" or "TEXTAREA" ? field : field.QuerySelector("input, textarea") ?? throw new InvalidOperationException("no input in " + field.OuterHtml);

    private static Task ClickButtonAsync(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == text).ClickAsync(new());

    private static Task SelectAsync<T>(IRenderedComponent<MudDialogProvider> dialogs, string label, T value)
    {
        var select = dialogs.FindComponents<MudSelect<T>>().Single(s => s.Instance.Label == label);
        return dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<TPage> Page) Render<TPage>(BunitContext ctx) where TPage : IComponent
    {
        var dialogs = ctx.Render<MudDialogProvider>();
        ctx.Render<MudPopoverProvider>();
        return (dialogs, ctx.Render<TPage>());
    }

    private async Task<string?> AuthenticateAsync(string key)
    {
        var (principal, failure) = await _factory.Services.GetRequiredService<ApiKeyService>().AuthenticateAsync(key, "test", CancellationToken.None);
        return principal is null ? failure : principal.GetTenantId() ?? principal.GetRole()?.ToString();
    }

    [Fact]
    public async Task SettingsHub_LinksEveryAdministrationArea()
    {
        await using var ctx = Context(Role.Admin);

        var cut = ctx.Render<Settings>();

        var links = cut.FindAll("[data-testid^=settings-link-]").Select(a => a.GetAttribute("href")!).ToArray();
        Assert.Equal(["/settings/users", "/settings/keys", "/settings/tenants", "/settings/alerting", "/audit"], links);
    }

    [Fact]
    public async Task Keys_CreateIngestKey_ShowsTheWorkingSecretOnceWithACopyButton()
    {
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render<ApiKeysPage>(ctx);

        _ = page.Find("[data-testid=key-new]").ClickAsync(new()); // opens the dialog and waits for it
        Input(dialogs.Find("[data-testid=key-name]")).Input("otel-collector");
        await SelectAsync(dialogs, "Tenant", "globex");
        await dialogs.Find("[data-testid=key-create]").ClickAsync(new());

        var secret = page.WaitForElement("[data-testid=key-secret]").TextContent.Trim();
        Assert.StartsWith("oc_", secret);
        Assert.Equal("globex", await AuthenticateAsync(secret));
        Assert.Contains("only time", page.Find("[data-testid=key-secret-panel]").TextContent);
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=key-row]"), r => r.TextContent.Contains("otel-collector")));
        Assert.DoesNotContain(secret, page.Find("[data-testid=keys-table]").TextContent);
        await page.Find("[data-testid=key-copy]").ClickAsync(new());
        Assert.Contains(ctx.JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText" && (string?)i.Arguments[0] == secret);

        await page.Find("[data-testid=key-secret-done]").ClickAsync(new());
        Assert.Empty(page.FindAll("[data-testid=key-secret]"));
        Assert.DoesNotContain(secret, page.Markup);
    }

    [Fact]
    public async Task Keys_CreateWithoutNameOrTenant_ShowsTheApisMessagesAndCreatesNothing()
    {
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render<ApiKeysPage>(ctx);
        var before = (await _factory.Services.GetRequiredService<ApiKeyRepository>().ListAsync(true)).Count;

        _ = page.Find("[data-testid=key-new]").ClickAsync(new()); // opens the dialog and waits for it
        await dialogs.Find("[data-testid=key-create]").ClickAsync(new());

        var errors = dialogs.FindAll("[data-testid=key-error]").Select(e => e.TextContent).ToArray();
        Assert.Contains(errors, e => e.Contains("name of 1-100"));
        Assert.Contains(errors, e => e.Contains("tenant id is required"));
        Assert.Equal(before, (await _factory.Services.GetRequiredService<ApiKeyRepository>().ListAsync(true)).Count);
        Assert.Empty(page.FindAll("[data-testid=key-secret]"));
    }

    [Fact]
    public async Task Keys_RotateAfterConfirming_OldSecretRefusedNewShownAndWorking()
    {
        var admin = ComponentTestContext.Principal(Role.Admin, null, "Setup");
        var created = await _factory.Services.GetRequiredService<ApiKeyAdministration>().CreateAsync(admin, new CreateApiKeyRequest("nightly-export", "role", "Executive", null, null), null, CancellationToken.None);
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render<ApiKeysPage>(ctx);

        _ = page.FindAll("[data-testid=key-row]").Single(r => r.GetAttribute("data-key-id") == created.ApiKey.Id.ToString())
            .QuerySelector("[data-testid=key-rotate]")!.ClickAsync(new());
        await ClickButtonAsync(dialogs, "Rotate");

        var secret = page.WaitForElement("[data-testid=key-secret]").TextContent.Trim();
        Assert.NotEqual(created.Key, secret);
        Assert.Equal("Executive", await AuthenticateAsync(secret));
        Assert.Contains("revoked", await AuthenticateAsync(created.Key));
    }

    [Fact]
    public async Task Keys_RevokeCancelled_ChangesNothing_RevokeConfirmed_KeyIsRefused()
    {
        var admin = ComponentTestContext.Principal(Role.Admin, null, "Setup");
        var created = await _factory.Services.GetRequiredService<ApiKeyAdministration>().CreateAsync(admin, new CreateApiKeyRequest("to-go", "ingest", null, "acme", null), null, CancellationToken.None);
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render<ApiKeysPage>(ctx);
        IElement Row() => page.FindAll("[data-testid=key-row]").Single(r => r.GetAttribute("data-key-id") == created.ApiKey.Id.ToString());

        _ = Row().QuerySelector("[data-testid=key-revoke]")!.ClickAsync(new());
        await ClickButtonAsync(dialogs, "Cancel");
        Assert.Equal("acme", await AuthenticateAsync(created.Key));

        _ = Row().QuerySelector("[data-testid=key-revoke]")!.ClickAsync(new());
        await ClickButtonAsync(dialogs, "Revoke");

        page.WaitForAssertion(() => Assert.Contains("revoked", page.Find("[data-testid=key-message]").TextContent));
        Assert.DoesNotContain(page.FindAll("[data-testid=key-row]"), r => r.GetAttribute("data-key-id") == created.ApiKey.Id.ToString());
        Assert.Contains("revoked", await AuthenticateAsync(created.Key));
    }

    [Fact]
    public async Task Users_CreateTenantAdmin_NeedsATenant_ThenAppearsBoundToIt()
    {
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render<UsersPage>(ctx);

        _ = page.Find("[data-testid=user-new]").ClickAsync(new());
        Input(dialogs.Find("[data-testid=user-name]")).Input("acme-second");
        Input(dialogs.Find("[data-testid=user-password]")).Input("a-long-enough-secret");
        await SelectAsync(dialogs, "Role", Roles.TenantAdmin);
        await dialogs.Find("[data-testid=user-save]").ClickAsync(new());
        Assert.Contains("needs an existing tenant", dialogs.Find("[data-testid=user-error]").TextContent);
        Assert.Null(await _factory.Services.GetRequiredService<UserRepository>().FindByUserNameAsync("acme-second"));

        await SelectAsync(dialogs, "Tenant", "acme");
        await dialogs.Find("[data-testid=user-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=user-row]"), r => r.GetAttribute("data-user") == "acme-second"));
        Assert.Contains("created", page.Find("[data-testid=user-message]").TextContent);
        var row = page.FindAll("[data-testid=user-row]").Single(r => r.GetAttribute("data-user") == "acme-second");
        Assert.Contains("TenantAdmin", row.TextContent);
        Assert.Contains("acme", row.TextContent);
        var stored = await _factory.Services.GetRequiredService<UserRepository>().FindByUserNameAsync("acme-second");
        Assert.Equal(("TenantAdmin", "acme"), (stored!.RoleName, stored.TenantId));
    }

    [Fact]
    public async Task Users_DisableAfterConfirming_IsStoredAndShown_AndChangesTheSecurityStamp()
    {
        var users = _factory.Services.GetRequiredService<UserRepository>();
        var before = await users.FindByUserNameAsync("operator");
        await using var ctx = Context(Role.Admin);
        var (dialogs, page) = Render<UsersPage>(ctx);
        IElement Row() => page.FindAll("[data-testid=user-row]").Single(r => r.GetAttribute("data-user") == "operator");

        _ = Row().QuerySelector("[data-testid=user-disable]")!.ClickAsync(new());
        await ClickButtonAsync(dialogs, "Disable");

        page.WaitForAssertion(() => Assert.Equal("disabled", Row().QuerySelector("[data-testid=user-status]")!.TextContent.Trim()));
        var after = await users.FindByUserNameAsync("operator");
        Assert.True(after!.IsDisabled);
        Assert.NotEqual(before!.SecurityStamp, after.SecurityStamp);
    }

    private async Task SeedAuditAsync()
    {
        var log = _factory.Services.GetRequiredService<AuditLog>();
        var at = new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);
        foreach (var tenant in new[] { "acme", "globex" })
        {
            await log.WriteAsync(new AuditLogEntryEntity { At = at, Actor = "seeder", Action = "page.test", TargetType = "widget", TargetId = $"{tenant}-w", TenantId = tenant, After = $"{tenant.ToUpperInvariant()}-PAGE-MARKER" });
        }

        await log.WriteAsync(new AuditLogEntryEntity { At = at, Actor = "seeder", Action = "page.other", TargetType = "widget", TargetId = "g-2", TenantId = "globex" });
    }

    [Fact]
    public async Task Audit_TenantAdmin_SeesTheirTenantsEntriesOnly()
    {
        await SeedAuditAsync();
        await using var ctx = Context(Role.TenantAdmin, "acme");

        var (_, page) = Render<AuditPage>(ctx);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=audit-row]")));
        Assert.Contains("ACME-PAGE-MARKER", page.Markup);
        Assert.DoesNotContain("GLOBEX-PAGE-MARKER", page.Markup);
        Assert.DoesNotContain("page.other", page.Markup); // not even in the action picker's options
        Assert.Empty(page.FindAll("[data-testid=audit-tenant]"));
    }

    [Fact]
    public async Task Audit_FilterInTheUrl_ShowsThoseEntriesAndExportsTheSameFilter()
    {
        await SeedAuditAsync();
        await using var ctx = Context(Role.Admin);
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/audit?action=page.test&tenant=globex");

        var (_, page) = Render<AuditPage>(ctx);

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=audit-row]")));
        Assert.Contains("GLOBEX-PAGE-MARKER", page.Find("[data-testid=audit-row]").TextContent);
        var export = page.Find("[data-testid=audit-export]").GetAttribute("href")!;
        Assert.Contains("/api/v1/audit/export?", export);
        Assert.Contains("action=page.test", export);
        Assert.Contains("tenant=globex", export);
    }

    [Fact]
    public async Task Audit_ApplyingTheFilterForm_PutsItInTheUrl()
    {
        await using var ctx = Context(Role.Admin);
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        var (_, page) = Render<AuditPage>(ctx);

        Input(page.Find("[data-testid=audit-user]")).Change("admin");
        Input(page.Find("[data-testid=audit-from]")).Change("2026-11-01");
        await page.Find("[data-testid=audit-apply]").ClickAsync(new());

        Assert.Equal("/audit?user=admin&from=2026-11-01", new Uri(navigation.Uri).PathAndQuery);
    }

    [Theory]
    [InlineData("from=yesterday", "not a time")]
    [InlineData("from=2026-11-02&to=2026-11-01", "before to")]
    public async Task Audit_BadDatesInTheUrl_SayWhatIsWrongAndShowNoEntries(string query, string message)
    {
        await SeedAuditAsync();
        await using var ctx = Context(Role.Admin);
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?" + query);

        var (_, page) = Render<AuditPage>(ctx);

        page.WaitForAssertion(() => Assert.Contains(message, page.Find("[data-testid=audit-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=audit-row]"));
    }
}
