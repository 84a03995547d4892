namespace OpsConsole.Domain.Telemetry;

public enum HealthStatus : byte
{
    Healthy = 0,
    Degraded = 1,
    Unhealthy = 2,
}

/// <summary>One health-check result a monitored service reported (or an active probe observed).</summary>
public sealed record HealthCheckResult(
    string TenantId, string Service, string Check, HealthStatus Status, string? Message, double? DurationMs, long TimestampMs);
