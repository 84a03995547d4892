using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Ingestion;

/// <summary>What one intake request (an OTLP export, a scrape, a JSON post) hands to the core: already decoded,
/// validated and stamped with its tenant.</summary>
public sealed record TelemetryBatch
{
    public static readonly TelemetryBatch Empty = new();

    public IReadOnlyList<Span> Spans { get; init; } = [];
    public IReadOnlyList<LogRecord> Logs { get; init; } = [];
    public IReadOnlyList<SeriesSample> Samples { get; init; } = [];
    public IReadOnlyList<MetricMetadata> Metadata { get; init; } = [];
    public IReadOnlyList<HealthCheckResult> HealthChecks { get; init; } = [];

    public int ItemCount => Spans.Count + Logs.Count + Samples.Count + HealthChecks.Count;
}

public enum IngestOutcome
{
    /// <summary>Stored durably; the sender may forget it.</summary>
    Accepted,

    /// <summary>The intake queue is full: retry after <see cref="IngestResult.RetryAfter"/> (OTLP: 429 / RESOURCE_EXHAUSTED).</summary>
    Throttled,

    /// <summary>Storage failed; nothing of the batch was kept: retry later (OTLP: 503 / UNAVAILABLE).</summary>
    Unavailable,
}

/// <summary>The answer to one batch. <see cref="RejectedItems"/> counts items dropped by validation (OTLP partial success).</summary>
public sealed record IngestResult(IngestOutcome Outcome, int RejectedItems = 0, string? Message = null, TimeSpan? RetryAfter = null)
{
    public static readonly IngestResult Accepted = new(IngestOutcome.Accepted);
}

/// <summary>Where intake hands decoded telemetry. The answer comes after the batch is durable (or refused).</summary>
public interface ITelemetrySink
{
    ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}
