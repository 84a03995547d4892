using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OpsConsole.E2E.Infrastructure;
using OpsConsole.E2E.Pages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.E2E.Tests;

/// <summary>
/// Issue 5's on-call journey in Chromium: alerts posted while the triage page is open appear without a reload; the
/// operator acknowledges one with a comment and silences another for an hour from the matcher preview; after a reload
/// both states are still there; an executive sees the alerts without an acknowledge button and gets 403 from the API.
/// </summary>
public sealed class AlertsJourneyTests(ConsoleFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    /// <summary>The Development admin API key (src/OpsConsole.Web/Seeding/Seeders.cs), as a Prometheus would post with.</summary>
    private const string AdminKey = "oc_demoadmn_DevelopmentOnlyAdminKeyNeverValidInProduction";

    /// <summary>Posts one alert to the Alertmanager API, as Prometheus does.</summary>
    private async Task PostAlertAsync(string name, string severity, string marker)
    {
        using var http = new HttpClient { BaseAddress = Fixture.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var body = JsonSerializer.Serialize(new[]
        {
            new
            {
                labels = new Dictionary<string, string> { ["alertname"] = name, ["severity"] = severity, ["service"] = "rag-service", ["journey"] = marker },
                annotations = new Dictionary<string, string> { ["summary"] = name + " summary" },
            },
        });
        using var response = await http.PostAsync("/api/v2/alerts", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The input of a MudBlazor field carrying a test id (on the input itself or its wrapper).</summary>
    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], textarea[data-testid={testId}], [data-testid={testId}] input, [data-testid={testId}] textarea").First;

    private static ILocator Row(IPage page, string name) =>
        page.Locator("[data-testid=alert-row]").Filter(new() { Has = page.Locator("[data-testid=alert-name]", new() { HasTextString = name }) });

    private static async Task OpenAlertsAsync(IPage page, string marker)
    {
        await page.GotoAsync("/alerts");
        await new ShellPage(page).WaitUntilInteractiveAsync();
        await Expect(page.GetByTestId("alerts-page")).ToBeVisibleAsync();
        await Field(page, "filter-text").FillAsync(marker); // only this test's alerts (the console is shared)
    }

    [Fact]
    public async Task Triage_OperatorSeesAlertsLiveAcknowledgesAndSilences_StatesSurviveAReload_ExecutiveCannotAcknowledge()
    {
        var marker = "j" + Guid.NewGuid().ToString("N")[..10];
        var critical = "E2eDatabaseDown" + marker;
        var noisy = "E2eDiskWarning" + marker;
        await SignInAsync(DemoUsers.Operator);
        await OpenAlertsAsync(Page, marker);
        await Expect(Page.GetByTestId("alerts-empty")).ToBeVisibleAsync();

        // Alerts posted while the page is open appear on the Firing tab by themselves.
        await PostAlertAsync(critical, "critical", marker);
        await Expect(Row(Page, critical)).ToBeVisibleAsync();
        await Expect(Row(Page, critical).GetByTestId("severity")).ToHaveTextAsync("critical");
        await PostAlertAsync(noisy, "warning", marker);
        await Expect(Row(Page, noisy)).ToBeVisibleAsync();
        var criticalId = await Row(Page, critical).GetAttributeAsync("data-id");
        var noisyId = await Row(Page, noisy).GetAttributeAsync("data-id");
        Assert.False(string.IsNullOrEmpty(criticalId) || string.IsNullOrEmpty(noisyId));

        // Acknowledge the critical one with a comment: it leaves Firing for Acknowledged.
        await Row(Page, critical).GetByTestId("ack").ClickAsync();
        await Expect(Page.GetByTestId("ack-dialog")).ToBeVisibleAsync();
        await Field(Page, "ack-comment").FillAsync("failing over the primary " + marker);
        await Page.GetByTestId("ack-confirm").ClickAsync();
        await Expect(Row(Page, critical)).ToHaveCountAsync(0);

        // Silence the other for an hour: the dialog previews exactly the alert its matchers catch.
        await Row(Page, noisy).GetByTestId("silence").ClickAsync();
        await Expect(Page.GetByTestId("silence-dialog")).ToBeVisibleAsync();
        await Expect(Field(Page, "silence-duration")).ToHaveValueAsync("1h");
        await Expect(Page.GetByTestId("silence-preview-count")).ToHaveTextAsync("Would silence 1 active alert(s)");
        await Expect(Page.GetByTestId("silence-preview-item")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("silence-preview-item")).ToContainTextAsync(noisy);
        await Field(Page, "silence-comment").FillAsync("disk cleanup scheduled " + marker);
        await Page.GetByTestId("silence-confirm").ClickAsync();
        await Expect(Page.GetByTestId("silence-dialog")).ToHaveCountAsync(0);
        await Expect(Row(Page, noisy)).ToHaveCountAsync(0);

        // A reload (nothing restarted) shows both states as they were left.
        await Page.ReloadAsync();
        await Shell.WaitUntilInteractiveAsync();
        await Field(Page, "filter-text").FillAsync(marker);
        await Expect(Page.GetByTestId("alerts-empty")).ToBeVisibleAsync(); // nothing of ours is firing unattended
        await Page.GetByTestId("tab-acknowledged").ClickAsync();
        await Expect(Row(Page, critical)).ToContainTextAsync("acked by operator");
        await Page.GetByTestId("tab-suppressed").ClickAsync();
        await Expect(Row(Page, noisy)).ToContainTextAsync("silenced");
        var detail = await Context.APIRequest.GetAsync($"/api/v1/monitoring/alerts/{criticalId}");
        Assert.Equal(200, detail.Status);
        using (var json = JsonDocument.Parse(await detail.TextAsync()))
        {
            var ack = json.RootElement.GetProperty("acknowledgement");
            Assert.Equal(("operator", "failing over the primary " + marker), (ack.GetProperty("by").GetString(), ack.GetProperty("comment").GetString()));
        }

        await SaveScreenshotAsync("alerts-triage");

        // An executive sees the alerts but no acknowledge button, and the API refuses the action.
        await using var executive = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Fixture.Server.BaseAddress.ToString() });
        var page = await executive.NewPageAsync();
        var login = new LoginPage(page);
        await login.OpenAsync();
        await login.SignInAsync(DemoUsers.Executive, DemoUsers.Password);
        await new ShellPage(page).WaitUntilInteractiveAsync();
        await OpenAlertsAsync(page, marker);
        await page.GetByTestId("tab-suppressed").ClickAsync();
        await Expect(Row(page, noisy)).ToBeVisibleAsync();
        await Expect(page.GetByTestId("ack")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("bulk-actions")).ToHaveCountAsync(0);
        var refused = await executive.APIRequest.PatchAsync($"/api/v1/monitoring/alerts/{noisyId}", new() { DataObject = new { action = "acknowledge", comment = "not mine" } });
        Assert.Equal(403, refused.Status);
        var still = await Context.APIRequest.GetAsync($"/api/v1/monitoring/alerts/{noisyId}");
        using (var json = JsonDocument.Parse(await still.TextAsync()))
        {
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("acknowledgement").ValueKind); // the refusal changed nothing
        }

        Assert.True(BrowserErrors.Count == 0, Diagnostics());
    }
}
