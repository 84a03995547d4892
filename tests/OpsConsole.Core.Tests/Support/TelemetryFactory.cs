using OpsConsole.Domain.Telemetry;
using Attribute = OpsConsole.Domain.Telemetry.Attribute;

namespace OpsConsole.Core.Tests.Support;

/// <summary>Builds spans and log records for store tests, with times as offsets from a fixed base.</summary>
public static class TelemetryFactory
{
    public static readonly DateTimeOffset Base = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static ulong Nanos(TimeSpan offset) => (ulong)(Base + offset).ToUnixTimeMilliseconds() * 1_000_000UL;

    public static readonly Dictionary<string, TelemetryResource> Resources = [];

    public static TelemetryResource ResourceOf(string service, params Attribute[] extra)
    {
        var key = service + "|" + string.Join(",", extra.Select(a => a.Key + "=" + a.Value));
        lock (Resources)
        {
            if (!Resources.TryGetValue(key, out var resource))
            {
                resource = new TelemetryResource([new Attribute("service.name", AttributeValue.Of(service)), .. extra]);
                Resources[key] = resource;
            }

            return resource;
        }
    }

    public static Span Span(
        string tenant,
        TraceId trace,
        ulong spanId,
        string service,
        string name,
        TimeSpan start,
        TimeSpan duration,
        ulong parent = 0,
        bool error = false,
        params Attribute[] attributes) => new()
    {
        TenantId = tenant,
        TraceId = trace,
        SpanId = new SpanId(spanId),
        ParentSpanId = new SpanId(parent),
        Name = name,
        StartTimeUnixNano = Nanos(start),
        EndTimeUnixNano = Nanos(start + duration),
        StatusCode = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
        Attributes = attributes,
        Resource = ResourceOf(service),
    };

    public static LogRecord Log(
        string tenant,
        TimeSpan at,
        string body,
        int severity = 9,
        string service = "api-gateway",
        TraceId trace = default,
        SpanId span = default,
        params Attribute[] attributes) => new()
    {
        TenantId = tenant,
        TimeUnixNano = Nanos(at),
        SeverityNumber = severity,
        Body = AttributeValue.Of(body),
        TraceId = trace,
        SpanId = span,
        Attributes = attributes,
        Resource = ResourceOf(service),
    };

    public static Attribute Attr(string key, string value) => new(key, AttributeValue.Of(value));

    public static Attribute Attr(string key, long value) => new(key, AttributeValue.Of(value));
}
