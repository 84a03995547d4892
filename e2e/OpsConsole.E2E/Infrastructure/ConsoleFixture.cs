using Microsoft.Playwright;

namespace OpsConsole.E2E.Infrastructure;

/// <summary>
/// One console process and one Chromium for the whole collection; each test opens its own browser context.
/// Chromium is Debian's (<c>/usr/bin/chromium</c>, or <c>OPSCONSOLE_CHROMIUM</c>); the suite never downloads one.
/// </summary>
public class ConsoleFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private ConsoleServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public ConsoleServer Server => _server ?? throw new InvalidOperationException("The console has not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    /// <summary>Where screenshots of this run go (beside the test binaries).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Whether the console runs the demo SaaS (off for the main suite, whose pages show their empty states).</summary>
    protected virtual bool Demo => false;

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("OPSCONSOLE_CHROMIUM");
        if (string.IsNullOrWhiteSpace(chromium))
        {
            chromium = DefaultChromium;
        }

        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at '{chromium}'. Install Debian's chromium package (apt-get install chromium) or set " +
                "OPSCONSOLE_CHROMIUM to a Chromium executable. The suite does not use 'playwright install'.");
        }

        // Long enough for a cold circuit start on a loaded CI machine; waits end as soon as the condition holds.
        Assertions.SetDefaultExpectTimeout(15_000);
        try
        {
            _server = await ConsoleServer.StartAsync(Demo);
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ChromiumArgs,
            });
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            _browser = null;
        }

        _playwright?.Dispose();
        _playwright = null;
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}

/// <summary>A console with the demo SaaS running inside it, feeding real telemetry (the dashboards' journey).</summary>
public sealed class DemoConsoleFixture : ConsoleFixture
{
    protected override bool Demo => true;
}

/// <summary>The tests that need the demo's data share one demo console.</summary>
[CollectionDefinition(Name)]
public sealed class DemoConsoleCollection : ICollectionFixture<DemoConsoleFixture>
{
    public const string Name = "Demo console";
}

/// <summary>All browser tests share one console and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "Console";
}
