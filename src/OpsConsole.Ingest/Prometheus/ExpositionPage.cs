using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>The two text formats a scrape target may answer with.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (<c>text/plain; version=0.0.4</c>): timestamps are integer milliseconds.</summary>
    PrometheusText,

    /// <summary>OpenMetrics text 1.0 (<c>application/openmetrics-text</c>): timestamps are seconds, the page ends with <c># EOF</c>.</summary>
    OpenMetrics,
}

/// <summary>Content negotiation for scrapes, as Prometheus does it.</summary>
public static class ExpositionContentTypes
{
    public const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";

    public const string OpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>
    /// The <c>Accept</c> header a scrape sends: the Prometheus text format first (what this parser knows best), then
    /// the OpenMetrics versions Prometheus asks for, then anything (parsed as text).
    /// </summary>
    public const string ScrapeAccept =
        "text/plain;version=0.0.4;q=1.0,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,*/*;q=0.1";

    /// <summary>The format of a response by its media type; anything but OpenMetrics is read as the Prometheus text format.</summary>
    public static ExpositionFormat FromMediaType(string? mediaType) =>
        mediaType is not null && mediaType.Trim().StartsWith("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
            ? ExpositionFormat.OpenMetrics
            : ExpositionFormat.PrometheusText;
}

/// <summary>
/// One sample of an exposition page. <see cref="Labels"/> holds the metric name (<c>__name__</c>), the exposed labels
/// and any target labels the parser was given; <see cref="TimestampMs"/> is null unless the page gave one.
/// <see cref="Family"/> is the metric family the sample belongs to (<c>http_seconds</c> for <c>http_seconds_bucket</c>)
/// and <see cref="Type"/> that family's type (<see cref="MetricType.Unknown"/> for untyped metrics).
/// </summary>
public readonly record struct ExposedSample(LabelSet Labels, double Value, long? TimestampMs, MetricType Type, string Family);

/// <summary>A line of the page that was skipped, with its 1-based line number.</summary>
public sealed record ExpositionError(int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>What the parser read from one page: the good samples, the metric metadata, and the skipped lines.</summary>
public sealed class ExpositionPage
{
    internal ExpositionPage(
        IReadOnlyList<ExposedSample> samples, IReadOnlyList<MetricMetadata> metadata, IReadOnlyList<ExpositionError> errors, int errorCount, int lineCount)
    {
        Samples = samples;
        Metadata = metadata;
        Errors = errors;
        ErrorCount = errorCount;
        LineCount = lineCount;
    }

    public IReadOnlyList<ExposedSample> Samples { get; }

    /// <summary>One entry per family with a <c># TYPE</c>, <c># HELP</c> or <c># UNIT</c> line, in page order.</summary>
    public IReadOnlyList<MetricMetadata> Metadata { get; }

    /// <summary>The first errors (at most <see cref="ExpositionParser.MaxErrorsRecorded"/>), in line order.</summary>
    public IReadOnlyList<ExpositionError> Errors { get; }

    /// <summary>How many lines were skipped as malformed; may exceed <see cref="Errors"/>.Count.</summary>
    public int ErrorCount { get; }

    public int LineCount { get; }
}
