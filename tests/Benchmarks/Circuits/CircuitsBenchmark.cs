using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace OpsConsole.Benchmarks.Circuits;

/// <summary>
/// Many signed-in circuits on one live dashboard (issue 6, point 9), by hand:
/// <c>dotnet run -c Release --project tests/Benchmarks -- circuits [--count 100] [--seconds 60] [--warmup 45]
/// [--warm-circuits 5] [--path /executive] [--published DIR]</c>. Publishes the console in Release (unless <c>--published</c> names a
/// publish output), starts it as its own process with the demo workload and SQLite in a temporary directory, signs in
/// as the demo executive, measures the console with no circuit, opens <c>--count</c> circuits concurrently with
/// <see cref="CircuitClient"/>, waits until every one has received its first live point, then over a steady window
/// reports the console's CPU (% of one core), resident memory per circuit ((RSS with N − RSS with 0) / N), the
/// ingest→screen delay p50/p95 of every chart append received, and the circuits that failed.
/// </summary>
public static partial class CircuitsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        int IntArg(string name, int fallback)
        {
            var text = Arg(name, fallback.ToString(CultureInfo.InvariantCulture));
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw new ArgumentException($"--{name} must be a whole number ≥ 0, not '{text}'.");
        }

        var count = IntArg("count", 100);
        var seconds = Math.Max(10, IntArg("seconds", 60));
        var warmup = IntArg("warmup", 45);
        var warmCircuits = IntArg("warm-circuits", 5);
        var path = Arg("path", "/executive");
        var published = Arg("published", "");

        if (published.Length == 0)
        {
            published = Path.Combine(Path.GetTempPath(), "opsconsole-circuits-publish");
            Console.WriteLine($"Publishing the console (Release) to {published} …");
            if (!await ConsoleProcess.PublishAsync(published))
            {
                return 2;
            }
        }

        await using var console = await ConsoleProcess.StartAsync(Path.GetFullPath(published));
        Console.WriteLine($"Console pid {console.Pid} at {console.BaseAddress}; demo workload on, SQLite.");
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false, MaxConnectionsPerServer = 16 })
        {
            BaseAddress = console.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        await SignInAsync(http, "exec", "opsconsole-demo");

        Console.WriteLine($"Warm-up: {warmup} s of demo data …");
        await Task.Delay(TimeSpan.FromSeconds(warmup));
        var idleCpu = await CpuOverAsync(console, TimeSpan.FromSeconds(15));
        var none = await SettledMemoryAsync(console, http);
        Console.WriteLine($"No circuits: CPU {idleCpu:0.0}% of one core, {none} (after a full GC)");

        var clients = Enumerable.Range(0, count).Select(_ => new CircuitClient(console.BaseAddress, cookies)).ToList();
        var opening = Stopwatch.StartNew();

        // A few circuits first, so the code and caches every circuit uses (JIT, MudBlazor, SignalR) are loaded before
        // the marginal memory per circuit is measured; the brief's figure (from no circuits) includes them.
        var warm = Math.Min(count, warmCircuits);
        await OpenAsync(clients[..warm], http, path);
        var warmed = warm > 0 && warm < count ? await SettledMemoryAsync(console, http) : none;
        await OpenAsync(clients[warm..], http, path);
        var liveCount = clients.Count(c => c.FirstAppend.IsCompletedSuccessfully);
        Console.WriteLine($"{count} circuits opened in {opening.Elapsed.TotalSeconds:0.0} s; {liveCount} receiving live points.");

        await Task.Delay(TimeSpan.FromSeconds(10)); // the first full evaluations are over
        var all = await SettledMemoryAsync(console, http);
        var open = await console.MetricAsync(http, "opsconsole_blazor_circuits_active");
        Console.WriteLine($"{count} circuits: {all} (after a full GC); the console counts {open} open circuits");

        Console.WriteLine($"Steady window: {seconds} s …");
        var fromMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var cpu = await CpuOverAsync(console, TimeSpan.FromSeconds(seconds));
        var toMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rssEnd = console.Rss().Rss;
        var load = File.ReadAllText("/proc/loadavg").Trim();

        var delays = clients.SelectMany(c => c.DelaysSince(fromMs, toMs)).Order().ToArray();
        var failed = clients.Where(c => c.Failure is not null || c.AppendsSince(fromMs, toMs) == 0).ToList();
        double Percentile(double q) => delays.Length == 0 ? double.NaN : delays[Math.Min(delays.Length - 1, (int)(q * delays.Length))];

        Console.WriteLine();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {load}");
        Console.WriteLine($"circuits: {count} on {path}, failed {failed.Count}");
        foreach (var reason in failed.GroupBy(c => c.Failure ?? "no live point in the window").Take(5))
        {
            Console.WriteLine($"  {reason.Count()} x {reason.Key}");
        }

        Console.WriteLine($"server CPU: {cpu:0.0}% of one core with {count} circuits ({idleCpu:0.0}% with none), over {seconds} s");
        if (count > 0)
        {
            Console.WriteLine($"server memory per circuit (after a full GC, from none to {count}): {all.PerCircuit(none, count)} (RSS {Mb(rssEnd):0.0} MB at the end of the window, before GC)");
        }

        if (warm > 0 && warm < count)
        {
            Console.WriteLine($"marginal, from {warm} warm circuits to {count}: {all.PerCircuit(warmed, count - warm)}");
        }

        Console.WriteLine($"ingest→screen delay over {delays.Length} chart appends: p50 {Percentile(0.5):0} ms, p95 {Percentile(0.95):0} ms, max {(delays.Length == 0 ? double.NaN : delays[^1]):0} ms");
        Console.WriteLine($"JS interop calls answered: {CircuitClient.Describe(clients.SelectMany(c => c.Calls).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Sum(c => c.Value)))}");
        Console.WriteLine($"render batches acknowledged: {clients.Sum(c => c.RenderBatches):N0}");

        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }

        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>Starts <paramref name="clients"/> (8 page loads at a time) and waits up to 90 s for each one's first live point.</summary>
    private static async Task OpenAsync(List<CircuitClient> clients, HttpClient http, string path)
    {
        using (var gate = new SemaphoreSlim(8))
        {
            await Task.WhenAll(clients.Select(async c =>
            {
                await gate.WaitAsync();
                try
                {
                    await c.StartAsync(http, path, CancellationToken.None);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAny(Task.WhenAll(clients.Select(c => c.FirstAppend)), Task.Delay(TimeSpan.FromSeconds(90)));
    }

    private static double Mb(double bytes) => bytes / (1024 * 1024);

    /// <summary>The console's CPU use over <paramref name="window"/>, in % of one core.</summary>
    private static async Task<double> CpuOverAsync(ConsoleProcess console, TimeSpan window)
    {
        var cpu0 = console.CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return 100 * (console.CpuTime() - cpu0).TotalSeconds / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Resident set and managed heap (prometheus-net's <c>dotnet_total_memory_bytes</c>) right after a full GC in the
    /// console, then the median RSS of five samples a second apart (what the GC hands back to the OS comes back slowly).
    /// </summary>
    private static async Task<Memory> SettledMemoryAsync(ConsoleProcess console, HttpClient http)
    {
        await console.CollectGarbageAsync();
        var heap = (long)(await console.MetricAsync(http, "dotnet_total_memory_bytes") ?? 0);
        var samples = new List<(long Rss, long Anonymous)>();
        for (var i = 0; i < 5; i++)
        {
            samples.Add(console.Rss());
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return new Memory(samples.Select(s => s.Rss).Order().ElementAt(2), samples.Select(s => s.Anonymous).Order().ElementAt(2), heap);
    }

    private readonly record struct Memory(long Rss, long Anonymous, long Heap)
    {
        public override string ToString() => $"RSS {Mb(Rss):0.0} MB (anonymous {Mb(Anonymous):0.0} MB), managed heap {Mb(Heap):0.0} MB";

        /// <summary>Per circuit, from <paramref name="before"/> to this with <paramref name="circuits"/> more.</summary>
        public string PerCircuit(Memory before, int circuits) =>
            $"RSS {Mb((Rss - before.Rss) / (double)circuits):0.00} MB, anonymous RSS {Mb((Anonymous - before.Anonymous) / (double)circuits):0.00} MB, managed heap {Mb((Heap - before.Heap) / (double)circuits):0.00} MB";
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task SignInAsync(HttpClient http, string user, string password)
    {
        var page = await http.GetStringAsync("account/login");
        var token = AntiforgeryField().Match(page) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException("No antiforgery token on the sign-in page.");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        });
        using var response = await http.PostAsync("account/login", form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {user} failed: {(int)response.StatusCode}.");
        }
    }
}
