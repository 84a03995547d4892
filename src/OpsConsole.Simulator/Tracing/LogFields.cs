namespace OpsConsole.Simulator.Tracing;

/// <summary>The structured fields every log line of the demo SaaS carries (TELEMETRY.md), plus any of its own.</summary>
internal static class LogFields
{
    public static IReadOnlyList<KeyValuePair<string, object?>> Of(
        string eventType, string? tenantId, string? userId, TimeSpan duration, string status, params (string Key, object? Value)[] more)
    {
        var fields = new List<KeyValuePair<string, object?>>(5 + more.Length)
        {
            new("event_type", eventType),
        };
        if (tenantId is not null)
        {
            fields.Add(new("tenant.id", tenantId));
        }

        if (userId is not null)
        {
            fields.Add(new("user.id", userId));
        }

        fields.Add(new("duration_ms", Math.Round(duration.TotalMilliseconds, 1)));
        fields.Add(new("status", status));
        foreach (var (key, value) in more)
        {
            fields.Add(new(key, value));
        }

        return fields;
    }
}
