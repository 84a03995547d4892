using BenchmarkDotNet.Attributes;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Memory per metric sample held (printed once from the setup: 1,000,000 samples across 1,000 series scraped every
/// 15 s with a few ms of jitter — half counters, a quarter slowly moving histogram buckets, a quarter gauges with
/// two decimals) and the cost of appending one scrape of 1,000 series.
/// </summary>
[MemoryDiagnoser]
public class SeriesStoreBenchmarks
{
    private const int SeriesCount = 1000;
    private const int SamplesPerSeries = 1000;
    private static readonly string[] Services = ["api-gateway", "agent-api", "rag-service", "upload-pipeline", "ml-engine"];
    private static readonly string[] Tenants = ["acme", "globex", "initech", "umbrella", "hooli"];

    private SeriesStore _store = null!;
    private SeriesSample[] _scrape = null!;
    private double[] _values = null!;
    private long _t;
    private readonly Random _random = new(42);

    [GlobalSetup]
    public void Setup()
    {
        var time = TimeProvider.System;
        var start = time.GetUtcNow().ToUnixTimeMilliseconds() - (SamplesPerSeries * 15_000L);
        var before = HeldMemory.Now();
        _store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(30), long.MaxValue), time);
        var labels = new LabelSet[SeriesCount];
        for (var i = 0; i < SeriesCount; i++)
        {
            labels[i] = LabelSet.From(
                ("__name__", (i % 4) switch { 0 or 1 => "http_requests_total", 2 => "http_request_duration_seconds_bucket", _ => "response_quality_average" }),
                ("service", Services[i % Services.Length]),
                ("method", i % 3 == 0 ? "POST" : "GET"),
                ("endpoint", "/v1/endpoint-" + (i / 20)),
                ("status", (i % 7) == 0 ? "500" : "200"),
                ("tenant_id", Tenants[i % Tenants.Length]),
                ("instance", "10.0.0." + (i % 50) + ":9100"));
        }

        _values = new double[SeriesCount];
        _t = start;
        var batch = new SeriesSample[SeriesCount];
        for (var s = 0; s < SamplesPerSeries; s++)
        {
            FillScrape(batch, labels);
            _store.Append(batch);
        }

        // Only the store keeps the label sets and the samples now.
        Array.Clear(labels);
        Array.Clear(batch);
        var after = HeldMemory.Now();
        var stats = _store.Stats();
        HeldMemory.Report("series store (heap)", after - before, stats.Items, "sample");
        HeldMemory.Report("series store (own estimate)", stats.EstimatedBytes, stats.Items, "sample");
        _scrape = new SeriesSample[SeriesCount];
        FillScrape(_scrape, [.. _store.Select(null, [], long.MinValue, long.MaxValue).Select(s => s.Labels)]);
    }

    private void FillScrape(SeriesSample[] batch, LabelSet[] labels)
    {
        _t += 15_000;
        for (var i = 0; i < labels.Length; i++)
        {
            _values[i] = (i % 4) switch
            {
                0 or 1 => _values[i] + _random.Next(0, 20),
                2 => _values[i] + (_random.Next(0, 4) == 0 ? 1 : 0),
                _ => Math.Round(0.5 + (_random.NextDouble() * 0.4), 2),
            };
            batch[i] = new SeriesSample(Tenants[i % Tenants.Length], labels[i], _t + _random.Next(0, 5), _values[i]);
        }
    }

    /// <summary>One scrape of 1,000 series (new timestamp each time).</summary>
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
