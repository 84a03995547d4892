using Microsoft.Playwright;

namespace OpsConsole.E2E.Pages;

/// <summary>The sign-in page: a static form posted without a circuit, so it can be used as soon as it loads.</summary>
public sealed class LoginPage(IPage page)
{
    public const string Path = "/account/login";

    public ILocator UserName => page.Locator("#username");

    public ILocator Password => page.Locator("#password");

    public ILocator Submit => page.GetByTestId("login-submit");

    public ILocator Error => page.GetByTestId("login-error");

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 });

    public async Task OpenAsync()
    {
        await page.GotoAsync(Path);
        await Assertions.Expect(Heading).ToBeVisibleAsync();
    }

    /// <summary>Fills the form and submits it; the caller checks where the browser ends up.</summary>
    public async Task SignInAsync(string userName, string password)
    {
        await UserName.FillAsync(userName);
        await Password.FillAsync(password);
        await Submit.ClickAsync();
    }
}
