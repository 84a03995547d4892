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

/// <summary>
/// <c>alert: name</c>: every series of the result is an alert, firing once it has lasted <see cref="ForMs"/>. The
/// condition is the PromQL <see cref="Rule.Expr"/>, or (OpsConsole extensions, <see cref="Rule.Expr"/> empty) a count of
/// log lines (<see cref="Logs"/>) or the health of services and checks (<see cref="Health"/>).
/// </summary>
public sealed record AlertingRule(
    string Alert, string Expr, long ForMs, long KeepFiringForMs, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
    : Rule(Expr, Labels)
{
    public override string Name => Alert;

    public override RuleKind Kind => RuleKind.Alerting;

    /// <summary>A log-based rule's condition; null for PromQL and health rules.</summary>
    public LogRuleCondition? Logs { get; init; }

    /// <summary>A health rule's condition; null for PromQL and log-based rules.</summary>
    public HealthRuleCondition? Health { get; init; }

    /// <summary>The condition as one line of text: the expression, or the log or health condition.</summary>
    public string Condition => Logs?.ToString() ?? Health?.ToString() ?? Expr;
}

/// <summary>How a log rule compares its count with its threshold.</summary>
public enum LogRuleOperator
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Equal,
    NotEqual,
}

/// <summary>
/// A log-based rule's condition: the number of log lines matching <see cref="Query"/> (the log query language) in the
/// <see cref="WindowMs"/> before the evaluation, compared with <see cref="Threshold"/> by <see cref="Operator"/>.
/// Counted per tenant; when it holds, the rule has one alert per tenant with the count as its value.
/// </summary>
public sealed record LogRuleCondition(string Query, long WindowMs, LogRuleOperator Operator, double Threshold)
{
    public static readonly IReadOnlyDictionary<string, LogRuleOperator> Operators = new Dictionary<string, LogRuleOperator>(StringComparer.Ordinal)
    {
        [">"] = LogRuleOperator.GreaterThan,
        [">="] = LogRuleOperator.GreaterOrEqual,
        ["<"] = LogRuleOperator.LessThan,
        ["<="] = LogRuleOperator.LessOrEqual,
        ["=="] = LogRuleOperator.Equal,
        ["!="] = LogRuleOperator.NotEqual,
    };

    public string OperatorText => Operators.First(o => o.Value == Operator).Key;

    public bool Holds(double count) => Operator switch
    {
        LogRuleOperator.GreaterThan => count > Threshold,
        LogRuleOperator.GreaterOrEqual => count >= Threshold,
        LogRuleOperator.LessThan => count < Threshold,
        LogRuleOperator.LessOrEqual => count <= Threshold,
        LogRuleOperator.Equal => count == Threshold,
        _ => count != Threshold,
    };

    public override string ToString() =>
        $"count of log lines matching '{Query}' over {OpsConsole.Core.Query.PromQl.PromQlDuration.Format(WindowMs)} {OperatorText} {Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A health rule's condition: with only <see cref="Service"/>, that service is down (its scrape fails or one of its
/// health checks is unhealthy); with <see cref="Check"/>, that health check (of <see cref="Service"/> when given, else of
/// any service) is unhealthy. One alert per failing service (label <c>service</c>) or check (labels <c>service</c> and
/// <c>check</c>); <c>for</c> says how long it must fail before the alert fires.
/// </summary>
public sealed record HealthRuleCondition(string? Service, string? Check)
{
    public override string ToString() => Check is null
        ? $"service {Service} is down"
        : Service is null ? $"health check {Check} is failing" : $"health check {Check} of {Service} is failing";
}
