using System.Text.Json.Serialization;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>A label matcher as the query-explain tree shows it: <c>{"name":"job","type":"=~","value":"api|web"}</c>.</summary>
public sealed record PromQlExplainMatcher(string Name, string Type, string Value);

/// <summary>How a binary operation pairs samples: <c>on</c>/<c>ignoring</c> labels and group_left/group_right.</summary>
public sealed record PromQlExplainMatching(string Cardinality, bool On, IReadOnlyList<string> Labels, IReadOnlyList<string> Include);

/// <summary>
/// One node of a parsed PromQL expression for the query-explain endpoint and the rule editor: what kind of node it
/// is, its operator or function, what it evaluates to (Prometheus's names: <c>vector</c>, <c>matrix</c>,
/// <c>scalar</c>, <c>string</c>), where it starts in the query (1-based), its PromQL text, and its children.
/// Fields that do not apply to a node are left out.
/// </summary>
public sealed record PromQlExplainNode
{
    /// <summary><c>numberLiteral</c>, <c>stringLiteral</c>, <c>vectorSelector</c>, <c>matrixSelector</c>, <c>call</c>, <c>aggregation</c>, <c>unaryExpr</c> or <c>binaryExpr</c>.</summary>
    public required string Type { get; init; }

    public required string ResultType { get; init; }

    public required int Position { get; init; }

    /// <summary>The node as PromQL (binary operations in parentheses, so precedence is visible).</summary>
    public required string Text { get; init; }

    /// <summary>Binary and unary operators (<c>+</c>, <c>and</c>, …) and aggregation operators (<c>sum</c>, <c>topk</c>, …).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Operator { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Function { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MetricName { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PromQlExplainMatcher>? Matchers { get; init; }

    /// <summary>A range selector's range, as a Prometheus duration (<c>5m</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Range { get; init; }

    /// <summary>A selector's offset, as a Prometheus duration (<c>1h</c>, <c>-5m</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Offset { get; init; }

    /// <summary>An aggregation's <c>by</c> (or, with <see cref="Without"/>, <c>without</c>) labels.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Grouping { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Without { get; init; }

    /// <summary>A comparison's <c>bool</c> modifier.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ReturnBool { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PromQlExplainMatching? Matching { get; init; }

    /// <summary>A literal's value (numbers as Prometheus prints them: <c>1.5</c>, <c>+Inf</c>, <c>NaN</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Value { get; init; }

    public IReadOnlyList<PromQlExplainNode> Children { get; init; } = [];

    /// <summary>The tree of a parsed expression.</summary>
    public static PromQlExplainNode From(PromQlExpr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var node = new PromQlExplainNode
        {
            Type = "",
            ResultType = expr.Type switch
            {
                PromQlType.Scalar => "scalar",
                PromQlType.InstantVector => "vector",
                PromQlType.RangeVector => "matrix",
                _ => "string",
            },
            Position = expr.Position,
            Text = expr.ToString(),
        };
        return expr switch
        {
            NumberLiteral n => node with { Type = "numberLiteral", Value = PromQlExpr.FormatNumber(n.Value) },
            StringLiteral s => node with { Type = "stringLiteral", Value = s.Value },
            VectorSelector v => node with
            {
                Type = "vectorSelector",
                MetricName = v.MetricName,
                Matchers = ExplainMatchers(v.Matchers),
                Offset = v.OffsetMs != 0 ? PromQlDuration.Format(v.OffsetMs) : null,
            },
            MatrixSelector m => node with
            {
                Type = "matrixSelector",
                MetricName = m.Selector.MetricName,
                Matchers = ExplainMatchers(m.Selector.Matchers),
                Range = PromQlDuration.Format(m.RangeMs),
                Offset = m.Selector.OffsetMs != 0 ? PromQlDuration.Format(m.Selector.OffsetMs) : null,
            },
            FunctionCall f => node with { Type = "call", Function = f.Function.Name, Children = [.. f.Args.Select(From)] },
            Aggregation a => node with
            {
                Type = "aggregation",
                Operator = a.OpName,
                Grouping = a.Grouping,
                Without = a.Without,
                Children = a.Param is null ? [From(a.Expr)] : [From(a.Param), From(a.Expr)],
            },
            UnaryMinus u => node with { Type = "unaryExpr", Operator = "-", Children = [From(u.Expr)] },
            BinaryExpr b => node with
            {
                Type = "binaryExpr",
                Operator = BinaryExpr.Symbol(b.Op),
                ReturnBool = b.IsComparison ? b.ReturnBool : null,
                Matching = b.Matching is { } vm
                    ? new PromQlExplainMatching(Cardinality(vm.Cardinality), vm.On, vm.MatchingLabels, vm.Include)
                    : null,
                Children = [From(b.Left), From(b.Right)],
            },
            _ => throw new PromQlUnsupportedException($"cannot explain a {expr.GetType().Name}"),
        };
    }

    private static PromQlExplainMatcher[] ExplainMatchers(IReadOnlyList<LabelMatcher> matchers) =>
        [.. matchers.Select(m => new PromQlExplainMatcher(m.Name, m.Type switch
        {
            LabelMatchType.Equal => "=",
            LabelMatchType.NotEqual => "!=",
            LabelMatchType.Regex => "=~",
            _ => "!~",
        }, m.Value))];

    private static string Cardinality(VectorMatchCardinality c) => c switch
    {
        VectorMatchCardinality.OneToOne => "one-to-one",
        VectorMatchCardinality.ManyToOne => "many-to-one",
        VectorMatchCardinality.OneToMany => "one-to-many",
        _ => "many-to-many",
    };
}
