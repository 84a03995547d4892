using OpsConsole.E2E.Infrastructure;
using OpsConsole.E2E.Pages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class SystemHealthTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task SystemHealth_OperatorWatches_SampleTextChangesWithoutReload()
    {
        await SignInAsync(DemoUsers.Operator);
        var health = new SystemHealthPage(Page);
        await Page.GotoAsync(SystemHealthPage.Path);
        await Shell.WaitUntilInteractiveAsync();
        await Expect(health.LastUpdate).ToBeVisibleAsync();
        var navigations = 0;
        Page.FrameNavigated += (_, frame) =>
        {
            if (frame == Page.MainFrame)
            {
                Interlocked.Increment(ref navigations);
            }
        };
        // A reload would drop this; a live update keeps it.
        await Page.EvaluateAsync("() => { window.__opsconsoleE2eMarker = 'still here'; }");
        var before = await health.LastUpdate.InnerTextAsync();

        // The server pushes a sample every second; allow generously for a slow machine.
        await Expect(health.LastUpdate).Not.ToHaveTextAsync(before, new() { Timeout = 10_000 });

        await Expect(health.LastUpdate).ToContainTextAsync("received");
        Assert.Equal(0, Volatile.Read(ref navigations));
        Assert.Equal("still here", await Page.EvaluateAsync<string?>("() => window.__opsconsoleE2eMarker ?? null"));
        await SaveScreenshotAsync("system-health");
    }
}
