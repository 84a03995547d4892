namespace OpsConsole.Ingest;

/// <summary>
/// The limits every intake path enforces (the <c>Ingest</c> configuration section). The receivers that use them
/// (OTLP gRPC/HTTP, Prometheus scraping, the native JSON API) arrive with the telemetry-in work.
/// </summary>
public sealed class IngestLimits
{
    public const string SectionName = "Ingest";

    /// <summary>When true (the Production default) the tenant of incoming telemetry comes from its API key only.</summary>
    public bool RequireApiKey { get; set; }

    public long MaxRequestBytes { get; set; } = 8 * 1024 * 1024;
    public int MaxAttributesPerItem { get; set; } = 128;
    public int MaxSeriesPerMetric { get; set; } = 10_000;
    public int MaxLogBodyBytes { get; set; } = 64 * 1024;
}
