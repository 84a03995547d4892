namespace OpsConsole.Core.Rules;

/// <summary>
/// A Prometheus rule group: rules evaluated one after the other at the same timestamp, every <see cref="IntervalMs"/>.
/// <see cref="Labels"/> are added to every rule's output (a rule's own labels win).
/// </summary>
public sealed record RuleGroup(string Name, IReadOnlyList<Rule> Rules)
{
    /// <summary>How often the group runs; null means the configured default (<c>Rules:DefaultInterval</c>, 1m).</summary>
    public long? IntervalMs { get; init; }

    /// <summary>How far back from the evaluation time the rules query (Prometheus's <c>query_offset</c>).</summary>
    public long QueryOffsetMs { get; init; }

    /// <summary>The most series a rule may produce; 0 means no limit. Over it, the rule fails and writes nothing.</summary>
    public int Limit { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The group as a one-group rule file in a canonical form: equal text means an equal group.</summary>
    public string ToYaml() => RuleFileWriter.Write([this]);
}

public enum RuleKind
{
    Recording,
    Alerting,
}

/// <summary>One rule of a group: a PromQL expression and the labels added to what it produces.</summary>
public abstract record Rule(string Expr, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The record name or the alert name.</summary>
    public abstract string Name { get; }

    public abstract RuleKind Kind { get; }
}

/// <summary><c>record: name</c>: the expression's result is stored as series named <see cref="Record"/>.</summary>
public sealed record RecordingRule(string Record, string Expr, IReadOnlyDictionary<string, string> Labels) : Rule(Expr, Labels)
{
    public override string Name => Record;

    public override RuleKind Kind => RuleKind.Recording;
}

/// <summary><c>alert: name</c>: every series of the result is an alert, firing once it has lasted <see cref="ForMs"/>.</summary>
public sealed record AlertingRule(
    string Alert, string Expr, long ForMs, long KeepFiringForMs, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
    : Rule(Expr, Labels)
{
    public override string Name => Alert;

    public override RuleKind Kind => RuleKind.Alerting;
}
