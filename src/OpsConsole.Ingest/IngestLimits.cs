namespace OpsConsole.Ingest;

/// <summary>
/// The limits every intake path enforces (the <c>Ingest</c> configuration section). How OTLP intake applies
/// each is described on the property; other intake paths (Prometheus scraping, the native JSON API) follow the
/// same rules.
/// </summary>
public sealed class IngestLimits
{
    public const string SectionName = "Ingest";

    /// <summary>When true (the Production default) the tenant of incoming telemetry comes from its API key only.</summary>
    public bool RequireApiKey { get; set; }

    /// <summary>
    /// The largest request body, checked while reading (compressed and, for gzip, decompressed): OTLP/HTTP answers
    /// 413, OTLP/gRPC RESOURCE_EXHAUSTED.
    /// </summary>
    public long MaxRequestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Attributes kept per span, span event, span link, log record, metric point and resource. Beyond it the first
    /// ones are kept and the rest dropped; the item is accepted and the drop is reported as a partial-success
    /// warning (rejected count 0, a message), as the OTLP specification allows.
    /// </summary>
    public int MaxAttributesPerItem { get; set; } = 128;

    /// <summary>
    /// Series per metric name and tenant. Not checked at intake, which cannot know which series already exist: it
    /// is for the series store to enforce when it indexes a sample, reporting refused samples through
    /// <c>IngestResult.RejectedItems</c> (and a message), which OTLP intake adds to its partial success.
    /// </summary>
    public int MaxSeriesPerMetric { get; set; } = 10_000;

    /// <summary>
    /// The largest log body (UTF-8 bytes of a string body, length of a bytes body, encoded size of a structured
    /// one). A record over it is rejected on its own and counted in the partial success.
    /// </summary>
    public int MaxLogBodyBytes { get; set; } = 64 * 1024;
}
