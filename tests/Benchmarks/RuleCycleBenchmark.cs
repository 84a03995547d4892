using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Benchmarks.PromQl;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Rules;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Issue 5, point 11: <c>dotnet run -c Release --project tests/Benchmarks -- rules [--rules 1000] [--cycles 12] [--no-shared-selectors]</c>.
/// 1,000 alerting rules (10 groups of 100, interval 1m) run by the real <see cref="RuleScheduler"/> and
/// <see cref="AlertStore"/> over the PromQL benchmark's demo-like data (<see cref="PromQlBenchData"/>: 25,000 series —
/// request counters and latency histograms of 20 services × 25 endpoints), two hours of it in the hot series store,
/// with the next minute of samples appended before every cycle as live intake would. The clock is stepped one minute
/// at a time; a cycle is the wall time from the step until every group has evaluated that slot. The first cycle
/// (JIT, caches) is reported apart; p50/p95/max over the rest.
/// </summary>
public static class RuleCycleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var ruleCount = Option(args, "--rules", 1000);
        var cycles = Option(args, "--cycles", 12);
        var share = !args.Contains("--no-shared-selectors"); // to measure what sharing selector data saves
        var loaded = PromQlBenchData.Points - 60;      // the first slot (on a minute): 15 minutes before the data ends
        var first = loaded - 480;                       // two hours of data before it
        Console.WriteLine($"Generating the data set ({PromQlBenchData.Counters:N0} counters, {PromQlBenchData.Histograms:N0} histograms)…");
        var series = PromQlBenchData.Series().Select(s => (Labels: LabelSet.From([.. s.Labels, new(LabelSet.MetricName, s.Name)]), s.Values)).ToList();

        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(PromQlBenchData.TimeOf(loaded - 1)));
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(30), long.MaxValue), clock);
        var load = Stopwatch.StartNew();
        Append(store, series, first, loaded);
        Console.WriteLine($"Loaded {series.Count:N0} series × {loaded - first} points in {load.Elapsed.TotalSeconds:0.0} s.");

        // Where the time goes: each rule's query alone, by shape (i mod 5, the 1-in-50 all-services rule apart).
        var engine = new SeriesRuleQueryEngine(store, shareSelectors: share);
        var byShape = new Dictionary<string, (int Count, double Ms)>(StringComparer.Ordinal);
        var rules = RuleCycleBenchmarkRules.Groups(ruleCount).SelectMany(g => g.Rules).ToList();
        for (var pass = 0; pass < 2; pass++)
        {
            byShape.Clear();
            for (var i = 0; i < rules.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                engine.Instant(rules[i].Expr, PromQlBenchData.TimeOf(loaded - 1), "default", CancellationToken.None);
                var shape = i % 50 == 4 ? "all-services" : "shape " + (i % 5);
                var (n, ms) = byShape.GetValueOrDefault(shape);
                byShape[shape] = (n + 1, ms + watch.Elapsed.TotalMilliseconds);
            }
        }

        var at = PromQlBenchData.TimeOf(loaded - 1);
        var select = Stopwatch.StartNew();
        var all = store.Select("default", [LabelMatcher.Equal(LabelSet.MetricName, "http_requests_total")], at - 300_000, at);
        var selectMs = select.Elapsed.TotalMilliseconds;
        var decoded = all.Sum(x => x.ToArray().Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  selecting the {all.Count:N0} request counters over 5m: {selectMs:0.0} ms; decoding their {decoded:N0} samples: {select.Elapsed.TotalMilliseconds - selectMs:0.0} ms"));
        foreach (var (shape, (n, ms)) in byShape.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {shape,-13} {n,4} rules, {ms,8:0.0} ms in all, {ms / n,6:0.00} ms each"));
        }

        var alerts = new AlertStore(new InMemoryAlertingRepository(), clock);
        var sink = new StoreSink(store);
        var scheduler = new RuleScheduler(new SeriesRuleQueryEngine(store, shareSelectors: share), sink, clock, new RuleSchedulerOptions(), NullLogger<RuleScheduler>.Instance, alerts: alerts);
        var groups = RuleCycleBenchmarkRules.Groups(ruleCount);
        scheduler.SetGroups(groups.Select(g => new LoadedRuleGroup(g, RuleGroupSource.Api, "bench.yml", clock.GetUtcNow(), "bench")));
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);

        var next = loaded;
        var times = new List<double>();
        var cpus = new List<double>();
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            // The next minute of samples (the last one at the slot itself), as intake would have stored them by then.
            var slotIndex = loaded + (4 * cycle);
            Append(store, series, next, slotIndex + 1);
            next = slotIndex + 1;
            var slot = DateTimeOffset.FromUnixTimeMilliseconds(PromQlBenchData.TimeOf(slotIndex));
            await WaitAsync(() => scheduler.Statuses().All(g => g.NextEvaluation == slot));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            clock.Advance(slot - clock.GetUtcNow());
            await WaitAsync(() => scheduler.Statuses().All(g => g.LastEvaluation == slot));
            watch.Stop();
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            var statuses = scheduler.Statuses();
            var failed = statuses.Sum(g => g.Rules.Count(r => r.Health == RuleHealth.Err));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cycle {cycle + 1,2}: {watch.Elapsed.TotalMilliseconds,7:0.0} ms wall, {cpuMs,7:0.0} ms CPU, {failed} failing rules, {alerts.Active().Count} active alerts ({alerts.Firing().Count} firing)"));
            if (cycle > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
                cpus.Add(cpuMs);
            }
        }

        await stop.CancelAsync();
        await running;
        times.Sort();
        cpus.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ruleCount} rules, {times.Count} cycles after the first: wall p50 {Percentile(times, 0.5):0} ms, p95 {Percentile(times, 0.95):0} ms, max {times[^1]:0} ms; CPU p50 {Percentile(cpus, 0.5):0} ms, p95 {Percentile(cpus, 0.95):0} ms; {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        return 0;
    }

    private static void Append(SeriesStore store, List<(LabelSet Labels, double[] Values)> series, int from, int to)
    {
        var batch = new List<SeriesSample>(series.Count);
        for (var k = from; k < to; k++)
        {
            batch.Clear();
            var t = PromQlBenchData.TimeOf(k);
            foreach (var (labels, values) in series)
            {
                batch.Add(new SeriesSample("default", labels, t, values[k]));
            }

            store.Append(batch);
        }
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var timeout = Stopwatch.StartNew();
        while (!condition())
        {
            if (timeout.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The rule groups did not reach the slot within 5 minutes.");
            }

            await Task.Delay(1);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Recorded alert series go straight into the store (the real console writes them through the ingest pipeline).</summary>
    private sealed class StoreSink(SeriesStore store) : ITelemetrySink
    {
        public ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            store.Append(batch.Samples);
            return ValueTask.FromResult(IngestResult.Accepted);
        }
    }
}

