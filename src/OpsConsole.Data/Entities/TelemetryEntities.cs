namespace OpsConsole.Data.Entities;

/// <summary>A stored span. Ids are raw bytes; times are nanoseconds since the Unix epoch; attribute-like
/// fields are typed JSON (<see cref="Telemetry.AttributeJson"/>).</summary>
public sealed class SpanRow
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TraceId { get; set; }
    public required byte[] SpanId { get; set; }
    public byte[]? ParentSpanId { get; set; }
    public string? TraceState { get; set; }
    public required string Name { get; set; }
    public required string ServiceName { get; set; }
    public int Kind { get; set; }
    public long StartUnixNano { get; set; }
    public long EndUnixNano { get; set; }
    public long DurationNano { get; set; }
    public int StatusCode { get; set; }
    public string? StatusMessage { get; set; }
    public required string Attributes { get; set; }
    public required string Events { get; set; }
    public required string Links { get; set; }
    public required string Resource { get; set; }
    public string? ScopeName { get; set; }
    public string? ScopeVersion { get; set; }
}

/// <summary>A stored log record; <see cref="Body"/> is the text people search, <see cref="BodyJson"/> the typed value.</summary>
public sealed class LogRow
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public long TimeUnixNano { get; set; }
    public long ObservedUnixNano { get; set; }
    public int SeverityNumber { get; set; }
    public string? SeverityText { get; set; }
    public required string Level { get; set; }
    public required string Body { get; set; }
    public required string BodyJson { get; set; }
    public required string Attributes { get; set; }
    public byte[]? TraceId { get; set; }
    public byte[]? SpanId { get; set; }
    public required string ServiceName { get; set; }
    public required string Resource { get; set; }
    public string? ScopeName { get; set; }
    public string? ScopeVersion { get; set; }
}

/// <summary>A metric series: its labels, keyed by tenant and label-set fingerprint.</summary>
public sealed class SeriesRow
{
    public required string TenantId { get; set; }
    public long Fingerprint { get; set; }
    public required string MetricName { get; set; }

    /// <summary>JSON object of label name to value (sorted).</summary>
    public required string Labels { get; set; }
    public long FirstSeenMs { get; set; }
}

/// <summary>
/// One sample of a series. (tenant, fingerprint, timestamp) is unique: a re-sent sample is ignored. NaN values are
/// kept as <see cref="Value"/> = null with <see cref="NaNKind"/> saying which NaN (SQLite turns NaN into NULL, and
/// neither database keeps the payload that marks Prometheus's stale marker).
/// </summary>
public sealed class SampleRow
{
    public required string TenantId { get; set; }
    public long Fingerprint { get; set; }
    public long TimestampMs { get; set; }
    public double? Value { get; set; }

    /// <summary>0: a number (finite or infinite) in <see cref="Value"/>; 1: NaN; 2: the stale marker.</summary>
    public byte NaNKind { get; set; }

    public static (double? Value, byte NaNKind) Encode(double value) =>
        !double.IsNaN(value) ? (value, (byte)0) : Domain.Telemetry.StaleMarker.IsStaleNaN(value) ? (null, (byte)2) : (null, (byte)1);

    public static double Decode(double? value, byte nanKind) => nanKind switch
    {
        1 => double.NaN,
        2 => Domain.Telemetry.StaleMarker.StaleNaN,
        _ => value ?? double.NaN,
    };
}

/// <summary>A metric family's type, help and unit.</summary>
public sealed class MetricMetadataRow
{
    public required string Name { get; set; }
    public int Type { get; set; }
    public string? Help { get; set; }
    public string? Unit { get; set; }
}

/// <summary>A reported health-check result.</summary>
public sealed class HealthCheckRow
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Service { get; set; }
    public required string Check { get; set; }
    public int Status { get; set; }
    public string? Message { get; set; }
    public double? DurationMs { get; set; }
    public long TimestampMs { get; set; }
}
