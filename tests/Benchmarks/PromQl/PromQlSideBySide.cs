using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.PrometheusHarness;
using OpsConsole.Web.Seeding;

namespace OpsConsole.Benchmarks.PromQl;

/// <summary>One benchmark query: an instant query at <see cref="StartMs"/> when <see cref="StepMs"/> is 0, else a range query.</summary>
public sealed record BenchQuery(string Name, string Query, long StartMs, long EndMs, long StepMs, int? ExpectedSeries)
{
    public bool IsRange => StepMs > 0;

    public bool Ordered => !IsRange && Query.StartsWith("topk", StringComparison.Ordinal);

    public string Url
    {
        get
        {
            var q = Uri.EscapeDataString(Query);
            return IsRange
                ? $"api/v1/query_range?query={q}&start={Seconds(StartMs)}&end={Seconds(EndMs)}&step={Seconds(StepMs)}"
                : $"api/v1/query?query={q}&time={Seconds(StartMs)}";
        }
    }

    private static string Seconds(long ms) => (ms / 1000m).ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// Issue 4's PromQL benchmarks side by side with a real Prometheus (run by hand, never in the test suite):
/// <c>dotnet run -c Release --project tests/Benchmarks -- promql [--iterations 30] [--warmup 3] [--only name]
/// [--cache dir] [--fresh] [--serve minutes]</c>.
/// <list type="number">
/// <item>Generates <see cref="PromQlBenchData"/> as OpenMetrics, turns it into one 6-hour TSDB block with promtool
/// (kept in the cache directory, so later runs start in seconds; <c>--fresh</c> rebuilds it) and starts Prometheus
/// (Debian's 2.42) on it on a loopback port.</item>
/// <item>Starts the real console on Kestrel on a loopback port in this process (server GC, as the console runs) and
/// appends the same samples to its series store.</item>
/// <item>Runs each query through both HTTP APIs with one HttpClient (GET, no compression, a kept-alive connection),
/// first checking the two answers agree (same series, values within 1e-9 relative: the benchmark cannot be fast by
/// being wrong), then warm-up rounds, then N timed rounds alternating which system goes first. A request's time runs
/// from sending it to having read the whole body; parsing the answer is not timed. It also times the console's engine
/// called in-process over the same store (no HTTP, no JSON), to show where the time goes.</item>
/// </list>
/// Prints p50 and p99 per query and system, and the OpsConsole/Prometheus ratio, as a Markdown table.
/// </summary>
public static class PromQlSideBySide
{
    private const string Tenant = "default";

