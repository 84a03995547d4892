using Microsoft.Playwright;

namespace OpsConsole.E2E.Pages;

/// <summary>The console's own health, pushed by the server over the circuit.</summary>
public sealed class SystemHealthPage(IPage page)
{
    public const string Path = "/system-health";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "System health", Level = 1 });

    /// <summary>"Live · last sample HH:mm:ss · N updates received".</summary>
    public ILocator LastUpdate => page.GetByTestId("last-update");

    public ILocator Uptime => page.GetByTestId("stat-uptime");
}
