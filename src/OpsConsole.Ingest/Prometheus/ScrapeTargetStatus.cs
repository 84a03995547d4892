namespace OpsConsole.Ingest.Prometheus;

public enum ScrapeHealth
{
    /// <summary>Not scraped yet.</summary>
    Unknown,
    Up,
    Down,
}

/// <summary>
/// What the UI shows for a target: the outcome of its latest scrape. <see cref="ParseErrors"/> holds the first
/// <see cref="ScrapeLoop.ParseErrorsShown"/> malformed lines of that scrape; <see cref="ParseErrorCount"/> counts them all.
/// </summary>
public sealed record ScrapeTargetStatus(ScrapeTarget Target)
{
    public ScrapeHealth Health { get; init; }

    /// <summary>When the latest scrape started (its samples' timestamp).</summary>
    public DateTimeOffset? LastScrape { get; init; }

    public TimeSpan? LastDuration { get; init; }

    /// <summary>Why the latest scrape failed (null when it succeeded): HTTP status, timeout, connection error, limits.</summary>
    public string? LastError { get; init; }

    /// <summary>Why the latest scrape's samples could not be written to the store (null when they were).</summary>
    public string? LastWriteError { get; init; }

    public int SamplesScraped { get; init; }

    /// <summary>Series in the latest scrape that were not in the one before.</summary>
    public int SeriesAdded { get; init; }

    /// <summary>Series of the scrape before that the latest one no longer had (each got a stale marker).</summary>
    public int SeriesEnded { get; init; }

    public int ParseErrorCount { get; init; }

    public IReadOnlyList<ExpositionError> ParseErrors { get; init; } = [];

    /// <summary>How many scrapes of this target have completed since the loop started it.</summary>
    public long ScrapeCount { get; init; }
}
