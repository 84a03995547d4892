using Microsoft.Extensions.Time.Testing;
using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Scrape.Tests.Support;

/// <summary>
/// The real scrape loop with a fixed clock (<see cref="FakeTimeProvider"/>), a recording sink and a real HTTP client:
/// a test registers targets, waits for scrapes, and steps time forward by whole intervals.
/// </summary>
public sealed class ScrapeHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private Task? _run;

    /// <param name="options">Limits and defaults; Prometheus's when null.</param>
    /// <param name="http">The client to scrape with; <see cref="ScrapeLoop.CreateHttpClient"/> when null.</param>
    public ScrapeHarness(ScrapeOptions? options = null, HttpClient? http = null)
    {
        _http = http ?? ScrapeLoop.CreateHttpClient();
        Registry = new ScrapeTargetRegistry(options ?? new ScrapeOptions());
        Loop = new ScrapeLoop(Registry, Sink, _http, Time);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public RecordingSink Sink { get; } = new();

    public ScrapeTargetRegistry Registry { get; }

    public ScrapeLoop Loop { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public ScrapeTarget Add(string job, Uri url, string interval = "15s", string timeout = "5s", string? tenant = null,
        Dictionary<string, string>? labels = null)
    {
        var definition = new ScrapeTargetDefinition { Job = job, Url = url.ToString(), Interval = interval, Timeout = timeout, Tenant = tenant };
        foreach (var (name, value) in labels ?? [])
        {
            definition.Labels[name] = value;
        }

        var result = Registry.Add(definition);
        Assert.True(result.Succeeded, result.ToString());
        return result.Target!;
    }

    public void StartLoop() => _run = Loop.RunAsync(_stop.Token);

    public ScrapeTargetStatus StatusOf(ScrapeTarget target) => Loop.GetStatus(target.Key)!;

    /// <summary>Waits until <paramref name="target"/> has completed <paramref name="count"/> scrapes.</summary>
    public async Task<ScrapeTargetStatus> WaitForScrapesAsync(ScrapeTarget target, long count)
    {
        await Eventually.TrueAsync(() => StatusOf(target).ScrapeCount >= count, $"{target.Key} was scraped {count} time(s)");
        return StatusOf(target);
    }

    /// <summary>Moves the clock one interval of <paramref name="target"/> on and waits for the scrape that makes due.</summary>
    public async Task<ScrapeTargetStatus> NextScrapeAsync(ScrapeTarget target)
    {
        var done = StatusOf(target).ScrapeCount;
        Time.Advance(target.Interval);
        return await WaitForScrapesAsync(target, done + 1);
    }

    public async Task StopLoopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        _stop.Dispose();
        _http.Dispose();
    }
}
