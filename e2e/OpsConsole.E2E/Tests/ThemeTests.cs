using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class ThemeTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private const string ThemeStorageKey = "opsconsole.theme";

    [Fact]
    public async Task ThemeToggle_Clicked_SwitchesColoursAndSurvivesReload()
    {
        await SignInAsync(DemoUsers.Admin);
        Assert.False(await Shell.IsDarkAsync(), "A light-scheme browser with no saved choice should start light.");
        var body = Page.Locator("body");
        var light = await Shell.BackgroundColourAsync();

        await Shell.ToggleThemeAsync();

        await Expect(body).Not.ToHaveCSSAsync("background-color", light);
        var dark = await Shell.BackgroundColourAsync();
        Assert.True(await Shell.IsDarkAsync());
        await WaitForSavedThemeAsync("dark");

        await Page.ReloadAsync();
        await Shell.WaitUntilInteractiveAsync();
        await Expect(body).ToHaveCSSAsync("background-color", dark);
        Assert.True(await Shell.IsDarkAsync());

        await Shell.ToggleThemeAsync();
        await Expect(body).ToHaveCSSAsync("background-color", light);
        await WaitForSavedThemeAsync("light");
    }

    [Fact]
    public async Task ThemeToggle_ClickedTheMomentThePageIsLive_ChoiceIsKeptAndSaved()
    {
        await SignInAsync(DemoUsers.Admin);
        await Page.ReloadAsync();

        // No pause: the first render is still asking the browser for the saved theme at this point.
        await Shell.WaitUntilInteractiveAsync();
        await Shell.ThemeToggle.ClickAsync();

        await Expect(Shell.ThemeToggle).ToHaveAttributeAsync("aria-label", "Switch to light theme");
        await WaitForSavedThemeAsync("dark");
        await Page.ReloadAsync();
        await Shell.WaitUntilInteractiveAsync();
        await Expect(Shell.ThemeToggle).ToHaveAttributeAsync("aria-label", "Switch to light theme");
    }

    /// <summary>Waits until this browser has stored the theme choice (fails after 10 s).</summary>
    private Task WaitForSavedThemeAsync(string theme) =>
        Page.WaitForFunctionAsync($"() => localStorage.getItem('{ThemeStorageKey}') === '{theme}'", null, new() { Timeout = 10_000 });
}
