using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Data;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Usage;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Tenancy;
using OpsConsole.Web.Usage;
using UsagePage = OpsConsole.Web.Components.Pages.Usage;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The Usage page over a real (SQLite) database: who sees which tenant, the table, quotas and the empty and error states.</summary>
public sealed class UsagePageTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 12, 15, 30, 0, TimeSpan.Zero);
    private static readonly long Hour = UsageRepository.HourMs;
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-usage-page-").FullName;
    private BunitContext? _ctx;

    public async ValueTask DisposeAsync()
    {
        if (_ctx is not null)
        {
            await _ctx.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<BunitContext> ContextAsync(Role role, string? tenant)
    {
        var ctx = ComponentTestContext.Create(role, tenant);
        ctx.Services.AddOpsConsoleData(new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = "Data Source=usage.db" }, _directory);
        ctx.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        ctx.Services.AddOptions<UsageOptions>();
        ctx.Services.AddOptions<PlanCatalogOptions>().Configure(o =>
        {
            o.Plans["enterprise"] = new PlanDefinition { DisplayName = "Enterprise", MonthlyPriceDollars = 4999, MonthlyQuotas = { ["api_calls"] = 1000 } };
            o.Plans["business"] = new PlanDefinition { DisplayName = "Business", MonthlyPriceDollars = 1999 };
        });
        ctx.Services.AddSingleton<PlanCatalog>();
        ctx.Services.AddSingleton<UsageReports>();
        await ctx.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        var tenants = ctx.Services.GetRequiredService<TenantRepository>();
        await tenants.CreateAsync(new TenantEntity { Id = "acme", DisplayName = "Acme Corp", Plan = "enterprise", CreatedAt = Now });
        await tenants.CreateAsync(new TenantEntity { Id = "globex", DisplayName = "Globex", Plan = "business", CreatedAt = Now });
        await tenants.CreateAsync(new TenantEntity { Id = "quiet", DisplayName = "Quiet Ltd", Plan = "business", CreatedAt = Now });
        var usage = ctx.Services.GetRequiredService<UsageRepository>();
        var today10 = new DateTimeOffset(2026, 11, 12, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await usage.ReplaceComputedHourAsync(today10, ["api_calls"], [new("acme", today10, "api_calls", 100), new("globex", today10, "api_calls", 777)], 0);
        await usage.ReplaceComputedHourAsync(today10 - (25 * Hour), ["api_calls"], [new("acme", today10 - (25 * Hour), "api_calls", 50)], 0);
        _ctx = ctx;
        return ctx;
    }

    private static IRenderedComponent<UsagePage> Open(BunitContext ctx, string url)
    {
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return ctx.Render<UsagePage>();
    }

    private static string Cell(IRenderedComponent<UsagePage> cut, string period, string kind) =>
        cut.Find($"[data-testid=usage-row][data-period='{period}'] td[data-kind={kind}]").TextContent.Trim();

    [Fact]
    public async Task TenantAdmin_SeesOwnTenantOnly_WithTheQuotaUsedAndNoPicker()
    {
        var ctx = await ContextAsync(Role.TenantAdmin, "acme");

        var cut = Open(ctx, "/usage");

        cut.WaitForAssertion(() => Assert.Equal(7, cut.FindAll("[data-testid=usage-row]").Count));
        Assert.Equal("100", Cell(cut, "2026-11-12T00:00:00Z", "api_calls"));
        Assert.Equal("50", Cell(cut, "2026-11-11T00:00:00Z", "api_calls"));
        Assert.Empty(cut.FindAll("[data-testid=usage-tenant]"));
        Assert.Equal("Acme Corp", cut.Find("[data-testid=usage-tenant-name]").TextContent.Trim());
        Assert.Equal("15%", cut.Find("[data-testid=usage-quota][data-kind=api_calls] [data-testid=usage-quota-percent]").TextContent.Trim());
        Assert.DoesNotContain("777", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("/api/v1/monitoring/tenants/acme/usage?", cut.Find("[data-testid=usage-export]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantAdmin_EditingTheUrlToAnotherTenant_IsRefusedAndNothingOfItRendered()
    {
        var ctx = await ContextAsync(Role.TenantAdmin, "acme");

        var cut = Open(ctx, "/usage?tenant=globex&view=day");

        cut.WaitForAssertion(() => Assert.Contains("your own tenant only", cut.Find("[data-testid=usage-refused]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=usage-table]"));
        Assert.Empty(cut.FindAll("[data-testid=usage-export]"));
        Assert.DoesNotContain("777", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Globex", cut.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Role.Admin)]
    [InlineData(Role.Executive)]
    public async Task AdminAndExecutive_PickAnyTenant_DayViewByHour(Role role)
    {
        var ctx = await ContextAsync(role, null);

        var cut = Open(ctx, "/usage?tenant=globex&view=day");

        cut.WaitForAssertion(() => Assert.Equal(16, cut.FindAll("[data-testid=usage-row]").Count)); // 00:00 … 15:00 today
        Assert.Equal("777", Cell(cut, "2026-11-12T10:00:00Z", "api_calls"));
        Assert.NotEmpty(cut.FindAll("[data-testid=usage-tenant]"));
        Assert.Equal("page", cut.Find("[data-testid=usage-view-day]").GetAttribute("aria-current"));
        Assert.Contains("step=hour", cut.Find("[data-testid=usage-export]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantWithoutUsage_ShowsTheEmptyState()
    {
        var ctx = await ContextAsync(Role.Admin, null);

        var cut = Open(ctx, "/usage?tenant=quiet&view=month");

        cut.WaitForAssertion(() => Assert.Contains("No usage recorded for Quiet Ltd", cut.Find("[data-testid=usage-empty]").TextContent, StringComparison.Ordinal));
        Assert.Equal(12, cut.FindAll("[data-testid=usage-row]").Count); // the month so far, day by day
        Assert.NotNull(cut.Find("[data-testid=usage-no-quotas]"));
    }

    [Fact]
    public async Task HourTheConsoleWasPartlyDown_MarkedWithTheMinutesMissing()
    {
        var ctx = await ContextAsync(Role.Admin, null);
        var usage = ctx.Services.GetRequiredService<UsageRepository>();
        var ten = new DateTimeOffset(2026, 11, 12, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        // The console first ran at 10:00; it was down 14 minutes of that hour, then ran without a gap until now (15:30).
        await usage.SetInstanceTotalsAsync("first", [new(UsageSources.ConsoleTenant, ten, UsageKinds.ConsoleUpSeconds, 46 * 60)], 0);
        await usage.SetInstanceTotalsAsync("second", [
            .. Enumerable.Range(1, 4).Select(i => new UsageAmount(UsageSources.ConsoleTenant, ten + (i * Hour), UsageKinds.ConsoleUpSeconds, 3600)),
            new(UsageSources.ConsoleTenant, ten + (5 * Hour), UsageKinds.ConsoleUpSeconds, 30 * 60)], 0);

        var cut = Open(ctx, "/usage?tenant=acme&view=day");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=usage-partial]")));
        var partial = cut.Find("[data-testid=usage-partial]");
        Assert.Equal("2026-11-12T10:00:00Z", partial.Closest("[data-testid=usage-row]")!.GetAttribute("data-period"));
        Assert.Equal("console down ~14 min of this hour", string.Join(' ', partial.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("/usage?tenant=acme&view=year", "'year' is not a view")]
    [InlineData("/usage?tenant=nobody", "There is no tenant 'nobody'")]
    public async Task BadUrl_ExplainsAndShowsNoData(string url, string message)
    {
        var ctx = await ContextAsync(Role.Admin, null);

        var cut = Open(ctx, url);

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Find("[data-testid=usage-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=usage-table]"));
    }
}
