using System.Text;
using OpsConsole.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

public sealed class LogsTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    /// <summary>The Development ingest key (tenant acme), as in the README.</summary>
    private const string IngestKey = "oc_demoingt_DevelopmentOnlyIngestKeyForTheDemoTenants";

    private async Task IngestAsync(params (string Level, string Service, string Message)[] lines)
    {
        using var http = new HttpClient { BaseAddress = Fixture.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", IngestKey);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var logs = string.Join(",", lines.Select((l, i) =>
            $"{{\"message\":\"{l.Message}\",\"service\":\"{l.Service}\",\"level\":\"{l.Level}\",\"timestamp\":{now - 1000 + i},\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e473{i % 10}\",\"attributes\":{{\"http.route\":\"/api/chat\"}}}}"));
        using var response = await http.PostAsync("/api/v1/monitoring/logs", new StringContent($"{{\"logs\":[{logs}]}}", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_OperatorSearchesExpandsALineAndTailsNewOnes()
    {
        var marker = "e2e" + Guid.NewGuid().ToString("N")[..8];
        await IngestAsync(("error", "rag-service", $"{marker} upstream timeout calling llm"), ("info", "rag-service", $"{marker} query served"),
            ("warn", "api-gateway", $"{marker} slow upstream"));
        await SignInAsync(DemoUsers.Operator);

        await Page.GotoAsync($"/logs?q={marker}%20level:%3E%3Dwarn&range=1h");
        await Shell.WaitUntilInteractiveAsync();
        var rows = Page.Locator("[data-testid=log-results] [data-testid=log-row]");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First.Locator("[data-testid=log-message]")).ToHaveTextAsync($"{marker} slow upstream");
        await Expect(Page.Locator("[data-testid=log-histogram] [data-testid=histogram-bar]").First).ToBeVisibleAsync();

        // Expanding a line shows its fields; choosing the service value narrows the query (and the URL).
        await rows.Nth(1).Locator("button.oc-log-line").ClickAsync();
        await Expect(Page.Locator("[data-testid=log-trace-link]")).ToHaveAttributeAsync("href", "/traces/4bf92f3577b34da6a3ce929d0e0e4730");
        await Page.Locator("[data-field=service] button").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("service%3Arag-service"));
        await Expect(rows).ToHaveCountAsync(1);
        await SaveScreenshotAsync("logs");

        // Live tail: new matching lines arrive without a reload.
        await Page.Locator("input[data-testid=live-tail-switch]").ClickAsync();
        await Expect(Page.Locator("[data-testid=tail-waiting]")).ToBeVisibleAsync();
        await IngestAsync(("error", "rag-service", $"{marker} live failure"), ("info", "rag-service", $"{marker} live but info"));
        var tail = Page.Locator("[data-testid=tail-lines] [data-testid=log-message]");
        await Expect(tail).ToHaveTextAsync([$"{marker} live failure"]);

        Assert.True(BrowserErrors.Count == 0, Diagnostics());
    }
}
