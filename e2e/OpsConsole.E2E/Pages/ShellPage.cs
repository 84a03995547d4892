using Microsoft.Playwright;

namespace OpsConsole.E2E.Pages;

/// <summary>
/// The layout around every signed-in page: app bar (user, role, theme, sign out) and navigation drawer.
/// The shell is prerendered, so its buttons do nothing until the Blazor circuit has rendered it again;
/// <see cref="WaitUntilInteractiveAsync"/> waits for that.
/// </summary>
public sealed class ShellPage(IPage page)
{
    /// <summary>Every navigation item's test id, in menu order.</summary>
    public static readonly IReadOnlyList<string> AllNavItems =
    [
        "nav-executive", "nav-services", "nav-ml", "nav-business", "nav-system-health",
        "nav-alerts", "nav-traces", "nav-logs", "nav-usage", "nav-audit", "nav-settings",
    ];

    public ILocator Layout => page.Locator(".mud-layout");

    public ILocator CurrentUser => page.GetByTestId("current-user");

    public ILocator CurrentRole => page.GetByTestId("current-role");

    public ILocator ThemeToggle => page.GetByTestId("theme-toggle");

    public ILocator SignOutButton => page.GetByTestId("sign-out");

    public ILocator PageHeading => page.Locator("main h1, .oc-main h1").First;

    public ILocator NavItem(string testId) => page.GetByTestId(testId);

    /// <summary>
    /// Waits until the circuit has rendered the shell: the layout carries <c>data-interactive</c> only when rendered
    /// by a live circuit (never in the prerendered HTML), and by then its event handlers are attached.
    /// </summary>
    public async Task WaitUntilInteractiveAsync() =>
        await Assertions.Expect(page.Locator(".mud-layout[data-interactive='true']")).ToBeAttachedAsync();

    /// <summary>The test ids of the navigation items the menu shows, in menu order.</summary>
    public async Task<IReadOnlyList<string>> VisibleNavItemsAsync()
    {
        var items = page.Locator("nav [data-testid^='nav-'], .oc-nav [data-testid^='nav-']");
        var ids = new List<string>();
        foreach (var item in await items.AllAsync())
        {
            if (await item.IsVisibleAsync() && await item.GetAttributeAsync("data-testid") is { } id)
            {
                ids.Add(id);
            }
        }

        return ids.Distinct().ToList();
    }

    /// <summary>Whether the dark theme is on, as the toggle announces it ("Switch to light theme" when dark).</summary>
    public async Task<bool> IsDarkAsync() =>
        (await ThemeToggle.GetAttributeAsync("aria-label"))?.Contains("light", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Clicks the theme toggle (the shell must be interactive) and waits until it announces the other theme.</summary>
    public async Task ToggleThemeAsync()
    {
        var before = await ThemeToggle.GetAttributeAsync("aria-label");
        await ThemeToggle.ClickAsync();
        await Assertions.Expect(ThemeToggle).Not.ToHaveAttributeAsync("aria-label", before ?? "");
    }

    /// <summary>The computed background colour of the page body, e.g. <c>rgb(245, 247, 250)</c>.</summary>
    public Task<string> BackgroundColourAsync() =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    public async Task SignOutAsync() => await SignOutButton.ClickAsync();
}
