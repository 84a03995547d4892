using System.Globalization;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

/// <summary>
/// The five dashboards in a real browser over real data: this collection's console runs the demo SaaS inside it (OTLP
/// into the console, its six /metrics endpoints scraped every 15 s), exactly as <c>dotnet run</c> does in Development.
/// The main suite's console runs without it, so its pages show their empty states.
/// </summary>
[Collection(DemoConsoleCollection.Name)]
public sealed class DashboardJourneyTests(DemoConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static readonly string[] BlockingImpacts = ["serious", "critical"];

    /// <summary>The first scrapes and rates need a few scrape intervals after the console starts.</summary>
    private static readonly LocatorAssertionsToHaveCountOptions DataArrives = new() { Timeout = 150_000 };

    private const string LiveChart = "[data-panel-id=requests-by-service] [data-testid=panel-chart]";

    /// <summary>The dashboards, where the navigation opens them, and their screenshot in docs/screenshots.</summary>
    public static TheoryData<string, string, string> Dashboards => new()
    {
        { "/executive", "Executive", "dashboard-executive" },
        { "/services", "Services", "dashboard-services" },
        { "/ml", "ML", "dashboard-ml" },
        { "/business", "Business", "dashboard-business" },
        { "/dashboards/system-health", "System health", "dashboard-system-health" },
    };

    private async Task ExpectEveryPanelWithDataAsync()
    {
        await Expect(Page.Locator("[data-testid=panel]").First).ToBeVisibleAsync();
        var waiting = Page.Locator("[data-testid=panel]:not([data-state=data])");
        try
        {
            await Expect(waiting).ToHaveCountAsync(0, DataArrives);
        }
        catch (PlaywrightException)
        {
            var ids = await waiting.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.panelId + ': ' + e.dataset.state + ' ' + e.innerText.slice(0, 120))");
            Assert.Fail("Panels without data: " + string.Join("; ", ids) + Diagnostics());
        }
    }

    private async Task SaveDocsScreenshotAsync(string name)
    {
        var path = Path.Combine(ConsoleServer.FindRepoRoot(), "docs", "screenshots", name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Output.WriteLine($"Screenshot: {path}");
    }

    [Fact]
    public async Task Executive_EveryPanelHasData_RangeChangesTheUrlAndRedraws_AndNewPointsArriveLive()
    {
        await SignInAsync(DemoUsers.Executive);
        await Shell.NavItem("nav-executive").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Executive", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("panel")).ToHaveCountAsync(17);
        await ExpectEveryPanelWithDataAsync();
        var chart = Page.Locator(LiveChart);
        await SpanBecomesAsync(chart, TimeSpan.FromHours(1));

        // The range picker: 6 hours, in the URL, and the charts drawn again over six hours.
        await Page.GetByTestId("range-picker").GetByRole(AriaRole.Button).ClickAsync();
        await Page.GetByTestId("range-6h").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Uri(Fixture.Server.BaseAddress, "/executive?from=now-6h&to=now").ToString());
        await Expect(Page.GetByTestId("range-picker")).ToContainTextAsync("Last 6 hours", new() { IgnoreCase = true });
        await SpanBecomesAsync(chart, TimeSpan.FromHours(6)); // the chart was drawn again over the new range
        await ExpectEveryPanelWithDataAsync();

        // Live: the next scrape's points are appended to the chart (no reload); the chart records when the data behind
        // them was stored, so the browser measures ingest → point in the DOM.
        var lastBefore = long.Parse((await chart.GetAttributeAsync("data-last-x"))!, CultureInfo.InvariantCulture);
        var delays = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var delayMs = await Page.EvaluateAsync<double>(
                """
                sel => new Promise((resolve, reject) => {
                  const el = document.querySelector(sel);
                  const before = el.dataset.appends ?? "0";
                  const timer = setTimeout(() => reject(new Error("no live append within 60 s")), 60000);
                  new MutationObserver((_, observer) => {
                    if ((el.dataset.appends ?? "0") !== before && el.dataset.ingestedAt) {
                      observer.disconnect();
                      clearTimeout(timer);
                      resolve(Date.now() - Number(el.dataset.ingestedAt));
                    }
                  }).observe(el, { attributes: true, attributeFilter: ["data-appends"] });
                })
                """, LiveChart);
            delays.Add(delayMs);
        }

        Output.WriteLine($"Ingest → point in the DOM: {string.Join(", ", delays.Select(d => d.ToString("0", CultureInfo.InvariantCulture)))} ms");
        Assert.All(delays, d => Assert.InRange(d, 0, 5_000));
        Assert.True(long.Parse((await chart.GetAttributeAsync("data-last-x"))!, CultureInfo.InvariantCulture) > lastBefore, "the newest point did not move on");
        Assert.Equal(new Uri(Fixture.Server.BaseAddress, "/executive?from=now-6h&to=now").ToString(), Page.Url); // no reload, same view
        Assert.True(BrowserErrors.Count == 0, "The browser console shows errors on the Executive dashboard:" + Diagnostics());
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task Dashboard_ShowsEveryPanelWithData_PassesAxe_AndIsPhotographed(string path, string title, string screenshot)
    {
        await SignInAsync(DemoUsers.Admin);
        // The demo's data is minutes old when the suite runs: the last 15 minutes show it across the charts.
        await Page.GotoAsync(path + "?from=now-15m&to=now");
        await Expect(Page.Locator("[data-interactive=true]")).ToHaveCountAsync(1);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();

        await ExpectEveryPanelWithDataAsync();
        var result = await Page.RunAxe();

        foreach (var v in result.Violations)
        {
            Output.WriteLine($"axe: {v.Impact} {v.Id}: {v.Help} ({v.Nodes.Length} node(s))");
        }

        var blocking = result.Violations.Where(v => BlockingImpacts.Contains(v.Impact)).ToList();
        Assert.True(blocking.Count == 0, $"axe on {path}: " + string.Join(Environment.NewLine, blocking.Select(v =>
            $"[{v.Impact}] {v.Id}: {v.Help} — {string.Join("; ", v.Nodes.Select(n => n.Html))}")));
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await SaveDocsScreenshotAsync(screenshot);
        Assert.True(BrowserErrors.Count == 0, $"The browser console shows errors on {path}:" + Diagnostics());
    }

    /// <summary>Waits until the chart shows a range of <paramref name="span"/> (± a minute), as drawn by ApexCharts.</summary>
    private static async Task SpanBecomesAsync(ILocator chart, TimeSpan span)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        TimeSpan? shown = null;
        while (DateTime.UtcNow < deadline)
        {
            if (await chart.CountAsync() == 1
                && long.TryParse(await chart.GetAttributeAsync("data-x-min"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var min)
                && long.TryParse(await chart.GetAttributeAsync("data-x-max"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var max))
            {
                shown = TimeSpan.FromMilliseconds(max - min);
                if ((shown.Value - span).Duration() <= TimeSpan.FromMinutes(1))
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The chart shows {shown?.ToString() ?? "nothing"}, not {span}.");
    }
}
