using Bunit;
using Microsoft.AspNetCore.Components;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Components.Layout;

namespace OpsConsole.Web.Tests.Components;

public sealed class ShellTests
{
    private static readonly string[] AllSections =
        ["executive", "services", "ml", "business", "system-health", "alerts", "traces", "logs", "usage", "audit", "settings"];

    private static IRenderedComponent<MainLayout> RenderShell(BunitContext ctx)
    {
        // As on a live circuit (the layout marks itself interactive there).
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "the page"))));
    }

    [Theory]
    [InlineData(Role.Admin, null, "executive,services,ml,business,system-health,alerts,traces,logs,usage,audit,settings")]
    [InlineData(Role.Operator, null, "executive,services,ml,business,system-health,alerts,traces,logs")]
    [InlineData(Role.Executive, null, "executive,services,ml,business,system-health,alerts,usage")]
    [InlineData(Role.TenantAdmin, "acme", "executive,services,ml,business,traces,logs,usage,audit")]
    public async Task Navigation_ForEachRole_ShowsExactlyTheSectionsItMayOpen(Role role, string? tenant, string expected)
    {
        await using var ctx = ComponentTestContext.Create(role, tenant);

        var cut = RenderShell(ctx);

        var shown = AllSections.Where(s => cut.FindAll($"[data-testid=nav-{s}]").Count > 0).ToArray();
        Assert.Equal(expected.Split(','), shown);
        Assert.Contains("the page", cut.Markup);
    }

    [Fact]
    public async Task AppBar_SignedIn_ShowsNameRoleAndTenant()
    {
        await using var ctx = ComponentTestContext.Create(Role.TenantAdmin, "acme", "Tara Tenant");

        var cut = RenderShell(ctx);

        Assert.Contains("Tara Tenant", cut.Find("[data-testid=current-user]").TextContent);
        Assert.Contains("TenantAdmin · acme", cut.Find("[data-testid=current-role]").TextContent);
        Assert.Equal("/account/logout", cut.Find("form.oc-logout").GetAttribute("action"));
        Assert.NotNull(cut.Find("form.oc-logout input[name=__RequestVerificationToken]"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AppBar_DemoWorkloadRunning_SaysTheDataIsSimulated(bool demo)
    {
        await using var ctx = ComponentTestContext.Create(Role.Executive, demo: demo);

        var cut = RenderShell(ctx);

        Assert.Equal(demo, cut.FindAll("[data-testid=demo-badge]").Count == 1);
    }

    [Fact]
    public async Task ThemeToggle_Click_SwitchesToDarkAndRemembersTheChoice()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);
        var module = ctx.JSInterop.SetupModule("./js/theme.js");
        module.Setup<string?>("getTheme").SetResult("light");
        var saved = module.SetupVoid("setTheme", _ => true);
        var cut = RenderShell(ctx);
        Assert.False(cut.Instance.IsDarkMode);
        Assert.Equal("Switch to dark theme", cut.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));

        cut.Find("[data-testid=theme-toggle]").Click();

        Assert.True(cut.Instance.IsDarkMode);
        Assert.Equal("Switch to light theme", cut.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
        var call = Assert.Single(saved.Invocations);
        Assert.Equal("dark", call.Arguments[0]);
    }

    [Fact]
    public async Task Theme_SavedDarkChoice_IsAppliedOnFirstRender()
    {
        await using var ctx = ComponentTestContext.Create(Role.Executive);
        var module = ctx.JSInterop.SetupModule("./js/theme.js");
        module.Setup<string?>("getTheme").SetResult("dark");

        var cut = RenderShell(ctx);

        cut.WaitForAssertion(() => Assert.True(cut.Instance.IsDarkMode));
    }
}
