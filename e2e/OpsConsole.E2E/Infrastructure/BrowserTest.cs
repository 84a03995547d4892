using Microsoft.Playwright;
using OpsConsole.E2E.Pages;
using Xunit.Abstractions;

namespace OpsConsole.E2E.Infrastructure;

/// <summary>
/// A test with its own browser context (no shared cookies or storage) against the shared console. Records the
/// browser console's errors and uncaught page errors so tests can assert on them and failures can show them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public abstract class BrowserTest(ConsoleFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<string> _browserErrors = [];
    private IBrowserContext? _context;
    private IPage? _page;

    protected ConsoleFixture Fixture { get; } = fixture;

    protected ITestOutputHelper Output { get; } = output;

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("No browser context yet.");

    protected IPage Page => _page ?? throw new InvalidOperationException("No page yet.");

    protected LoginPage Login => new(Page);

    protected ShellPage Shell => new(Page);

    /// <summary>Console messages of type error and uncaught exceptions, in order (CSP violations show up here).</summary>
    protected IReadOnlyList<string> BrowserErrors
    {
        get
        {
            lock (_browserErrors)
            {
                return [.. _browserErrors];
            }
        }
    }

    public async Task InitializeAsync()
    {
        _context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Fixture.Server.BaseAddress.ToString(),
            ColorScheme = ColorScheme.Light,
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-GB",
        });
        _context.SetDefaultTimeout(20_000);
        _page = await _context.NewPageAsync();
        _page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console.error: {message.Text} ({message.Location})");
            }
        };
        _page.PageError += (_, error) => Record($"uncaught: {error}");
    }

    private void Record(string error)
    {
        lock (_browserErrors)
        {
            _browserErrors.Add(error);
        }
    }

    /// <summary>Signs in through the login page and waits until the start page is live.</summary>
    protected async Task SignInAsync(string userName)
    {
        await Login.OpenAsync();
        await Login.SignInAsync(userName, DemoUsers.Password);
        await Shell.WaitUntilInteractiveAsync();
    }

    /// <summary>A screenshot for the README and for looking at after a run; not an assertion.</summary>
    protected async Task SaveScreenshotAsync(string name)
    {
        var path = Path.Combine(Fixture.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Output.WriteLine($"Screenshot: {path}");
    }

    /// <summary>What a failure message should carry besides the assertion: browser errors and the console's output.</summary>
    protected string Diagnostics() =>
        $"{Environment.NewLine}Browser errors:{Environment.NewLine}{string.Join(Environment.NewLine, BrowserErrors)}" +
        $"{Environment.NewLine}Console process {Fixture.Server.State}; output (tail):{Environment.NewLine}{Fixture.Server.OutputTail()}";

    public async Task DisposeAsync()
    {
        var errors = BrowserErrors;
        if (errors.Count > 0)
        {
            Output.WriteLine("Browser errors during this test:");
            foreach (var e in errors)
            {
                Output.WriteLine("  " + e);
            }
        }

        // Shown with a failing test's output (and kept in the TRX): the server's side of the story.
        Output.WriteLine($"Console process {Fixture.Server.State}; output (tail):");
        Output.WriteLine(Fixture.Server.OutputTail());

        if (_context is not null)
        {
            await _context.CloseAsync();
        }
    }
}
