using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Web.Observability;

/// <summary>Readiness: the scrape loop is running.</summary>
public sealed class ScrapeLoopHealthCheck(ScrapeLoop loop) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(loop.IsRunning
            ? HealthCheckResult.Healthy("The scrape loop is running.")
            : HealthCheckResult.Unhealthy("The scrape loop is not running."));
}

/// <summary>Readiness: the ingest queue has room and the last commits did not all fail.</summary>
public sealed class IngestPipelineHealthCheck(IngestPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(pipeline.QueueDepth >= pipeline.QueueCapacity
            ? HealthCheckResult.Degraded($"The ingest queue is full ({pipeline.QueueDepth} batches); senders are told to retry.")
            : HealthCheckResult.Healthy($"{pipeline.QueueDepth} batch(es) queued; {pipeline.CommittedBatches} committed, {pipeline.FailedCommits} failed."));
}
