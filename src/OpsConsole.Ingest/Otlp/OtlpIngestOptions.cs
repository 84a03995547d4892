namespace OpsConsole.Ingest.Otlp;

/// <summary>How OTLP intake reads its callers (configured by the host in <c>AddOtlpIngest</c>).</summary>
public sealed class OtlpIngestOptions
{
    /// <summary>The claim that carries the tenant an API key is bound to (the Web host's <c>OpsClaims.Tenant</c>).</summary>
    public string TenantClaimType { get; set; } = "oc:tenant";

    /// <summary>The Retry-After (HTTP) / retry delay (gRPC) when the sink refuses a batch without saying how long to wait.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
