using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Binary operators, following Prometheus's <c>VectorBinop</c>, <c>VectorscalarBinop</c> and set operators.</summary>
internal sealed partial class PromQlEvaluator
{
    private StepValue EvaluateBinary(BinaryExpr b, long t)
    {
        var left = Evaluate(b.Left, t);
        var right = Evaluate(b.Right, t);
        switch (left, right)
        {
            case (ScalarValue l, ScalarValue r):
            {
                var (value, keep) = Apply(b.Op, l.Value, r.Value);
                return new ScalarValue(b.ReturnBool ? (keep ? 1 : 0) : value);
            }

            case (VectorValue l, ScalarValue r):
                return new VectorValue(Unique(VectorScalar(b, l.Elements, r.Value, swap: false)));
            case (ScalarValue l, VectorValue r):
                return new VectorValue(Unique(VectorScalar(b, r.Elements, l.Value, swap: true)));
            case (VectorValue l, VectorValue r):
                return new VectorValue(b.Op switch
                {
                    BinaryOp.And => SetAnd(b, l.Elements, r.Elements, keepMatches: true),
                    BinaryOp.Unless => SetAnd(b, l.Elements, r.Elements, keepMatches: false),
                    BinaryOp.Or => SetOr(b, l.Elements, r.Elements),
                    _ => VectorVector(b, l.Elements, r.Elements),
                });
            default:
                throw new InvalidOperationException("binary operation on a string");
        }
    }

    /// <summary>The value and, for comparisons, whether the sample is kept (Go's <c>vectorElemBinop</c>).</summary>
    private static (double Value, bool Keep) Apply(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Eq => (l, l == r),
        BinaryOp.Ne => (l, l != r),
        BinaryOp.Gt => (l, l > r),
        BinaryOp.Lt => (l, l < r),
        BinaryOp.Ge => (l, l >= r),
        BinaryOp.Le => (l, l <= r),
        _ => throw new InvalidOperationException($"{op} is not an arithmetic or comparison operator"),
    };

    private static List<Element> VectorScalar(BinaryExpr b, List<Element> vector, double scalar, bool swap)
    {
        var output = new List<Element>();
        foreach (var e in vector)
        {
            var (l, r) = swap ? (scalar, e.Value) : (e.Value, scalar);
            var (value, keep) = Apply(b.Op, l, r);
            if (b.IsComparison && swap)
            {
                value = r; // a comparison keeps the vector's value even when the scalar is on the left
            }

            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
                keep = true;
            }

            if (keep)
            {
                var labels = !b.IsComparison || b.ReturnBool ? e.Labels.Without(LabelSet.MetricName) : e.Labels;
                output.Add(new Element(labels, value));
            }
        }

        return output;
    }

    private List<Element> VectorVector(BinaryExpr b, List<Element> lhs, List<Element> rhs)
    {
        var matching = b.Matching ?? new VectorMatching(VectorMatchCardinality.OneToOne, [], false, []);
        var swapped = matching.Cardinality == VectorMatchCardinality.OneToMany;
        var (many, one) = swapped ? (rhs, lhs) : (lhs, rhs);

        // The "one" side must have at most one sample per match group.
        var oneBySignature = new Dictionary<LabelSet, Element>();
        foreach (var e in one)
        {
            if (!oneBySignature.TryAdd(Signature(e.Labels, matching), e))
            {
                var side = swapped ? "left" : "right";
                throw new PromQlEvaluationException(
                    $"found duplicate series for the match group {Signature(e.Labels, matching)} on the {side} hand-side of the operation: many-to-many matching not allowed: matching labels must be unique on one side");
            }
        }

        var output = new List<Element>();
        var matchedSignatures = new HashSet<LabelSet>();
        var outputLabels = new HashSet<LabelSet>();
        foreach (var e in many)
        {
            var signature = Signature(e.Labels, matching);
            if (!oneBySignature.TryGetValue(signature, out var other))
            {
                continue;
            }

            var (l, r) = swapped ? (other.Value, e.Value) : (e.Value, other.Value);
            var (value, keep) = Apply(b.Op, l, r);
            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
                keep = true;
            }

            if (!keep)
            {
                continue;
            }

            var labels = ResultLabels(e.Labels, other.Labels, b, matching);
            if (matching.Cardinality == VectorMatchCardinality.OneToOne)
            {
                if (!matchedSignatures.Add(signature))
                {
                    throw new PromQlEvaluationException(
                        $"multiple matches for labels {signature}: many-to-one matching must be explicit (group_left/group_right)");
                }
            }
            else if (!outputLabels.Add(labels))
            {
                throw new PromQlEvaluationException($"multiple matches for labels {labels}: grouping labels must ensure unique matches");
            }

            output.Add(new Element(labels, value));
        }

        return output;
    }

    /// <summary>Go's <c>resultMetric</c>: drop the name for arithmetic (and bool), reduce one-to-one results to the
    /// matched labels, and copy group_left/right's extra labels from the "one" side.</summary>
    private static LabelSet ResultLabels(LabelSet many, LabelSet one, BinaryExpr b, VectorMatching matching)
    {
        var labels = many.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        if (!b.IsComparison || b.ReturnBool)
        {
            labels.Remove(LabelSet.MetricName);
        }

        if (matching.Cardinality == VectorMatchCardinality.OneToOne)
        {
            if (matching.On)
            {
                foreach (var name in labels.Keys.Where(k => !matching.MatchingLabels.Contains(k)).ToList())
                {
                    labels.Remove(name);
                }
            }
            else
            {
                foreach (var name in matching.MatchingLabels)
                {
                    labels.Remove(name);
                }
            }
        }

        foreach (var name in matching.Include)
        {
            if (one.Get(name) is { } value)
            {
                labels[name] = value;
            }
            else
            {
                labels.Remove(name);
            }
        }

        return LabelSet.From(labels);
    }

    /// <summary>What two samples must share to match: the <c>on</c> labels, or all but the <c>ignoring</c> ones and the name.</summary>
    private static LabelSet Signature(LabelSet labels, VectorMatching matching) =>
        matching.On
            ? LabelSet.From(labels.Labels.Where(l => matching.MatchingLabels.Contains(l.Key)))
            : LabelSet.From(labels.Labels.Where(l => l.Key != LabelSet.MetricName && !matching.MatchingLabels.Contains(l.Key)));

    private static VectorMatching SetMatching(BinaryExpr b) => b.Matching ?? new VectorMatching(VectorMatchCardinality.ManyToMany, [], false, []);

    private static List<Element> SetAnd(BinaryExpr b, List<Element> lhs, List<Element> rhs, bool keepMatches)
    {
        var matching = SetMatching(b);
        var right = rhs.Select(e => Signature(e.Labels, matching)).ToHashSet();
        return lhs.Where(e => right.Contains(Signature(e.Labels, matching)) == keepMatches).ToList();
    }

    private static List<Element> SetOr(BinaryExpr b, List<Element> lhs, List<Element> rhs)
    {
        var matching = SetMatching(b);
        var left = lhs.Select(e => Signature(e.Labels, matching)).ToHashSet();
        return [.. lhs, .. rhs.Where(e => !left.Contains(Signature(e.Labels, matching)))];
    }
}