    public static IReadOnlyList<BenchQuery> Queries { get; } =
    [
        new("sum by (service) (rate) · 1 h range, 15 s step",
            "sum by (service) (rate(http_requests_total[5m]))",
            PromQlBenchData.EndMs - 3_600_000, PromQlBenchData.EndMs, 15_000, PromQlBenchData.Services.Length),
        new("histogram_quantile over 1,000 histograms · 1 h range, 15 s step",
            "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
            PromQlBenchData.EndMs - 3_600_000, PromQlBenchData.EndMs, 15_000, PromQlBenchData.Services.Length),
        new("instant selector, 500 series",
            "http_requests_total{service=\"checkout\"}",
            PromQlBenchData.EndMs, PromQlBenchData.EndMs, 0, PromQlBenchData.Endpoints.Length * PromQlBenchData.Statuses.Length),
        new("topk(5) of 5xx rates by endpoint · 6 h range, 60 s step",
            "topk(5, sum by (endpoint) (rate(http_requests_total{status=~\"5..\"}[5m])))",
            PromQlBenchData.StartMs, PromQlBenchData.EndMs, 60_000, null),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

        // The console runs with server GC (the web SDK's default); a plain console app does not, so re-run with it.
        if (!GCSettings.IsServerGC && Environment.GetEnvironmentVariable("DOTNET_gcServer") is null)
        {
            return await RerunWithServerGcAsync(args);
        }

        // Ctrl-C or SIGTERM ends the run through the normal path, so Prometheus and the console are stopped.
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        var iterations = int.Parse(Arg("iterations", "30"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(Arg("warmup", "3"), CultureInfo.InvariantCulture);
        var only = Arg("only", "");
        var cache = Arg("cache", Path.Combine(Path.GetTempPath(), $"opsconsole-promql-bench-v{PromQlBenchData.Version}"));
        var queries = Queries.Where(q => only.Length == 0 || q.Name.Contains(only, StringComparison.OrdinalIgnoreCase) || q.Query.Contains(only, StringComparison.OrdinalIgnoreCase)).ToList();
        if (queries.Count == 0)
        {
            await Console.Error.WriteLineAsync($"no query matches --only \"{only}\"");
            return 2;
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average before: {LoadAverage()}; server GC: {GCSettings.IsServerGC}");
        var data = await PrometheusBlocksAsync(cache, args.Contains("--fresh"));

        await using var prometheus = await PrometheusServer.StartAsync(data);
        Console.WriteLine($"{prometheus} ready");

        using var console = new BenchConsole();
        console.StartServer();
        var store = console.Services.GetRequiredService<TelemetryStores>().Series;
        var load = Stopwatch.StartNew();
        long samples = 0;
        foreach (var series in PromQlBenchData.Series())
        {
            var labels = LabelSet.From([KeyValuePair.Create(LabelSet.MetricName, series.Name), .. series.Labels]);
            for (var k = 0; k < series.Values.Length; k++)
            {
                if (store.Append(Tenant, labels, PromQlBenchData.TimeOf(k), series.Values[k]).Appended != 1)
                {
                    throw new InvalidOperationException($"the console did not take {labels} at sample {k}");
                }
            }

            samples += series.Values.Length;
        }

        if (store.CompleteFromMs > PromQlBenchData.StartMs)
        {
            throw new InvalidOperationException($"the console's hot store covers only from {DateTimeOffset.FromUnixTimeMilliseconds(store.CompleteFromMs):O}, after the data set's start");
        }

        GC.Collect();
        Console.WriteLine($"console at {console.BaseAddress}: {samples:N0} samples in {store.SeriesCount:N0} series loaded in {load.Elapsed.TotalSeconds:F0} s; managed heap {GC.GetTotalMemory(false) / (1 << 20):N0} MB");

        // --serve N: keep both up for N minutes to query them by hand (e.g. with curl) instead of benchmarking.
        if (int.TryParse(Arg("serve", "0"), CultureInfo.InvariantCulture, out var serveMinutes) && serveMinutes > 0)
        {
            Console.WriteLine($"serving for {serveMinutes} min: Prometheus {prometheus.BaseAddress}, OpsConsole {console.BaseAddress} (Authorization: Bearer {DemoAccounts.AdminKey})");
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(serveMinutes), stop.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("stopping");
            }

            return 0;
        }

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromHours(1) }) { Timeout = TimeSpan.FromMinutes(5) };
        var systems = new[]
        {
            new TimedSystem("Prometheus 2.42", prometheus.BaseAddress, null),
            new TimedSystem("OpsConsole (HTTP)", console.BaseAddress, DemoAccounts.AdminKey),
        };
        var engine = new PromQlEngine(store);

        var rows = new List<string>();
        foreach (var query in queries)
        {
            Console.WriteLine($"\n{query.Name}: {query.Query}");

            // First: both answers, compared.
            var answers = new List<PromAnswer>();
            foreach (var system in systems)
            {
                var (_, body, status) = await SendAsync(http, system, query);
                answers.Add(PromAnswer.Parse(status, body));
            }

            var differences = query.IsRange && query.Query.StartsWith("topk", StringComparison.Ordinal)
                ? TopkDifferences(answers[0], answers[1])
                : AnswerComparer.Differences(answers[0], answers[1], query.Ordered);
            if (answers[0].Status != "success" || answers[0].Series.Count == 0)
            {
                differences.Insert(0, $"Prometheus answered {answers[0].Status} with {answers[0].Series.Count} series: {answers[0].Error}");
            }

            if (query.ExpectedSeries is { } expected && answers[0].Series.Count != expected)
            {
                differences.Insert(0, $"Prometheus returned {answers[0].Series.Count} series, the data set has {expected}");
            }

            if (differences.Count > 0)
            {
                await Console.Error.WriteLineAsync($"the answers differ:\n  {string.Join("\n  ", differences.Take(10))}");
                return 1;
            }

            var points = answers[0].Series.Sum(s => s.Points.Count);
            Console.WriteLine($"  answers agree: {answers[0].Series.Count} series, {points:N0} points");

            var times = systems.ToDictionary(s => s, _ => new List<double>());
            var engineTimes = new List<double>();
            for (var round = 0; round < warmup + iterations; round++)
            {
                if (stop.IsCancellationRequested)
                {
                    Console.WriteLine("stopped");
                    return 3;
                }

                // Alternate who goes first, so neither always runs right after the other's garbage or cache effects.
                foreach (var system in round % 2 == 0 ? systems : systems.Reverse())
                {
                    var (ms, body, status) = await SendAsync(http, system, query);
                    if (status != HttpStatusCode.OK || !body.StartsWith("{\"status\":\"success\"", StringComparison.Ordinal))
                    {
                        await Console.Error.WriteLineAsync($"{system.Name} failed: {(int)status} {body[..Math.Min(300, body.Length)]}");
                        return 1;
                    }

                    if (round >= warmup)
                    {
                        times[system].Add(ms);
                    }
                }

                var clock = Stopwatch.StartNew();
                _ = query.IsRange
                    ? engine.Range(query.Query, query.StartMs, query.EndMs, query.StepMs, Tenant)
                    : engine.Instant(query.Query, query.StartMs, Tenant);
                if (round >= warmup)
                {
                    engineTimes.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            var p = times[systems[0]];
            var c = times[systems[1]];
            var line = $"| {query.Name} | {Ms(Percentile(p, 50))} / {Ms(Percentile(p, 99))} | {Ms(Percentile(c, 50))} / {Ms(Percentile(c, 99))} | "
                + $"**{Percentile(c, 50) / Percentile(p, 50):F2}** / {Percentile(c, 99) / Percentile(p, 99):F2} | {Ms(Percentile(engineTimes, 50))} / {Ms(Percentile(engineTimes, 99))} |";
            Console.WriteLine(line);
            rows.Add(line);
        }

        Console.WriteLine($"\nload average after: {LoadAverage()}; {iterations} timed rounds after {warmup} warm-up rounds per query\n");
        Console.WriteLine("| query | Prometheus p50 / p99 | OpsConsole p50 / p99 | ratio p50 / p99 | OpsConsole engine only p50 / p99 |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }

        return 0;
    }

    /// <summary>
    /// A topk range answer compared step by step: the same number of values at each step, equal in descending order
    /// (within 1e-9 relative), and equal for every series both chose. Which of two tied series makes the cut is not
    /// compared: counts over a regular grid give exactly equal rates (multiples of 1/300 for 5 minutes), and the last
    /// bit of a sum decides between them (Prometheus calls the order of equal values unspecified).
    /// </summary>
    private static List<string> TopkDifferences(PromAnswer prometheus, PromAnswer console)
    {
        static Dictionary<decimal, Dictionary<string, double>> ByStep(PromAnswer answer)
        {
            var steps = new Dictionary<decimal, Dictionary<string, double>>();
            foreach (var series in answer.Series)
            {
                foreach (var point in series.Points)
                {
                    if (!steps.TryGetValue(point.Timestamp, out var values))
                    {
                        steps[point.Timestamp] = values = new Dictionary<string, double>(StringComparer.Ordinal);
                    }

                    values[series.Labels] = point.Value;
                }
            }

            return steps;
        }

        var differences = new List<string>();
        if (prometheus.Status != "success" || console.Status != "success")
        {
            differences.Add($"status: Prometheus {prometheus.Status} ({prometheus.Error}), OpsConsole {console.Status} ({console.Error})");
            return differences;
        }

        var expected = ByStep(prometheus);
        var actual = ByStep(console);
        foreach (var step in expected.Keys.Union(actual.Keys).Order())
        {
            var e = expected.GetValueOrDefault(step) ?? [];
            var a = actual.GetValueOrDefault(step) ?? [];
            var eValues = e.Values.OrderDescending().ToList();
            var aValues = a.Values.OrderDescending().ToList();
            if (eValues.Count != aValues.Count || !eValues.Zip(aValues).All(p => AnswerComparer.SameValue(p.First, p.Second)))
            {
                differences.Add($"at {step}: Prometheus [{string.Join(", ", e.Select(kv => $"{kv.Key} {kv.Value:R}"))}], OpsConsole [{string.Join(", ", a.Select(kv => $"{kv.Key} {kv.Value:R}"))}]");
                continue;
            }

            foreach (var (labels, value) in e)
            {
                if (a.TryGetValue(labels, out var other) && !AnswerComparer.SameValue(value, other))
                {
                    differences.Add($"at {step}: {labels} is {value:R} in Prometheus, {other:R} in OpsConsole");
                }
            }
        }

        return differences;
    }

    /// <summary>A system under test: where its API listens and the API key to send (none for Prometheus).</summary>
    private sealed record TimedSystem(string Name, Uri BaseAddress, string? ApiKey);

    /// <summary>Sends <paramref name="query"/>; the time runs from sending to having read the whole body.</summary>
    private static async Task<(double Ms, string Body, HttpStatusCode Status)> SendAsync(HttpClient http, TimedSystem system, BenchQuery query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(system.BaseAddress, query.Url));
        if (system.ApiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", system.ApiKey);
        }

        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        return (ms, Encoding.UTF8.GetString(bytes), response.StatusCode);
    }

    /// <summary>The cached TSDB directory of the data set, built when missing (or when <paramref name="fresh"/>).</summary>
    private static async Task<string> PrometheusBlocksAsync(string cache, bool fresh)
    {
        var data = Path.Combine(cache, "data");
        var complete = Path.Combine(cache, "complete");
        if (!fresh && File.Exists(complete))
        {
            Console.WriteLine($"Prometheus blocks: reusing {data} (--fresh rebuilds them)");
            return data;
        }

        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }

        Directory.CreateDirectory(cache);
        var file = Path.Combine(cache, "dataset.om.txt");
        var clock = Stopwatch.StartNew();
        await using (var writer = new OpenMetricsWriter(file))
        {
            foreach (var series in PromQlBenchData.Series())
            {
                writer.WriteSeries(series.Name, series.Labels, series.Values.Select((v, k) => (PromQlBenchData.TimeOf(k), v)));
            }

            Console.WriteLine($"OpenMetrics: {writer.Samples:N0} samples written in {clock.Elapsed.TotalSeconds:F0} s");
        }

        clock.Restart();

        // One 6-hour block, as a Prometheus that had compacted this data would hold it (and nothing left to compact).
        await PrometheusServer.CreateBlocksAsync(file, data, ["--max-block-duration=6h", "--quiet"]);
        Console.WriteLine($"promtool: blocks created in {clock.Elapsed.TotalSeconds:F0} s");
        File.Delete(file);
        await File.WriteAllTextAsync(complete, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return data;
    }

    private static async Task<int> RerunWithServerGcAsync(string[] args)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program to re-run it");
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PromQlSideBySide).Assembly.Location);
        }

        start.ArgumentList.Add("promql");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_gcServer"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not re-run with server GC");

        // Ctrl-C reaches the child through the terminal; a SIGTERM sent to this process is passed on to it.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill?.WaitForExit();
        });
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    private static string Ms(double ms) => ms >= 100
        ? ms.ToString("N0", CultureInfo.InvariantCulture) + " ms"
        : ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
