using System.Text.Json;

namespace OpsConsole.Ingest.Native;

// The native JSON API's request bodies (PRODUCT.md contract), for services that do not speak OTLP.
// Times are RFC 3339 strings or Unix milliseconds; both are accepted.

public sealed record MetricPointDto(string? Name, Dictionary<string, string>? Labels, double? Value, JsonElement? Timestamp, string? Type, string? Help, string? Unit);

public sealed record MetricsRequest(List<MetricPointDto>? Metrics);

public sealed record SpanDto(
    string? TraceId, string? SpanId, string? ParentSpanId, string? Name, string? Service, string? Kind,
    JsonElement? StartTime, JsonElement? EndTime, double? DurationMs, string? Status, string? StatusMessage,
    Dictionary<string, JsonElement>? Attributes, List<SpanEventDto>? Events);

public sealed record SpanEventDto(string? Name, JsonElement? Timestamp, Dictionary<string, JsonElement>? Attributes);

public sealed record TracesRequest(List<SpanDto>? Spans);

public sealed record LogDto(
    JsonElement? Timestamp, string? Level, string? Message, string? Service, string? TraceId, string? SpanId,
    Dictionary<string, JsonElement>? Attributes);

public sealed record LogsRequest(List<LogDto>? Logs);

public sealed record HealthCheckDto(string? Service, string? Check, string? Status, string? Message, double? DurationMs, JsonElement? Timestamp);

public sealed record HealthChecksRequest(List<HealthCheckDto>? Checks);
