namespace OpsConsole.Data.Entities;

/// <summary>
/// One version of the alerting configuration document (routes, receivers, inhibition rules, escalation policies and
/// channels, as JSON): the newest version is the one in force. Versions are never changed, only added.
/// </summary>
public sealed class AlertingConfigVersionEntity
{
    public long Version { get; set; }

    public required string Document { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who saved it (<c>config</c> for the copy seeded from the configuration file).</summary>
    public required string CreatedBy { get; set; }
}
