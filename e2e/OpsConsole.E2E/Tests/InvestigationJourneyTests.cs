using System.Globalization;
using System.Text;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

/// <summary>
/// How an on-call engineer finds out why: from a firing alert to the traces of its window, to the slow trace, to that
/// trace's logs, and on to the live tail — every step through links and the search form, as a person would.
/// </summary>
public sealed class InvestigationJourneyTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    /// <summary>The Development keys, as in the README: ingest (tenant acme) and admin.</summary>
    private const string IngestKey = "oc_demoingt_DevelopmentOnlyIngestKeyForTheDemoTenants";
    private const string AdminKey = "oc_demoadmn_DevelopmentOnlyAdminKeyNeverValidInProduction";

    private static string Hex(int n, int digits) => n.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private async Task PostAsync(string key, string path, string json)
    {
        using var http = new HttpClient { BaseAddress = Fixture.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private Task LogAsync(string service, string traceId, string level, string message) =>
        PostAsync(IngestKey, "/api/v1/monitoring/logs",
            $"{{\"logs\":[{{\"message\":\"{message}\",\"service\":\"{service}\",\"level\":\"{level}\",\"traceId\":\"{traceId}\",\"timestamp\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}]}}");

    [Fact]
    public async Task Operator_GoesFromAnAlertToTheSlowTraceToItsLogsAndTailsThem()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var service = "checkout-" + marker;
        var now = DateTimeOffset.UtcNow;

        // Six requests of one service in the last minute; one of them took 2.6 s.
        var seed = int.Parse(marker[..6], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var traces = Enumerable.Range(0, 6).Select(i => Hex(seed, 8) + Hex(i + 1, 24)).ToList();
        var slow = traces[3];
        var spans = traces.Select((t, i) =>
        {
            var start = now.AddSeconds(-50 + (i * 5)).ToUnixTimeMilliseconds();
            var duration = t == slow ? 2_600 : 80 + (i * 20);
            return $"{{\"traceId\":\"{t}\",\"spanId\":\"{Hex(i + 1, 16)}\",\"name\":\"POST /checkout\",\"service\":\"{service}\",\"kind\":\"server\",\"startTime\":{start},\"durationMs\":{duration}}}," +
                   $"{{\"traceId\":\"{t}\",\"spanId\":\"{Hex(i + 101, 16)}\",\"parentSpanId\":\"{Hex(i + 1, 16)}\",\"name\":\"charge card\",\"service\":\"{service}\",\"kind\":\"client\",\"startTime\":{start + 5},\"durationMs\":{duration - 10}}}";
        });
        await PostAsync(IngestKey, "/api/v1/monitoring/traces", $"{{\"spans\":[{string.Join(",", spans)}]}}");
        await LogAsync(service, slow, "warn", $"{marker} card processor answered after 2.5 s");
        await LogAsync(service, traces[0], "info", $"{marker} charged quickly");

        // The alert an operator is paged for (as Prometheus would post it).
        var alertName = "CheckoutSlow" + marker;
        await PostAsync(AdminKey, "/api/v2/alerts",
            $"[{{\"labels\":{{\"alertname\":\"{alertName}\",\"service\":\"{service}\",\"severity\":\"critical\"}},\"annotations\":{{\"summary\":\"checkout p95 over 2 s\"}},\"startsAt\":\"{now.AddMinutes(-1):O}\"}}]");

        await SignInAsync(DemoUsers.Operator);
        await Page.GotoAsync("/alerts");
        await Shell.WaitUntilInteractiveAsync();
        var row = Page.Locator("[data-testid=alert-row]").Filter(new() { HasText = alertName });
        await Expect(row).ToHaveCountAsync(1);
        await row.GetByTestId("alert-name").ClickAsync();

        // Alert → the traces of its window, for its service.
        await Page.GetByTestId("detail-links").GetByTestId("link-traces").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/traces\\?service={service}&from="));
        var results = Page.Locator("[data-testid=trace-results] [data-testid=trace-row]");
        await Expect(results).ToHaveCountAsync(6);
        await Expect(Page.Locator("[data-testid=trace-scatter] [data-testid=scatter-dot]")).ToHaveCountAsync(6);

        // Finds the slow one: at least 2 s.
        await Page.Locator("input[data-testid=field-min]").FillAsync("2s");
        await Page.GetByTestId("search-button").ClickAsync();
        await Expect(results).ToHaveCountAsync(1);
        await Expect(results.First).ToHaveAttributeAsync("data-trace", slow);
        await results.First.GetByTestId("trace-link").ClickAsync();

        // The trace: its two spans, then its logs.
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/traces/{slow}$"));
        await Expect(Page.GetByTestId("waterfall-count")).ToContainTextAsync("2");
        await Page.GetByTestId("trace-logs-link").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/logs\\?q=trace_id%3A{slow}"));
        var lines = Page.Locator("[data-testid=log-results] [data-testid=log-message]");
        await Expect(lines).ToHaveTextAsync([$"{marker} card processor answered after 2.5 s"]);

        // Live tail: a new line of this trace arrives without a reload; another trace's line does not.
        await Page.Locator("input[data-testid=live-tail-switch]").ClickAsync();
        await Expect(Page.Locator("[data-testid=tail-waiting]")).ToBeVisibleAsync();
        await LogAsync(service, traces[1], "info", $"{marker} another request");
        await LogAsync(service, slow, "error", $"{marker} retry of the charge failed");
        await Expect(Page.Locator("[data-testid=tail-lines] [data-testid=log-message]")).ToHaveTextAsync([$"{marker} retry of the charge failed"]);
        await SaveScreenshotAsync("investigation-live-tail");

        Assert.True(BrowserErrors.Count == 0, Diagnostics());
    }
}
