using OpsConsole.E2E.Infrastructure;
using OpsConsole.E2E.Pages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class LayoutTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task PageHeading_AfterNavigation_IsFocusedWithoutAFocusRing()
    {
        await SignInAsync(DemoUsers.Operator);

        await Shell.NavItem("nav-system-health").ClickAsync();

        var heading = new SystemHealthPage(Page).Heading;
        await Expect(heading).ToBeFocusedAsync();
        Assert.Equal("none", await heading.EvaluateAsync<string>("h => getComputedStyle(h).outlineStyle"));
    }
}
