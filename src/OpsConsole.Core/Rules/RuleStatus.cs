namespace OpsConsole.Core.Rules;

/// <summary>Where a group came from: a file in the provisioning folder (read-only through the API) or the API.</summary>
public enum RuleGroupSource
{
    Provisioned,
    Api,
}

/// <summary>A group as the console holds it: the group, where it came from and the last change.</summary>
public sealed record LoadedRuleGroup(RuleGroup Group, RuleGroupSource Source, string File, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public string Name => Group.Name;
}

/// <summary>As Prometheus: <c>unknown</c> until first evaluated, then <c>ok</c> or <c>err</c> after each evaluation.</summary>
public enum RuleHealth
{
    Unknown,
    Ok,
    Err,
}

/// <summary>How one rule's last evaluation went. <see cref="LastEvaluation"/> is null until it has been evaluated.</summary>
public sealed record RuleStatus(Rule Rule, RuleHealth Health, string? LastError, DateTimeOffset? LastEvaluation, TimeSpan EvaluationTime, int SeriesCount);

/// <summary>A group, its effective interval and how its last evaluation went, rule by rule.</summary>
public sealed record RuleGroupStatus(
    LoadedRuleGroup Loaded, long IntervalMs, DateTimeOffset? LastEvaluation, TimeSpan EvaluationTime, IReadOnlyList<RuleStatus> Rules)
{
    /// <summary>When the group runs next (null while the scheduler is not running it).</summary>
    public DateTimeOffset? NextEvaluation { get; init; }
}

/// <summary>Told after every group evaluation (the console's own metrics count them).</summary>
public interface IRuleEvaluationObserver
{
    /// <param name="group">the group's name</param>
    /// <param name="evaluated">rules evaluated in this cycle</param>
    /// <param name="failed">rules of those that failed</param>
    /// <param name="duration">how long the cycle took</param>
    /// <param name="missed">cycles skipped before this one because evaluation fell behind</param>
    void GroupEvaluated(string group, int evaluated, int failed, TimeSpan duration, int missed);
}
