using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace OpsConsole.Simulator;

/// <summary>How the simulator sends OTLP: gRPC (port 4317) or HTTP with protobuf bodies (port 4318).</summary>
public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}

/// <summary>
/// Settings of the demo SaaS. Binds from configuration (e.g. the <c>Demo</c> section: <c>Demo:Rate</c>,
/// <c>Demo:OtlpEndpoint</c>, <c>Demo:IncidentInterval</c> = <c>00:10:00</c>) and from the simulator's command line.
/// </summary>
public sealed record DemoWorkloadOptions
{
    public const string SectionName = "Demo";

    /// <summary>Whether the console host starts the workload in-process (read by the host, not by the workload).</summary>
    public bool Enabled { get; init; }

    /// <summary>Where OTLP goes; null sends no traces or logs (metrics are still served).</summary>
    public Uri? OtlpEndpoint { get; init; } = new("http://localhost:4317");

    public OtlpProtocol OtlpProtocol { get; init; } = OtlpProtocol.Grpc;

    /// <summary>Sent as <c>Authorization: Bearer &lt;key&gt;</c> on every OTLP request when set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests per second reaching the API gateway at the daily peak.</summary>
    public double Rate { get; init; } = 20;

    /// <summary>Whether traffic follows the day (peak at 14:00 UTC, trough at 02:00 UTC); off keeps it at <see cref="Rate"/>.</summary>
    public bool Diurnal { get; init; } = true;

    /// <summary>The first service's /metrics port; the others follow one by one. 0 picks free ports.</summary>
    public int MetricsPortBase { get; init; } = 9301;

    /// <summary>The address the /metrics endpoints listen on.</summary>
    public string MetricsHost { get; init; } = "127.0.0.1";

    public bool Incidents { get; init; } = true;

    /// <summary>The mean time between incidents (each starts at random and ends by itself after a few minutes).</summary>
    public TimeSpan IncidentInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Seeds the randomness so a run can be replayed; null seeds from the clock.</summary>
    public int? Seed { get; init; }

    /// <summary>The step of the simulation clock.</summary>
    internal TimeSpan Step { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Test seam: one more span processor for each exporting provider (service name → processor).</summary>
    internal Func<string, BaseProcessor<Activity>>? SpanProcessor { get; init; }

    /// <summary>Test seam: one more log processor for each exporting provider (service name → processor).</summary>
    internal Func<string, BaseProcessor<LogRecord>>? LogProcessor { get; init; }

    /// <summary>Every problem with these options, one message each (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            problems.Add($"OtlpEndpoint '{endpoint}' must be an absolute http(s) URL, e.g. http://localhost:4317.");
        }

        if (!(Rate > 0 && Rate <= 10_000))
        {
            problems.Add($"Rate {Rate} must be more than 0 and at most 10000 requests per second.");
        }

        if (MetricsPortBase is < 0 or > 65535 - 8)
        {
            problems.Add($"MetricsPortBase {MetricsPortBase} must be 0 (free ports) or a port that leaves room for six services.");
        }

        if (IncidentInterval < TimeSpan.FromSeconds(10))
        {
            problems.Add($"IncidentInterval {IncidentInterval} must be at least 10 seconds.");
        }

        if (ApiKey is { } key && (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c == ',')))
        {
            problems.Add("ApiKey must not be empty or contain spaces or commas.");
        }

        return problems;
    }
}
