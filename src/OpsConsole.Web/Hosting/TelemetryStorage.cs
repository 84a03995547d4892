using Microsoft.Extensions.Options;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Data.Telemetry;

namespace OpsConsole.Web.Hosting;

/// <summary>
/// The <c>Retention</c> section: how long each signal is kept, in memory and in the database, and how much memory
/// each hot store may use (beyond that the oldest data leaves memory but stays readable from the database).
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    public TimeSpan Traces { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan Logs { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan Metrics { get; set; } = TimeSpan.FromDays(15);
    public int TracesMemoryMB { get; set; } = 512;
    public int LogsMemoryMB { get; set; } = 512;
    public int MetricsMemoryMB { get; set; } = 256;

    /// <summary>How far back start-up reloads the hot stores from the database (at most each signal's retention).</summary>
    public TimeSpan ReloadWindow { get; set; } = TimeSpan.FromHours(6);

    public HotStoreOptions ToHotStoreOptions() => new()
    {
        Traces = new StoreLimits(Traces, TracesMemoryMB * HotStoreOptions.Megabyte),
        Logs = new StoreLimits(Logs, LogsMemoryMB * HotStoreOptions.Megabyte),
        Metrics = new StoreLimits(Metrics, MetricsMemoryMB * HotStoreOptions.Megabyte),
    };
}

/// <summary>Feeds every durable batch into the hot stores.</summary>
public sealed class HotStoreFeeder(TelemetryStores stores) : ICommittedTelemetryObserver
{
    public void OnCommitted(TelemetryBatch batch) => stores.Store(batch);
}

/// <summary>Frees memory of expired hot data while idle, and deletes expired rows from the database.</summary>
public sealed partial class TelemetryHousekeeping(
    TelemetryStores stores, TelemetryRetention retention, IOptions<RetentionOptions> options, TimeProvider time, ILogger<TelemetryHousekeeping> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), time);
        var lastPrune = DateTimeOffset.MinValue;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            stores.Spans.EvictExpired();
            stores.Logs.EvictExpired();
            stores.Series.EvictExpired();
            var now = time.GetUtcNow();
            if (now - lastPrune < TimeSpan.FromMinutes(10))
            {
                continue;
            }

            lastPrune = now;
            try
            {
                var o = options.Value;
                var pruned = await retention.PruneAsync(now, o.Traces, o.Logs, o.Metrics, stoppingToken);
                LogPruned(logger, pruned.Spans, pruned.Logs, pruned.Samples);
            }
#pragma warning disable CA1031 // the database may be briefly unavailable; retention runs again next time
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogPruneFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retention removed {Spans} spans, {Logs} log records and {Samples} samples from the database.")]
    private static partial void LogPruned(ILogger logger, int spans, int logs, int samples);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention could not prune the database; it tries again in 10 minutes.")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}

/// <summary>At start-up, before any request: refills the hot stores with the recent window from the database.</summary>
public sealed partial class HotWindowLoader(
    TelemetryStores stores, HealthCheckStore health, TelemetryReader reader, IOptions<RetentionOptions> options, TimeProvider time, ILogger<HotWindowLoader> logger)
{
    public const int MaxSpans = 200_000;
    public const int MaxLogs = 200_000;
    public const int MaxSamples = 1_000_000;

    public async Task LoadAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var toNanos = (ulong)(now.ToUnixTimeMilliseconds() + 60_000) * 1_000_000;
        ulong FromNanos(TimeSpan retention) => (ulong)(now - Min(retention, o.ReloadWindow)).ToUnixTimeMilliseconds() * 1_000_000;

        var spans = await reader.GetSpansAsync(null, FromNanos(o.Traces), toNanos, MaxSpans, ct);
        var logs = await reader.GetLogsAsync(null, FromNanos(o.Logs), toNanos, MaxLogs, ct);
        var samplesFromMs = (now - Min(o.Metrics, o.ReloadWindow)).ToUnixTimeMilliseconds();
        var samples = await reader.GetAllSamplesAsync(samplesFromMs, now.ToUnixTimeMilliseconds() + 60_000, MaxSamples, ct);

        // What is older than the reloaded window (all of the window's start when the limit cut it) stays in the
        // database only: queries over it read the database (HistorySeriesSource).
        stores.Series.MarkIncompleteBefore(samples.Count < MaxSamples || samples.Count == 0 ? samplesFromMs : samples[0].TimestampMs + 1);
        var metadata = await reader.GetMetadataAsync(ct);
        var checks = await reader.GetHealthChecksAsync(null, null, (now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds() + 60_000, MaxLogs, ct);
        stores.Store(new TelemetryBatch { Spans = spans, Logs = [.. logs.Reverse()], Samples = samples, Metadata = metadata });
        if (spans.Count < MaxSpans)
        {
            // Every trace of the reloaded window is in memory again; searches need the database only before it.
            stores.Spans.MarkCoveredFrom(UnixTime.FromNanos(FromNanos(o.Traces)));
        }

        // Likewise the log lines: all of the window, or (when the limit cut it) from just after the oldest line loaded.
        stores.Logs.MarkCoveredFrom(UnixTime.FromNanos(logs.Count < MaxLogs || logs.Count == 0 ? FromNanos(o.Logs) : logs[^1].TimeUnixNano + 1));

        health.OnCommitted(new TelemetryBatch { HealthChecks = [.. checks.Reverse()] });
        LogReloaded(logger, spans.Count, logs.Count, samples.Count);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot stores reloaded from the database: {Spans} spans, {Logs} log records, {Samples} samples.")]
    private static partial void LogReloaded(ILogger logger, int spans, int logs, int samples);
}
