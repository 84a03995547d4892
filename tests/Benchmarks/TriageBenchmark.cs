using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;
using OpsConsole.Web.Seeding;
using static OpsConsole.Benchmarks.BenchTools;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The Alerts triage screen with 10,000 active alerts, in Debian's Chromium against the real console in its own
/// process (Release build, Development so the demo accounts exist, demo workload off):
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
        var repoRoot = FindRepoRoot();
        var dll = Path.Combine(repoRoot, "src", "OpsConsole.Web", "bin", "Release", "net10.0", "OpsConsole.Web.dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"{dll} is missing: run this with -c Release (it builds the console).");
            return 2;
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        var data = Directory.CreateTempSubdirectory("opsconsole-triage-bench-").FullName;
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        using var console = StartConsole(repoRoot, dll, baseAddress, data);
        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", DemoAccounts.AdminKey);
            await WaitReadyAsync(http, console);

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
            Console.WriteLine($"console process: peak RSS {PeakRssMb(console):N0} MB; load average after {LoadAverage()}");
            return 0;
        }
        finally
        {
            if (!console.HasExited)
            {
                console.Kill(entireProcessTree: true);
                await console.WaitForExitAsync();
            }

            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
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

    private static Process StartConsole(string repoRoot, string dll, Uri baseAddress, string data)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repoRoot, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Kestrel__Endpoints__Http__Url"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["Kestrel__Endpoints__OtlpGrpc__Url"] = "http://127.0.0.1:0";
        start.Environment["Kestrel__Endpoints__OtlpHttp__Url"] = "http://127.0.0.1:0";
        start.Environment["Demo__Enabled"] = "false";
        start.Environment["Storage__Provider"] = "Sqlite";
        start.Environment["Storage__ConnectionString"] = $"Data Source={Path.Combine(data, "bench.db")}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the console");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("[console] " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process console)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (console.HasExited)
            {
                throw new InvalidOperationException($"the console exited with code {console.ExitCode}");
            }

            try
            {
                using var ready = await http.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("the console was not ready within 3 minutes");
    }

    private static long PeakRssMb(Process process)
    {
        var status = File.ReadAllLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return status is null ? 0 : long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (OpsConsole.sln) above " + AppContext.BaseDirectory);
    }
}
