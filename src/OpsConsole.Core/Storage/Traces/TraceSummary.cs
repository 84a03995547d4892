using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Traces;

/// <summary>
/// One row of trace search results. The root is the span without a parent; while it has not arrived
/// (<see cref="HasRootSpan"/> false) the earliest span stands in for it.
/// </summary>
public sealed record TraceSummary(
    TraceId TraceId,
    string TenantId,
    string RootService,
    string RootOperation,
    bool HasRootSpan,
    DateTimeOffset Start,
    TimeSpan Duration,
    int SpanCount,
    IReadOnlyList<string> Services,
    int ErrorCount);
