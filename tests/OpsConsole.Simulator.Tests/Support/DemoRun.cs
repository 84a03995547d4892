using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Simulator.Catalog;

namespace OpsConsole.Simulator.Tests.Support;

/// <summary>
/// A demo workload started for a test: free /metrics ports on loopback, no OTLP unless asked, a fixed seed, and a
/// fake clock that the test moves forward (<see cref="Run"/>) — the simulation steps through every second of it.
/// </summary>
internal sealed class DemoRun : IAsyncDisposable
{
    /// <summary>A Tuesday at 14:00 UTC: the daily peak.</summary>
    public static readonly DateTimeOffset Peak = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private DemoRun(DemoWorkload workload, FakeTimeProvider time, CapturedTelemetry? telemetry)
    {
        Workload = workload;
        Time = time;
        Telemetry = telemetry;
    }

    public DemoWorkload Workload { get; }

    public FakeTimeProvider Time { get; }

    public CapturedTelemetry? Telemetry { get; }

    public static async Task<DemoRun> StartAsync(
        DateTimeOffset? at = null, bool capture = false, Func<DemoWorkloadOptions, DemoWorkloadOptions>? configure = null,
        ILogger<DemoWorkload>? logger = null)
    {
        var time = new FakeTimeProvider(at ?? Peak);
        var options = new DemoWorkloadOptions { OtlpEndpoint = null, MetricsPortBase = 0, Incidents = false, Seed = 42 };
        var telemetry = capture ? new CapturedTelemetry() : null;
        options = telemetry?.AttachTo(options) ?? options;
        options = configure?.Invoke(options) ?? options;
        var workload = new DemoWorkload(options, time, logger);
        await workload.StartAsync(CancellationToken.None);
        return new DemoRun(workload, time, telemetry);
    }

    /// <summary>Moves the clock on by <paramref name="duration"/>, simulating every step on the way.</summary>
    public void Run(TimeSpan duration)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            var chunk = end - Time.GetUtcNow();
            Time.Advance(chunk < TimeSpan.FromSeconds(30) ? chunk : TimeSpan.FromSeconds(30));
            Workload.Tick();
        }
    }

    public Uri UrlOf(string service) => Workload.ScrapeTargets.Single(t => t.Job == service).Url;

    public async Task<PrometheusText> ScrapeAsync(string service) => PrometheusText.Parse(await ScrapeTextAsync(service));

    public async Task<string> ScrapeTextAsync(string service)
    {
        using var response = await Http.GetAsync(UrlOf(service));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<Dictionary<string, PrometheusText>> ScrapeAllAsync()
    {
        var pages = new Dictionary<string, PrometheusText>();
        foreach (var service in ServiceNames.All)
        {
            pages[service] = await ScrapeAsync(service);
        }

        return pages;
    }

    /// <summary>Whether GET on the service's /metrics gets an answer at all.</summary>
    public async Task<bool> AnswersAsync(string service)
    {
        try
        {
            using var response = await Http.GetAsync(UrlOf(service));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => Workload.DisposeAsync();
}

/// <summary>Waits for a condition with a timeout (no sleeps as synchronisation).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>Keeps what the workload logs for its operator, as "Level: message" lines.</summary>
internal sealed class RecordingLogger : ILogger<DemoWorkload>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
