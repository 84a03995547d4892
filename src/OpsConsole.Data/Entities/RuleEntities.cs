namespace OpsConsole.Data.Entities;

/// <summary>
/// A rule group: its definition as a one-group Prometheus rule file (<see cref="Yaml"/>, written canonically), where
/// it came from (<c>provisioned</c> from a file in the rules folder, or <c>api</c>) and the last change.
/// </summary>
public sealed class RuleGroupEntity
{
    public required string Name { get; set; }

    /// <summary><c>provisioned</c> or <c>api</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The provisioning file (relative to the rules folder), or <c>api</c>.</summary>
    public required string File { get; set; }

    public required string Yaml { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}
