using System.Globalization;
using System.Text;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>What an expression evaluates to.</summary>
public enum PromQlType
{
    Scalar,
    InstantVector,
    RangeVector,
    String,
}

/// <summary>
/// A node of a parsed PromQL expression. <see cref="ToString"/> prints PromQL with every binary operation in
/// parentheses (so precedence is visible); <see cref="Explain()"/> prints the tree, one node a line.
/// </summary>
public abstract record PromQlExpr
{
    public abstract PromQlType Type { get; }

    /// <summary>1-based position in the query text where this node starts (0 when built by code, not parsed).</summary>
    /// <remarks>Not part of equality: two trees that say the same thing are equal wherever they were written.</remarks>
    public int Position { get; init; }

    public virtual bool Equals(PromQlExpr? other) => other is not null && EqualityContract == other.EqualityContract;

    public override int GetHashCode() => EqualityContract.GetHashCode();

    /// <summary>The expression tree, indented two spaces a level (for the query-explain endpoint).</summary>
    public string Explain()
    {
        var sb = new StringBuilder();
        AppendTree(sb, 0);
        return sb.ToString().TrimEnd('\n');
    }

    protected abstract string Describe();

    protected virtual IEnumerable<PromQlExpr> Children => [];

    private void AppendTree(StringBuilder sb, int depth)
    {
        sb.Append(' ', depth * 2).Append(Describe()).Append('\n');
        foreach (var child in Children)
        {
            child.AppendTree(sb, depth + 1);
        }
    }

    internal static string FormatNumber(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    internal static string Quote(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

public sealed record NumberLiteral(double Value) : PromQlExpr
{
    public override PromQlType Type => PromQlType.Scalar;

    public override string ToString() => FormatNumber(Value);

    protected override string Describe() => "NumberLiteral " + this;
}

public sealed record StringLiteral(string Value) : PromQlExpr
{
    public override PromQlType Type => PromQlType.String;

    public override string ToString() => Quote(Value);

    protected override string Describe() => "StringLiteral " + this;
}

/// <summary><c>name{matchers} offset d</c>; the metric name, when given, is also among <see cref="Matchers"/>.</summary>
public sealed record VectorSelector(string? MetricName, IReadOnlyList<LabelMatcher> Matchers, long OffsetMs) : PromQlExpr
{
    public override PromQlType Type => PromQlType.InstantVector;

    public override string ToString()
    {
        var shown = Matchers.Where(m => !(MetricName is not null && m.Name == LabelSet.MetricName && m.Type == LabelMatchType.Equal && m.Value == MetricName)).ToList();
        var text = (MetricName ?? "") + (shown.Count > 0 || MetricName is null ? "{" + string.Join(", ", shown) + "}" : "");
        return OffsetMs != 0 ? text + " offset " + PromQlDuration.Format(OffsetMs) : text;
    }

    protected override string Describe() => "VectorSelector " + this;
}

/// <summary><c>selector[range]</c>, with the offset kept on the inner selector.</summary>
public sealed record MatrixSelector(VectorSelector Selector, long RangeMs) : PromQlExpr
{
    public override PromQlType Type => PromQlType.RangeVector;

    public override string ToString()
    {
        var inner = Selector with { OffsetMs = 0 };
        var text = inner + "[" + PromQlDuration.Format(RangeMs) + "]";
        return Selector.OffsetMs != 0 ? text + " offset " + PromQlDuration.Format(Selector.OffsetMs) : text;
    }

    protected override string Describe() => "MatrixSelector " + this;
}

public sealed record FunctionCall(PromQlFunction Function, IReadOnlyList<PromQlExpr> Args) : PromQlExpr
{
    public override PromQlType Type => Function.ReturnType;

    protected override IEnumerable<PromQlExpr> Children => Args;

    public override string ToString() => Function.Name + "(" + string.Join(", ", Args) + ")";

    protected override string Describe() => "Call " + Function.Name;
}

public enum AggregationOp
{
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Stddev,
    Topk,
    Bottomk,
    Quantile,
    CountValues,
}

/// <summary><c>op [by|without (labels)] ([param,] expr)</c>.</summary>
public sealed record Aggregation(AggregationOp Op, PromQlExpr Expr, PromQlExpr? Param, IReadOnlyList<string> Grouping, bool Without) : PromQlExpr
{
    public override PromQlType Type => PromQlType.InstantVector;

    public string OpName => Op == AggregationOp.CountValues ? "count_values" : Op.ToString().ToLowerInvariant();

    protected override IEnumerable<PromQlExpr> Children => Param is null ? [Expr] : [Param, Expr];

    public override string ToString() => OpName + GroupingText() + "(" + (Param is null ? "" : Param + ", ") + Expr + ")";

    protected override string Describe() => "Aggregation " + OpName + GroupingText().TrimEnd();

    private string GroupingText() =>
        Without ? " without (" + string.Join(", ", Grouping) + ") " : Grouping.Count > 0 ? " by (" + string.Join(", ", Grouping) + ") " : "";
}

public sealed record UnaryMinus(PromQlExpr Expr) : PromQlExpr
{
    public override PromQlType Type => Expr.Type;

    protected override IEnumerable<PromQlExpr> Children => [Expr];

    public override string ToString() => "-" + Expr;

    protected override string Describe() => "UnaryMinus";
}

public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
}

public enum VectorMatchCardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

/// <summary>How two vectors' samples are paired: <c>on(...)</c> or <c>ignoring(...)</c>, and <c>group_left/right(...)</c>.</summary>
public sealed record VectorMatching(VectorMatchCardinality Cardinality, IReadOnlyList<string> MatchingLabels, bool On, IReadOnlyList<string> Include)
{
    public override string ToString()
    {
        var text = On || MatchingLabels.Count > 0 ? (On ? " on(" : " ignoring(") + string.Join(", ", MatchingLabels) + ")" : "";
        return Cardinality switch
        {
            VectorMatchCardinality.ManyToOne => text + " group_left(" + string.Join(", ", Include) + ")",
            VectorMatchCardinality.OneToMany => text + " group_right(" + string.Join(", ", Include) + ")",
            _ => text,
        };
    }
}

public sealed record BinaryExpr(BinaryOp Op, PromQlExpr Left, PromQlExpr Right, bool ReturnBool, VectorMatching? Matching) : PromQlExpr
{
    public override PromQlType Type =>
        Left.Type == PromQlType.Scalar && Right.Type == PromQlType.Scalar ? PromQlType.Scalar : PromQlType.InstantVector;

    public bool IsComparison => Op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Gt or BinaryOp.Lt or BinaryOp.Ge or BinaryOp.Le;

    public bool IsSetOperator => Op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    protected override IEnumerable<PromQlExpr> Children => [Left, Right];

    public static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        BinaryOp.Pow => "^",
        BinaryOp.Eq => "==",
        BinaryOp.Ne => "!=",
        BinaryOp.Gt => ">",
        BinaryOp.Lt => "<",
        BinaryOp.Ge => ">=",
        BinaryOp.Le => "<=",
        BinaryOp.And => "and",
        BinaryOp.Or => "or",
        _ => "unless",
    };

    public override string ToString() => "(" + Left + " " + OperatorText() + " " + Right + ")";

    protected override string Describe() => "BinaryExpr " + OperatorText();

    private string OperatorText() => Symbol(Op) + (ReturnBool ? " bool" : "") + (Matching?.ToString() ?? "");
}
