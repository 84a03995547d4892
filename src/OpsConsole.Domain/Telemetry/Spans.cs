namespace OpsConsole.Domain.Telemetry;

/// <summary>OTLP span kinds (numbers as in the specification).</summary>
public enum SpanKind : byte
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>OTLP status codes (numbers as in the specification).</summary>
public enum SpanStatusCode : byte
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}

/// <summary>The entity that produced telemetry (OTLP Resource); <c>service.name</c> identifies the service.</summary>
public sealed record TelemetryResource(IReadOnlyList<Attribute> Attributes)
{
    public static readonly TelemetryResource Empty = new([]);

    /// <summary>The <c>service.name</c> attribute, or "unknown_service" as OpenTelemetry's default.</summary>
    public string ServiceName => Find("service.name")?.ToString() ?? "unknown_service";

    public AttributeValue? Find(string key)
    {
        foreach (var a in Attributes)
        {
            if (a.Key == key)
            {
                return a.Value;
            }
        }

        return null;
    }
}

/// <summary>The library that produced telemetry (OTLP InstrumentationScope).</summary>
public sealed record InstrumentationScope(string Name, string? Version)
{
    public static readonly InstrumentationScope Empty = new("", null);
}

public sealed record SpanEvent(string Name, ulong TimeUnixNano, IReadOnlyList<Attribute> Attributes);

public sealed record SpanLink(TraceId TraceId, SpanId SpanId, string? TraceState, IReadOnlyList<Attribute> Attributes);

/// <summary>One span as received, with the tenant it was accepted for. Times are nanoseconds since the Unix epoch.</summary>
public sealed record Span
{
    public required string TenantId { get; init; }
    public required TraceId TraceId { get; init; }
    public required SpanId SpanId { get; init; }
    public SpanId ParentSpanId { get; init; }
    public string? TraceState { get; init; }
    public required string Name { get; init; }
    public SpanKind Kind { get; init; }
    public required ulong StartTimeUnixNano { get; init; }
    public required ulong EndTimeUnixNano { get; init; }
    public SpanStatusCode StatusCode { get; init; }
    public string? StatusMessage { get; init; }
    public IReadOnlyList<Attribute> Attributes { get; init; } = [];
    public IReadOnlyList<SpanEvent> Events { get; init; } = [];
    public IReadOnlyList<SpanLink> Links { get; init; } = [];
    public TelemetryResource Resource { get; init; } = TelemetryResource.Empty;
    public InstrumentationScope Scope { get; init; } = InstrumentationScope.Empty;

    public string ServiceName => Resource.ServiceName;

    public TimeSpan Duration => TimeSpan.FromTicks((long)((EndTimeUnixNano - Math.Min(StartTimeUnixNano, EndTimeUnixNano)) / 100));

    public bool IsRoot => ParentSpanId.IsEmpty;
}
