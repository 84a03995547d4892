using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Tenancy;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The Tenants settings page over the services of a real console: the list, creating, editing, validation.</summary>
public sealed class TenantSettingsPageTests : IDisposable
{
    private readonly OpsConsoleFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private BunitContext Context()
    {
        var ctx = ComponentTestContext.Create(Role.Admin);
        var host = _factory.Services;
        ctx.Services.AddSingleton(host.GetRequiredService<TenantAdministration>());
        ctx.Services.AddSingleton(host.GetRequiredService<PlanCatalog>());
        return ctx;
    }

    private static IElement Input(IElement field) =>
        field.TagName is "INPUT" ? field : field.QuerySelector("input") ?? throw new InvalidOperationException("no input in " + field.OuterHtml);

    private static IElement Row(IRenderedComponent<TenantSettings> page, string id) =>
        page.FindAll("[data-testid=tenant-row]").Single(r => r.GetAttribute("data-id") == id);

    [Fact]
    public async Task List_ShowsEveryTenantWithPlanEffectiveQuotasAndCurrentUse()
    {
        await using var ctx = Context();
        var ledger = _factory.Services.GetRequiredService<IngestQuotaLedger>();
        ledger.Seed("hooli", DateOnly.FromDateTime(_factory.Clock.GetUtcNow().UtcDateTime), 128L * 1024 * 1024);

        var page = ctx.Render<TenantSettings>();

        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=tenant-row]").Count));
        var hooli = Row(page, "hooli");
        Assert.Equal("Free", hooli.QuerySelector("[data-testid=tenant-plan]")!.TextContent.Trim());
        Assert.Equal("6,000", hooli.QuerySelector("[data-testid=tenant-items-quota]")!.TextContent.Trim());
        Assert.Contains("(50%)", hooli.QuerySelector("[data-testid=tenant-bytes-used]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("unlimited", Row(page, "acme").QuerySelector("[data-testid=tenant-items-quota]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Edit_NegativeQuota_ShowsTheMessageAndSavesNothing_ThenAValidOverrideIsSavedAndShown()
    {
        await using var ctx = Context();
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<TenantSettings>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=tenant-row]")));

        await Row(page, "globex").QuerySelector("[data-testid=tenant-edit]")!.ClickAsync(new());
        Input(page.Find("[data-testid=tenant-form-items]")).Change("-5");
        await page.Find("[data-testid=tenant-form-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("ingestItemsPerMinute must be zero or more", page.Find("[data-testid=tenant-form]").TextContent, StringComparison.Ordinal));
        Assert.Null((await _factory.Services.GetRequiredService<TenantAdministration>().FindAsync("globex"))!.IngestItemsPerMinuteOverride);

        Input(page.Find("[data-testid=tenant-form-items]")).Change("1234");
        await page.Find("[data-testid=tenant-form-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Tenant 'globex' saved.", page.Find("[data-testid=tenants-message]").TextContent, StringComparison.Ordinal));
        Assert.Equal("1,234 (override)", Row(page, "globex").QuerySelector("[data-testid=tenant-items-quota]")!.TextContent.Trim());
        Assert.Equal(new IngestQuota(1234, 10737418240), _factory.Services.GetRequiredService<TenantQuotaCache>().QuotaOf("globex"));
    }

    [Fact]
    public async Task Create_BadIdShowsTheMessage_AGoodOneAppearsInTheList()
    {
        await using var ctx = Context();
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<TenantSettings>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=tenant-row]")));

        await page.Find("[data-testid=tenant-new]").ClickAsync(new());
        Input(page.Find("[data-testid=tenant-form-id]")).Change("Bad Id!");
        await page.Find("[data-testid=tenant-form-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("is not a valid tenant id", page.Find("[data-testid=tenant-form]").TextContent, StringComparison.Ordinal));

        Input(page.Find("[data-testid=tenant-form-id]")).Change("wayne");
        Input(page.Find("[data-testid=tenant-form-name]")).Change("Wayne Enterprises");
        await page.Find("[data-testid=tenant-form-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Wayne Enterprises", Row(page, "wayne").TextContent, StringComparison.Ordinal));
        Assert.Equal("Standard", Row(page, "wayne").QuerySelector("[data-testid=tenant-plan]")!.TextContent.Trim());
    }
}
