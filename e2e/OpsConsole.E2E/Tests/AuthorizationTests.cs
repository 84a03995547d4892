using Microsoft.Playwright;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class AuthorizationTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task ForbiddenUrl_ExecutiveOpensSettings_ShowsNoAccessPageWith403()
    {
        await SignInAsync(DemoUsers.Executive);

        var response = await Page.GotoAsync("/settings");

        Assert.NotNull(response);
        Assert.Equal(403, response.Status);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "You don't have access to this page" })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("users-table")).Not.ToBeAttachedAsync();
    }
}
