using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using OpsConsole.Benchmarks.Circuits;
using OpsConsole.Web.Seeding;
using static OpsConsole.Benchmarks.BenchTools;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The Alerts triage screen with 10,000 active alerts, in Debian's Chromium against the real console in its own
/// process (published in Release, Development so the demo accounts exist, demo workload off):
/// <c>dotnet run -c Release --project tests/Benchmarks -- triage [--alerts 10000] [--rounds 10]</c>.
/// Measures, per round, the time from navigation to the first rendered rows of a live circuit (with the Firing count
/// showing every alert), and the time from posting one new critical alert through the Alertmanager API to its row on
/// screen (no reload). Prints p50/p95/max, the machine and its load; never run by the test suite.
/// </summary>
public static class TriageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var alerts = Option(args, "--alerts", 10_000);
        var rounds = Option(args, "--rounds", 10);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        var published = Path.Combine(Path.GetTempPath(), "opsconsole-triage-publish");
        Console.WriteLine($"Publishing the console (Release) to {published} …");
        if (!await ConsoleProcess.PublishAsync(published))
        {
            Console.Error.WriteLine("dotnet publish failed.");
            return 2;
        }

        await using var console = await ConsoleProcess.StartAsync(published, demo: false);
        var baseAddress = console.BaseAddress;
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", DemoAccounts.AdminKey);

        var load = Stopwatch.StartNew();
        var until = DateTimeOffset.UtcNow.AddHours(2); // posted alerts stay active for the whole run (no resolve timeout)
        for (var start = 0; start < alerts; start += 500)
        {
            var batch = Enumerable.Range(start, Math.Min(500, alerts - start)).Select(i =>
                $"{{\"labels\":{{\"alertname\":\"BenchAlert{i % 50}\",\"service\":\"svc-{i % 40}\",\"instance\":\"i-{i}\",\"severity\":\"{(i % 10 == 0 ? "critical" : "warning")}\"}}," +
                $"\"annotations\":{{\"summary\":\"bench alert {i}\"}},\"startsAt\":\"{DateTimeOffset.UtcNow.AddMinutes(-30).AddSeconds(i % 1_000):O}\",\"endsAt\":\"{until:O}\"}}");
            await PostAsync(http, "[" + string.Join(",", batch) + "]");
        }

        Console.WriteLine($"{alerts:N0} alerts posted in {load.Elapsed.TotalSeconds:F1} s");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OPSCONSOLE_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        await page.GotoAsync("/account/login");
        await page.Locator("#username").FillAsync("operator");
        await page.Locator("#password").FillAsync("opsconsole-demo");
        await page.GetByTestId("login-submit").ClickAsync();
        await page.Locator(".mud-layout[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        var firstRender = new List<double>();
        var update = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync("/alerts");
            await page.Locator(".mud-layout[data-interactive='true'] [data-testid=alert-row]").First.WaitForAsync();
            await Assertions.Expect(page.GetByTestId("count-firing")).ToHaveTextAsync((alerts + round).ToString(CultureInfo.InvariantCulture), new() { Timeout = 120_000 });
            firstRender.Add(clock.Elapsed.TotalMilliseconds);

            var name = $"BenchNew{round}";
            clock.Restart();
            await PostAsync(http, $"[{{\"labels\":{{\"alertname\":\"{name}\",\"service\":\"svc-new\",\"severity\":\"critical\"}},\"startsAt\":\"{DateTimeOffset.UtcNow:O}\",\"endsAt\":\"{until:O}\"}}]");
            await page.Locator("[data-testid=alert-row] [data-testid=alert-name]").GetByText(name, new() { Exact = true }).WaitForAsync();
            update.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine($"round {round + 1}: first render {firstRender[^1]:F0} ms, new alert on screen {update[^1]:F0} ms");
        }

        Console.WriteLine();
        Console.WriteLine($"| measure ({alerts:N0} active alerts, {rounds} rounds) | p50 | p95 | max |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(Row("navigation → rows of a live circuit, all counted", firstRender));
        Console.WriteLine(Row("new critical alert posted → its row on screen", update));
        Console.WriteLine($"console process: peak RSS {PeakRssMb(console.Pid):N0} MB; load average after {LoadAverage()}");
        return 0;
    }

    private static string Row(string name, List<double> values) =>
        $"| {name} | {Percentile(values, 0.5):F0} ms | {Percentile(values, 0.95):F0} ms | {values.Max():F0} ms |";

    private static async Task PostAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync("/api/v2/alerts", new StringContent(json, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v2/alerts answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static long PeakRssMb(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return status is null ? 0 : long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
