using BenchmarkDotNet.Attributes;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Memory per metric sample held, printed once from the setup for 1,000,000 samples across 1,000 series with 7
/// labels each (half counters, a quarter histogram buckets, a quarter gauges), in three shapes of data:
/// <c>regular</c> (every 15 s on the dot, gauges moving in small integer steps — what Prometheus's 1–2 bytes refer
/// to), <c>jittered</c> (the same with 0–5 ms of timestamp jitter) and <c>noisy</c> (jitter and gauges that are
/// random two-decimal numbers, which no encoding compresses). Then the cost of appending one scrape of 1,000 series.
/// </summary>
[MemoryDiagnoser]
public class SeriesStoreBenchmarks
{
    private const int SeriesCount = 1000;
    // 1,000 by default (1 million samples); OPSCONSOLE_BENCH_SAMPLES_PER_SERIES=10000 measures 10 million.
    private static readonly int SamplesPerSeries =
        int.TryParse(Environment.GetEnvironmentVariable("OPSCONSOLE_BENCH_SAMPLES_PER_SERIES"), out var n) && n > 0 ? n : 1000;
    private static readonly string[] Services = ["api-gateway", "agent-api", "rag-service", "upload-pipeline", "ml-engine"];
    private static readonly string[] Tenants = ["acme", "globex", "initech", "umbrella", "hooli"];

    private SeriesStore _store = null!;
    private SeriesSample[] _scrape = null!;
    private double[] _values = null!;
    private long _t;
    private Random _random = null!;

    [GlobalSetup]
    public void Setup()
    {
        foreach (var shape in new[] { "noisy", "jittered", "regular" })
        {
            _store = null!;
            Measure(shape);
        }

        _scrape = new SeriesSample[SeriesCount];
        var labels = _store.Select(null, [], long.MinValue, long.MaxValue).Select(s => s.Labels).ToArray();
        for (var i = 0; i < SeriesCount; i++)
        {
            _scrape[i] = new SeriesSample(Tenants[i % Tenants.Length], labels[i], _t, i);
        }
    }

    private void Measure(string shape)
    {
        var time = TimeProvider.System;
        _random = new Random(42);
        _t = time.GetUtcNow().ToUnixTimeMilliseconds() - (SamplesPerSeries * 15_000L);
        var before = HeldMemory.Now();
        _store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(30), long.MaxValue), time);
        var labels = new LabelSet[SeriesCount];
        for (var i = 0; i < SeriesCount; i++)
        {
            labels[i] = LabelSet.From(
                ("__name__", (i % 4) switch { 0 or 1 => "http_requests_total", 2 => "http_request_duration_seconds_bucket", _ => "job_queue_size" }),
                ("service", Services[i % Services.Length]),
                ("method", i % 3 == 0 ? "POST" : "GET"),
                ("endpoint", "/v1/endpoint-" + (i / 20)),
                ("status", (i % 7) == 0 ? "500" : "200"),
                ("tenant_id", Tenants[i % Tenants.Length]),
                ("instance", "10.0.0." + (i % 50) + ":9100"));
        }

        _values = new double[SeriesCount];
        var batch = new SeriesSample[SeriesCount];
        for (var s = 0; s < SamplesPerSeries; s++)
        {
            _t += 15_000;
            for (var i = 0; i < SeriesCount; i++)
            {
                _values[i] = (i % 4) switch
                {
                    0 or 1 => _values[i] + _random.Next(0, 20),
                    2 => _values[i] + (_random.Next(0, 4) == 0 ? 1 : 0),
                    _ when shape == "noisy" => Math.Round(_random.NextDouble() * 100, 2),
                    _ => Math.Max(0, _values[i] + _random.Next(-2, 3)),
                };
                batch[i] = new SeriesSample(Tenants[i % Tenants.Length], labels[i], _t + (shape == "regular" ? 0 : _random.Next(0, 6)), _values[i]);
            }

            _store.Append(batch);
        }

        // Only the store keeps the label sets and the samples now.
        Array.Clear(labels);
        Array.Clear(batch);
        var after = HeldMemory.Now();
        var stats = _store.Stats();
        HeldMemory.Report($"series store, {shape} (heap)", after - before, stats.Items, "sample");
        HeldMemory.Report($"series store, {shape} (own estimate)", stats.EstimatedBytes, stats.Items, "sample");
    }

    /// <summary>One scrape of 1,000 series (a new timestamp each time; the SeriesSample copies are the intake's cost).</summary>
    [Benchmark(OperationsPerInvoke = SeriesCount)]
    public SeriesAppendResult AppendScrape()
    {
        _t += 15_000;
        for (var i = 0; i < _scrape.Length; i++)
        {
            _scrape[i] = _scrape[i] with { TimestampMs = _t, Value = _scrape[i].Value + 1 };
        }

        return _store.Append(_scrape);
    }
}
