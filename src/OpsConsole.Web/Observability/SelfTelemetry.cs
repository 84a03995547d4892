using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Domain.Tenancy;
using HealthCheckResult = OpsConsole.Domain.Telemetry.HealthCheckResult;
using HealthStatus = OpsConsole.Domain.Telemetry.HealthStatus;
using ReportStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace OpsConsole.Web.Observability;

/// <summary>The <c>SelfTelemetry</c> section: the console recording its own metrics and health checks as telemetry.</summary>
public sealed class SelfTelemetryOptions
{
    public const string SectionName = "SelfTelemetry";

    /// <summary>Whether the console records itself (on by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often, as a scrape interval would be (15 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// What the console knows about itself and about what it takes in, written as ordinary telemetry (through the ingest
/// pipeline, so it is durable, queryable with PromQL and drawn by the System health dashboard), stored under the
/// <c>default</c> tenant with <c>job="opsconsole"</c>:
/// <list type="bullet">
/// <item><c>opsconsole_ingested_items_total{signal, tenant_id}</c>: items committed per signal (spans, logs, samples,
/// health_checks) and the tenant they are stored under (so a tenant admin's queries see their own ingest);</item>
/// <item><c>health_check_up{service, check, tenant_id}</c>: 1 for a healthy result, 0 for degraded or unhealthy, one
/// sample per reported health-check result at its own time (uptime % is <c>avg_over_time</c> of it);</item>
/// <item>the console's process and work: <c>process_resident_memory_bytes</c>, <c>process_cpu_seconds_total</c>,
/// <c>opsconsole_managed_heap_bytes</c>, <c>opsconsole_http_requests_total</c>, <c>opsconsole_blazor_circuits_active</c>,
/// <c>opsconsole_ingest_queue_batches</c>, <c>opsconsole_series_held</c>;</item>
/// <item>its own readiness checks (database, ingest-pipeline, scrape-loop) as health-check results of the service
/// <c>opsconsole</c>, so they show with every other service's checks.</item>
/// </list>
/// Nothing is invented: every value is measured when it is written.
/// </summary>
public sealed class SelfTelemetry(
    IngestTally tally, TelemetryStores stores, SelfCounters counters, IngestPipeline pipeline, TimeProvider time)
{
    /// <summary>The <c>job</c> label of the console's own series (and the service name of its checks).</summary>
    public const string Job = "opsconsole";

    /// <summary>The batch to write at <paramref name="nowMs"/>, with the console's own check results.</summary>
    public TelemetryBatch Collect(long nowMs, HealthReport? ownChecks)
    {
        var samples = new List<SeriesSample>();
        foreach (var total in tally.Totals())
        {
            samples.Add(Sample("opsconsole_ingested_items_total", nowMs, total.Items, ("signal", total.Signal), (TenantIds.LabelName, total.TenantId)));
        }

        foreach (var check in tally.TakeHealthChecks())
        {
            samples.Add(Sample("health_check_up", check.TimestampMs, check.Status == HealthStatus.Healthy ? 1 : 0,
                ("service", check.Service), ("check", check.Check), (TenantIds.LabelName, check.TenantId)));
        }

        using (var process = Process.GetCurrentProcess())
        {
            samples.Add(Sample("process_resident_memory_bytes", nowMs, process.WorkingSet64));
            samples.Add(Sample("process_cpu_seconds_total", nowMs, process.TotalProcessorTime.TotalSeconds));
        }

        samples.Add(Sample("opsconsole_managed_heap_bytes", nowMs, GC.GetTotalMemory(forceFullCollection: false)));
        samples.Add(Sample("opsconsole_http_requests_total", nowMs, counters.HttpRequests));
        samples.Add(Sample("opsconsole_blazor_circuits_active", nowMs, counters.ActiveCircuits));
        samples.Add(Sample("opsconsole_ingest_queue_batches", nowMs, pipeline.QueueDepth));
        samples.Add(Sample("opsconsole_series_held", nowMs, stores.Series.SeriesCount));

        var checks = ownChecks is null
            ? []
            : ownChecks.Entries.Select(e => new HealthCheckResult(TenantIds.Default, Job, e.Key, Status(e.Value.Status), e.Value.Description,
                e.Value.Duration.TotalMilliseconds, nowMs)).ToList();
        return new TelemetryBatch { Samples = samples, HealthChecks = checks };
    }

    /// <summary>Collects now (running the console's own checks) and writes the batch through the ingest pipeline.</summary>
    public async Task<IngestResult> RecordAsync(HealthCheckService? healthChecks, CancellationToken cancellationToken)
    {
        var report = healthChecks is null ? null : await healthChecks.CheckHealthAsync(cancellationToken);
        var batch = Collect(time.GetUtcNow().ToUnixTimeMilliseconds(), report);
        return await pipeline.WriteAsync(batch, cancellationToken);
    }

    private static SeriesSample Sample(string name, long atMs, double value, params (string Name, string Value)[] labels) =>
        new(TenantIds.Default, LabelSet.From([(LabelSet.MetricName, name), ("job", Job), .. labels]), atMs, value);

    private static HealthStatus Status(ReportStatus status) => status switch
    {
        ReportStatus.Healthy => HealthStatus.Healthy,
        ReportStatus.Degraded => HealthStatus.Degraded,
        _ => HealthStatus.Unhealthy,
    };
}

/// <summary>Writes <see cref="SelfTelemetry"/> every <see cref="SelfTelemetryOptions.Interval"/> while enabled.</summary>
public sealed partial class SelfTelemetryRecorder(
    SelfTelemetry self, HealthCheckService healthChecks, IOptions<SelfTelemetryOptions> options, TimeProvider time, ILogger<SelfTelemetryRecorder> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var result = await self.RecordAsync(healthChecks, stoppingToken);
                    if (result.Outcome != IngestOutcome.Accepted)
                    {
                        LogNotRecorded(logger, result.Outcome, result.Message);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The console's own telemetry was not recorded: {Outcome} {Message}")]
    private static partial void LogNotRecorded(ILogger logger, IngestOutcome outcome, string? message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the console's own telemetry failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
