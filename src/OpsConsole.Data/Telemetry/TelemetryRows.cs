using System.Text.Json;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>Domain telemetry to database rows and back.</summary>
public static class TelemetryRows
{
    public static SpanRow ToRow(Span s) => new()
    {
        TenantId = s.TenantId,
        TraceId = s.TraceId.ToBytes(),
        SpanId = s.SpanId.ToBytes(),
        ParentSpanId = s.ParentSpanId.IsEmpty ? null : s.ParentSpanId.ToBytes(),
        TraceState = s.TraceState,
        Name = s.Name,
        ServiceName = s.ServiceName,
        Kind = (int)s.Kind,
        StartUnixNano = (long)s.StartTimeUnixNano,
        EndUnixNano = (long)s.EndTimeUnixNano,
        DurationNano = (long)(s.EndTimeUnixNano - Math.Min(s.StartTimeUnixNano, s.EndTimeUnixNano)),
        StatusCode = (int)s.StatusCode,
        StatusMessage = s.StatusMessage,
        Attributes = AttributeJson.Write(s.Attributes),
        Events = WriteEvents(s.Events),
        Links = WriteLinks(s.Links),
        Resource = AttributeJson.Write(s.Resource.Attributes),
        ScopeName = string.IsNullOrEmpty(s.Scope.Name) ? null : s.Scope.Name,
        ScopeVersion = s.Scope.Version,
    };

    public static Span FromRow(SpanRow r) => new()
    {
        TenantId = r.TenantId,
        TraceId = Domain.Telemetry.TraceId.FromBytes(r.TraceId),
        SpanId = Domain.Telemetry.SpanId.FromBytes(r.SpanId),
        ParentSpanId = r.ParentSpanId is null ? default : Domain.Telemetry.SpanId.FromBytes(r.ParentSpanId),
        TraceState = r.TraceState,
        Name = r.Name,
        Kind = (SpanKind)r.Kind,
        StartTimeUnixNano = (ulong)r.StartUnixNano,
        EndTimeUnixNano = (ulong)r.EndUnixNano,
        StatusCode = (SpanStatusCode)r.StatusCode,
        StatusMessage = r.StatusMessage,
        Attributes = AttributeJson.Read(r.Attributes),
        Events = ReadEvents(r.Events),
        Links = ReadLinks(r.Links),
        Resource = new TelemetryResource(AttributeJson.Read(r.Resource)),
        Scope = new InstrumentationScope(r.ScopeName ?? "", r.ScopeVersion),
    };

    public static LogRow ToRow(LogRecord l) => new()
    {
        TenantId = l.TenantId,
        TimeUnixNano = (long)l.TimeUnixNano,
        ObservedUnixNano = (long)l.ObservedTimeUnixNano,
        SeverityNumber = l.SeverityNumber,
        SeverityText = l.SeverityText,
        Level = l.Level,
        Body = l.Body.ToString(),
        BodyJson = AttributeJson.WriteValue(l.Body),
        Attributes = AttributeJson.Write(l.Attributes),
        TraceId = l.TraceId.IsEmpty ? null : l.TraceId.ToBytes(),
        SpanId = l.SpanId.IsEmpty ? null : l.SpanId.ToBytes(),
        ServiceName = l.ServiceName,
        Resource = AttributeJson.Write(l.Resource.Attributes),
        ScopeName = string.IsNullOrEmpty(l.Scope.Name) ? null : l.Scope.Name,
        ScopeVersion = l.Scope.Version,
    };

    public static LogRecord FromRow(LogRow r) => new()
    {
        TenantId = r.TenantId,
        TimeUnixNano = (ulong)r.TimeUnixNano,
        ObservedTimeUnixNano = (ulong)r.ObservedUnixNano,
        SeverityNumber = r.SeverityNumber,
        SeverityText = r.SeverityText,
        Body = AttributeJson.ReadValue(r.BodyJson),
        Attributes = AttributeJson.Read(r.Attributes),
        TraceId = r.TraceId is null ? default : Domain.Telemetry.TraceId.FromBytes(r.TraceId),
        SpanId = r.SpanId is null ? default : Domain.Telemetry.SpanId.FromBytes(r.SpanId),
        Resource = new TelemetryResource(AttributeJson.Read(r.Resource)),
        Scope = new InstrumentationScope(r.ScopeName ?? "", r.ScopeVersion),
    };

    public static string WriteLabels(LabelSet labels) =>
        JsonSerializer.Serialize(labels.Labels.ToDictionary(l => l.Key, l => l.Value));

    public static LabelSet ReadLabels(string json) =>
        LabelSet.From(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []);

    private static string WriteEvents(IReadOnlyList<SpanEvent> events) => events.Count == 0
        ? "[]"
        : JsonSerializer.Serialize(events.Select(e => new EventJson(e.Name, e.TimeUnixNano, AttributeJson.Write(e.Attributes))));

    private static List<SpanEvent> ReadEvents(string json) => json == "[]"
        ? []
        : [.. (JsonSerializer.Deserialize<EventJson[]>(json) ?? []).Select(e => new SpanEvent(e.N, e.T, AttributeJson.Read(e.A)))];

    private static string WriteLinks(IReadOnlyList<SpanLink> links) => links.Count == 0
        ? "[]"
        : JsonSerializer.Serialize(links.Select(l => new LinkJson(l.TraceId.ToString(), l.SpanId.ToString(), l.TraceState, AttributeJson.Write(l.Attributes))));

    private static List<SpanLink> ReadLinks(string json) => json == "[]"
        ? []
        : [.. (JsonSerializer.Deserialize<LinkJson[]>(json) ?? []).Select(l =>
            new SpanLink(Domain.Telemetry.TraceId.TryParse(l.T, out var t) ? t : default, Domain.Telemetry.SpanId.TryParse(l.S, out var s) ? s : default, l.Ts, AttributeJson.Read(l.A)))];

    private sealed record EventJson(string N, ulong T, string A);

    private sealed record LinkJson(string T, string S, string? Ts, string A);
}
