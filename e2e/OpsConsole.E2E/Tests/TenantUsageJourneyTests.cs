using System.Globalization;
using Deque.AxeCore.Playwright;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

/// <summary>
/// The tenant admin of acme with the demo running: sees the Usage page with data, exports the CSV and finds the rows shown,
/// is refused globex's usage when editing the URL, and meets no other tenant in any picker or search result.
/// </summary>
[Collection(DemoConsoleCollection.Name)]
public sealed class TenantUsageJourneyTests(DemoConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static readonly string[] OtherTenants = ["globex", "initech", "umbrella", "hooli"];
    private static readonly string[] BlockingImpacts = ["serious", "critical"];

    [Fact]
    public async Task AcmeAdmin_SeesUsage_ExportsTheRowsShown_IsRefusedGlobex_AndMeetsNoOtherTenant()
    {
        await SignInAsync(DemoUsers.AcmeAdmin);

        // Usage with data: the demo's spans arrive over OTLP at once; the page is read again until the meter has run.
        var spansCells = Page.Locator("[data-testid=usage-row] td[data-kind=spans]");
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (true)
        {
            await Page.GotoAsync("/usage?view=day");
            await Expect(Page.Locator("[data-testid=usage-table]")).ToBeVisibleAsync();
            var texts = await spansCells.AllInnerTextsAsync();
            if (texts.Any(t => Number(t) > 0))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "No spans metered for acme within 150 s of the demo running: " + string.Join(" | ", texts));
            await Page.WaitForTimeoutAsync(5_000); // polling a page that does not refresh itself; the meter runs every 30 s
        }

        Assert.Equal("Acme Corp", (await Page.Locator("[data-testid=usage-tenant-name]").InnerTextAsync()).Trim());
        var periods = await Page.Locator("[data-testid=usage-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.period)");
        var shownSpans = (await spansCells.AllInnerTextsAsync()).Select(Number).ToList();

        // Export: the file has the rows on the page (the open hour may have grown meanwhile; closed hours are final).
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.Locator("[data-testid=usage-export]").ClickAsync());
        var path = Path.Combine(Path.GetTempPath(), "usage-" + Guid.NewGuid().ToString("N") + ".csv");
        await download.SaveAsAsync(path);
        var lines = (await File.ReadAllTextAsync(path)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        File.Delete(path);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(periods, rows.Select(r => r[Array.IndexOf(header, "period_start")]));
        Assert.All(rows, r => Assert.Equal("acme", r[0]));
        var csvSpans = rows.Select(r => double.Parse(r[Array.IndexOf(header, "spans")], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(shownSpans.SkipLast(1), csvSpans.SkipLast(1));
        Assert.True(csvSpans[^1] >= shownSpans[^1], "the open hour only grows");

        var axe = await Page.RunAxe();
        var blocking = axe.Violations.Where(v => BlockingImpacts.Contains(v.Impact)).ToList();
        Assert.True(blocking.Count == 0, "axe on /usage: " + string.Join("; ", blocking.Select(v => $"[{v.Impact}] {v.Id}: {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}")));

        // Editing the URL to globex: refused, nothing of globex rendered.
        await Page.GotoAsync("/usage?tenant=globex&view=week");
        await Expect(Page.Locator("[data-testid=usage-refused]")).ToContainTextAsync("your own tenant only");
        await Expect(Page.Locator("[data-testid=usage-table]")).ToHaveCountAsync(0);
        await ExpectNoOtherTenantAsync("/usage?tenant=globex");

        // No other tenant in pickers or search results: traces, logs, the business dashboard (tenant variable).
        await Page.GotoAsync("/traces");
        await Expect(Page.Locator("[data-testid=field-tenant]")).ToHaveCountAsync(0);
        await Expect(Page.Locator("[data-testid=trace-row]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await ExpectNoOtherTenantAsync("/traces");

        await Page.GotoAsync("/logs?range=1h");
        await Expect(Page.Locator("[data-testid=log-row]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await ExpectNoOtherTenantAsync("/logs");

        await Page.GotoAsync("/business");
        var tenantPicker = Page.Locator("[data-testid=variable-tenant]");
        await Expect(tenantPicker).ToBeVisibleAsync();
        if (await tenantPicker.Locator("input:not([disabled])").CountAsync() > 0)
        {
            await tenantPicker.ClickAsync();
            await Expect(Page.Locator(".mud-popover-open .mud-list-item").First).ToBeVisibleAsync();
        }

        await ExpectNoOtherTenantAsync("/business (tenant picker)");
    }

    private async Task ExpectNoOtherTenantAsync(string where)
    {
        var text = await Page.Locator("body").InnerTextAsync();
        var seen = OtherTenants.Where(t => text.Contains(t, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(seen.Count == 0, $"{where} shows other tenants to acme's admin: {string.Join(", ", seen)}");
    }

    private static double Number(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.GetCultureInfo("en-US"), out var value) ? value : 0;
}
