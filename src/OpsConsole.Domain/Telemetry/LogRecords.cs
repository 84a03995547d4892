namespace OpsConsole.Domain.Telemetry;

/// <summary>One log record as received (OTLP LogRecord), with the tenant it was accepted for.</summary>
public sealed record LogRecord
{
    public required string TenantId { get; init; }

    /// <summary>When the event happened (falls back to the observed time when the sender gave none).</summary>
    public required ulong TimeUnixNano { get; init; }
    public ulong ObservedTimeUnixNano { get; init; }

    /// <summary>OTLP severity number 1-24 (0 = unspecified); see <see cref="Severity"/>.</summary>
    public int SeverityNumber { get; init; }
    public string? SeverityText { get; init; }
    public AttributeValue Body { get; init; } = AttributeValue.Empty;
    public IReadOnlyList<Attribute> Attributes { get; init; } = [];
    public TraceId TraceId { get; init; }
    public SpanId SpanId { get; init; }
    public TelemetryResource Resource { get; init; } = TelemetryResource.Empty;
    public InstrumentationScope Scope { get; init; } = InstrumentationScope.Empty;

    public string ServiceName => Resource.ServiceName;

    /// <summary>The level people filter by: trace, debug, info, warn, error, fatal.</summary>
    public string Level => Severity.LevelOf(SeverityNumber, SeverityText);
}

public static class Severity
{
    /// <summary>Maps an OTLP severity number (or, when 0, the text) to one of six level names.</summary>
    public static string LevelOf(int number, string? text) => number switch
    {
        >= 1 and <= 4 => "trace",
        >= 5 and <= 8 => "debug",
        >= 9 and <= 12 => "info",
        >= 13 and <= 16 => "warn",
        >= 17 and <= 20 => "error",
        >= 21 and <= 24 => "fatal",
        _ => text?.Trim().ToLowerInvariant() switch
        {
            "trace" => "trace",
            "debug" => "debug",
            "warn" or "warning" => "warn",
            "error" or "err" => "error",
            "fatal" or "critical" or "crit" => "fatal",
            _ => "info",
        },
    };
}