/// <summary>The benchmark's rules: five shapes an on-call team writes, over every service and endpoint in turn.</summary>
public static class RuleCycleBenchmarkRules
{
    public static IReadOnlyList<RuleGroup> Groups(int count)
    {
        var yaml = new StringBuilder("groups:\n");
        var services = PromQlBenchData.Services;
        var endpoints = PromQlBenchData.Endpoints;
        for (var i = 0; i < count; i++)
        {
            if (i % 100 == 0)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"  - name: bench-{(i / 100) + 1:00}\n    interval: 1m\n    rules:\n");
            }

            // Shape i mod 5; within a shape, every service in turn, then the next endpoint (so the 1,000 rules select
            // 20 services × 10 endpoints), with thresholds that differ between rules over the same series.
            var s = services[(i / 5) % services.Length];
            var e = endpoints[(i / 100) % endpoints.Length];
            var bump = (i / 100) * 0.001;
            var expr = (i % 5) switch
            {
                // A service's 5xx ratio.
                0 => Invariant($"sum(rate(http_requests_total{{service=\"{s}\",status=~\"5..\"}}[5m])) / sum(rate(http_requests_total{{service=\"{s}\"}}[5m])) > {0.01 + bump:0.###}"),
                // An endpoint's p95 latency.
                1 => Invariant($"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{service=\"{s}\",endpoint=\"{e}\"}}[5m]))) > {0.5 + bump:0.###}"),
                // One endpoint's 500s.
                2 => Invariant($"rate(http_requests_total{{service=\"{s}\",endpoint=\"{e}\",status=\"500\"}}[5m]) > {0.001 + bump:0.####}"),
                // Every endpoint of a service with heavy traffic.
                3 => Invariant($"sum by (endpoint) (rate(http_requests_total{{service=\"{s}\"}}[5m])) > {20 + (i / 100)}"),
                // Every service's error ratio at once (reads all 10,000 counters): one rule in 50.
                _ => i % 50 == 4
                    ? Invariant($"sum by (service) (rate(http_requests_total{{status=~\"5..\"}}[5m])) / sum by (service) (rate(http_requests_total[5m])) > {0.02 + bump:0.###}")
                    : Invariant($"avg by (instance) (rate(http_request_duration_seconds_sum{{service=\"{s}\"}}[5m]) / rate(http_request_duration_seconds_count{{service=\"{s}\"}}[5m])) > {0.2 + bump:0.###}"),
            };
            yaml.Append(CultureInfo.InvariantCulture, $"      - alert: Bench{i:0000}\n        expr: '{expr}'\n        for: 2m\n        labels: {{severity: warning}}\n");
        }

        return RuleFileParser.ParseValid(yaml.ToString());
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
