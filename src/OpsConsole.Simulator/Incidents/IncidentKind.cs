namespace OpsConsole.Simulator.Incidents;

/// <summary>The incidents the demo SaaS stages (TELEMETRY.md), each with a provisioned alert rule that should fire.</summary>
public enum IncidentKind
{
    /// <summary>One service answers more than 5% of its requests with 5xx.</summary>
    ErrorBurst,

    /// <summary>An LLM provider slows down: LLM p95 above 2 s.</summary>
    SlowDependency,

    /// <summary>A service's process is gone: its /metrics endpoint refuses connections and its callers get 503s.</summary>
    ServiceDown,

    /// <summary>Cache hit rate below 50% (an eviction storm).</summary>
    CacheHitRateDrop,

    /// <summary>The upload processing queue backs up above 1000 jobs.</summary>
    UploadBacklog,

    /// <summary>A new model version deployed for one tenant ranks worse; it is rolled back at the end.</summary>
    ModelQualityDrop,

    /// <summary>The Kafka consumer falls behind: lag above 10k.</summary>
    KafkaLag,
}
