namespace OpsConsole.Simulator.Incidents;

/// <summary>An incident being staged: what, where (a service, provider, tenant or topic), and when it ends by itself.</summary>
public sealed record DemoIncident(IncidentKind Kind, string Target, DateTimeOffset StartedAt, DateTimeOffset EndsAt)
{
    public TimeSpan Duration => EndsAt - StartedAt;

    public string Description => Kind switch
    {
        IncidentKind.ErrorBurst => $"error burst on {Target} (about 15% of its requests fail with 5xx)",
        IncidentKind.SlowDependency => $"slow LLM provider {Target} (p95 above 2s)",
        IncidentKind.ServiceDown => $"{Target} is down (its /metrics endpoint refuses connections)",
        IncidentKind.CacheHitRateDrop => $"cache eviction storm on {Target} (hit rate below 50%)",
        IncidentKind.UploadBacklog => $"upload queue backing up on {Target} (above 1000 jobs)",
        IncidentKind.ModelQualityDrop => $"model quality drop for tenant {Target} after a deploy",
        IncidentKind.KafkaLag => $"Kafka consumer lag on topic {Target} (above 10k)",
        _ => Kind.ToString(),
    };

    /// <summary>
    /// How strongly a building-up incident (queue, lag) shows at <paramref name="at"/>: rising over the first fifth,
    /// full in the middle, falling back to nothing by the end.
    /// </summary>
    internal double Severity(DateTimeOffset at)
    {
        if (at < StartedAt || at >= EndsAt)
        {
            return 0;
        }

        var ramp = Duration.TotalSeconds / 5;
        var fromStart = (at - StartedAt).TotalSeconds / ramp;
        var toEnd = (EndsAt - at).TotalSeconds / ramp;
        return Math.Clamp(Math.Min(fromStart, toEnd), 0, 1);
    }
}
