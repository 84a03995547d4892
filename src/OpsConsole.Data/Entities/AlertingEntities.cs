namespace OpsConsole.Data.Entities;

/// <summary>One alert instance (active or resolved). Labels and annotations are JSON objects.</summary>
public sealed class AlertEntity
{
    public required string Id { get; set; }
    public required string Fingerprint { get; set; }
    public required string TenantId { get; set; }

    /// <summary><c>rule</c> or <c>external</c>.</summary>
    public required string Origin { get; set; }

    /// <summary><c>pending</c>, <c>firing</c> or <c>resolved</c>.</summary>
    public required string State { get; set; }
    public required string Labels { get; set; }
    public required string Annotations { get; set; }

    /// <summary>Null when not a number (SQLite cannot hold NaN).</summary>
    public double? Value { get; set; }
    public string? RuleGroup { get; set; }
    public string? RuleKey { get; set; }
    public string? Expression { get; set; }
    public string GeneratorUrl { get; set; } = "";
    public DateTimeOffset ActiveAt { get; set; }
    public DateTimeOffset? FiredAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgeComment { get; set; }
    public string? ResolvedBy { get; set; }
}

/// <summary>An entry of an alert's history: a transition or an operator action.</summary>
public sealed class AlertHistoryEntity
{
    public long Id { get; set; }
    public required string AlertId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public string? Actor { get; set; }
    public string? Comment { get; set; }
    public required string State { get; set; }
}

/// <summary>A silence; its state is derived from its times. Matchers are a JSON array of {name, op, value}.</summary>
public sealed class SilenceEntity
{
    public required string Id { get; set; }
    public required string Matchers { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string CreatedBy { get; set; }
    public required string Comment { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Where notification stands for one alert group (what was notified, escalation).</summary>
public sealed class NotificationGroupEntity
{
    public required string GroupKey { get; set; }
    public required string Route { get; set; }
    public required string GroupLabels { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset? LastFlushAt { get; set; }
    public DateTimeOffset? LastNotifiedAt { get; set; }

    /// <summary>JSON array of fingerprints.</summary>
    public required string NotifiedFiring { get; set; }
    public int EscalationStep { get; set; }
    public DateTimeOffset? EscalationStartedAt { get; set; }
    public bool AcknowledgeSent { get; set; }
}

/// <summary>One delivery attempt of a notification through a channel.</summary>
public sealed class NotificationDeliveryEntity
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string GroupKey { get; set; }
    public required string Channel { get; set; }
    public required string ChannelType { get; set; }
    public required string Event { get; set; }
    public int Attempt { get; set; }
    public required string Status { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public double DurationMs { get; set; }

    /// <summary>The fingerprints of the notified alerts, comma-separated.</summary>
    public required string Alerts { get; set; }
}
