using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class AccessibilityTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static readonly string[] BlockingImpacts = ["serious", "critical"];

    [Fact]
    public async Task Axe_LoginPage_HasNoSeriousOrCriticalViolations()
    {
        await Login.OpenAsync();

        var result = await Page.RunAxe();

        AssertNoBlockingViolations(result);
    }

    [Fact]
    public async Task Axe_StartPageAsAdmin_HasNoSeriousOrCriticalViolations()
    {
        await SignInAsync(DemoUsers.Admin);

        var result = await Page.RunAxe();

        AssertNoBlockingViolations(result);
    }

    [Fact]
    public async Task Axe_StartPageAsAdminInDarkTheme_HasNoSeriousOrCriticalViolations()
    {
        await Context.AddInitScriptAsync("localStorage.setItem('opsconsole.theme', 'dark')");
        await SignInAsync(DemoUsers.Admin);
        await Expect(Shell.ThemeToggle).ToHaveAttributeAsync("aria-label", "Switch to light theme");

        var result = await Page.RunAxe();

        AssertNoBlockingViolations(result);
    }

    private void AssertNoBlockingViolations(AxeResult result)
    {
        foreach (var v in result.Violations)
        {
            Output.WriteLine($"axe: {v.Impact} {v.Id}: {v.Help} ({v.Nodes.Length} node(s))");
        }

        var blocking = result.Violations.Where(v => BlockingImpacts.Contains(v.Impact)).ToList();
        Assert.True(blocking.Count == 0, $"axe found {blocking.Count} serious or critical violation(s) on {result.Url}:{Environment.NewLine}" +
            string.Join(Environment.NewLine, blocking.Select(Describe)));
    }

    private static string Describe(AxeResultItem v) =>
        $"- [{v.Impact}] {v.Id}: {v.Help} ({v.HelpUrl}){Environment.NewLine}" +
        string.Join(Environment.NewLine, v.Nodes.Select(n => $"    {n.Target}: {n.Html}{Environment.NewLine}      {Checks(n)}"));

    private static string Checks(AxeResultNode node) =>
        string.Join("; ", (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message));
}
