using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Aggregations with <c>by</c>/<c>without</c>, following Prometheus's <c>aggregation()</c>.</summary>
internal sealed partial class PromQlEvaluator
{
    private List<Element> Aggregate(Aggregation agg, long t)
    {
        var vector = Evaluate(agg.Expr, t) as VectorValue ?? throw new InvalidOperationException("expected an instant vector");
        var input = vector.Elements;
        double parameter = 0;
        string? valueLabel = null;
        if (agg.Op == AggregationOp.CountValues)
        {
            valueLabel = ((StringValue)Evaluate(agg.Param!, t)).Value;
            if (!IsValidLabelName(valueLabel))
            {
                throw new PromQlEvaluationException($"invalid label name \"{valueLabel}\" for count_values");
            }
        }
        else if (agg.Param is not null)
        {
            parameter = Scalar(agg.Param, t);
        }

        // Prometheus truncates k to an integer, refusing what does not fit in 64 bits (NaN included), even for no input.
        long k = 0;
        if (agg.Op is AggregationOp.Topk or AggregationOp.Bottomk)
        {
            if (!(parameter <= long.MaxValue && parameter >= long.MinValue))
            {
                throw new PromQlEvaluationException($"Scalar value {PromQlFormat.Decimal(parameter)} overflows int64");
            }

            k = (long)parameter;
        }

        // Groups in order of first appearance, as Prometheus. A sum needs only its running total per group; every
        // other operation gets the group's members.
        var sumOnly = agg.Op == AggregationOp.Sum;
        var keys = GroupKeys(agg);
        var bySeries = vector is { Source: { } source, Origins: { } } ? keys.ForSource(source) : null;
        var index = new Dictionary<LabelSet, int>();
        var order = new List<LabelSet>();
        var groups = new List<List<Element>>();
        var sums = new List<double>();
        for (var j = 0; j < input.Count; j++)
        {
            var e = input[j];
            LabelSet key;
            if (valueLabel is not null && agg.Without)
            {
                // count_values sets its label on the sample first, then groups: "without" may remove it again.
                key = GroupKeys(agg).Get(e.Labels.With(valueLabel, PromQlFormat.Decimal(e.Value)));
            }
            else
            {
                key = bySeries is null ? keys.Get(e.Labels) : bySeries[vector.Origins![j]] ??= keys.Get(e.Labels);
                if (valueLabel is not null)
                {
                    key = key.With(valueLabel, PromQlFormat.Decimal(e.Value));
                }
            }

            if (!index.TryGetValue(key, out var group))
            {
                index[key] = group = order.Count;
                order.Add(key);
                if (sumOnly)
                {
                    sums.Add(0);
                }
                else
                {
                    groups.Add([]);
                }
            }

            if (sumOnly)
            {
                // In input order, as Prometheus 2.x adds (no compensated summation).
                sums[group] += e.Value;
            }
            else
            {
                groups[group].Add(e);
            }
        }

        var output = new List<Element>(order.Count);
        if (sumOnly)
        {
            for (var g = 0; g < order.Count; g++)
            {
                output.Add(new Element(order[g], sums[g]));
            }

            return output;
        }

        for (var g = 0; g < order.Count; g++)
        {
            var key = order[g];
            var members = groups[g];
            var values = members.Select(m => m.Value).ToList();
            switch (agg.Op)
            {
                case AggregationOp.Avg:
                    output.Add(new Element(key, IncrementalMean(values)));
                    break;
                case AggregationOp.Count:
                case AggregationOp.CountValues:
                    output.Add(new Element(key, values.Count));
                    break;
                case AggregationOp.Min:
                    output.Add(new Element(key, values.Aggregate((a, b) => b < a || double.IsNaN(a) ? b : a)));
                    break;
                case AggregationOp.Max:
                    output.Add(new Element(key, values.Aggregate((a, b) => b > a || double.IsNaN(a) ? b : a)));
                    break;
                case AggregationOp.Stddev:
                    output.Add(new Element(key, StandardDeviation(values)));
                    break;
                case AggregationOp.Quantile:
                    output.Add(new Element(key, Quantile(parameter, values)));
                    break;
                case AggregationOp.Topk:
                case AggregationOp.Bottomk:
                    output.AddRange(SelectK(members, k, agg.Op == AggregationOp.Topk));
                    break;
            }
        }

        return output;
    }

    /// <summary>
    /// Prometheus 2.x's <c>avg</c>: a running mean, <c>mean += v/n − mean/n</c> (which cannot overflow), keeping an
    /// infinite mean unless a NaN or an infinity of the other sign arrives. Not the same rounding as sum/count.
    /// </summary>
    internal static double IncrementalMean(List<double> values)
    {
        var mean = values[0];
        for (var i = 1; i < values.Count; i++)
        {
            var v = values[i];
            double n = i + 1;
            if (double.IsInfinity(mean) && ((double.IsInfinity(v) && mean > 0 == v > 0) || (!double.IsInfinity(v) && !double.IsNaN(v))))
            {
                continue;
            }

            mean += (v / n) - (mean / n);
        }

        return mean;
    }

    /// <summary>Prometheus 2.x's <c>stddev</c>: Welford's running variance over the population, then the square root.</summary>
    internal static double StandardDeviation(List<double> values)
    {
        double mean = values[0], squares = 0;
        for (var i = 1; i < values.Count; i++)
        {
            var delta = values[i] - mean;
            mean += delta / (i + 1);
            squares += delta * (values[i] - mean);
        }

        return Math.Sqrt(squares / values.Count);
    }

    /// <summary>
    /// topk/bottomk as Prometheus 2.x selects them (k below 1: nothing): a bounded heap that
    /// keeps the first k samples and replaces its root only by a strictly better one (so ties resolve the same way),
    /// then ordered best first (NaN last).
    /// </summary>
    internal static List<Element> SelectK(List<Element> members, long limit, bool top)
    {
        if (limit < 1)
        {
            return [];
        }

        // Root of the heap is the worst kept sample: the smallest for topk, the largest for bottomk, NaN before all.
        bool Less(Element a, Element b) => double.IsNaN(a.Value) || (top ? a.Value < b.Value : a.Value > b.Value);
        var heap = new List<Element>();
        foreach (var e in members)
        {
            if (heap.Count < limit)
            {
                GoHeap.Push(heap, e, Less);
            }
            else if ((top ? heap[0].Value < e.Value : heap[0].Value > e.Value) || double.IsNaN(heap[0].Value))
            {
                if (limit == 1)
                {
                    heap[0] = e;
                }
                else
                {
                    GoHeap.Pop(heap, Less);
                    GoHeap.Push(heap, e, Less);
                }
            }
        }

        return [.. heap.OrderBy(e => double.IsNaN(e.Value) ? 1 : 0).ThenBy(e => top ? -e.Value : e.Value)];
    }

    private GroupKeyCache GroupKeys(Aggregation agg)
    {
        if (!_groupKeys.TryGetValue(agg, out var keys))
        {
            _groupKeys[agg] = keys = new GroupKeyCache(agg);
        }

        return keys;
    }

    /// <summary>
    /// An aggregation's group labels of its input label sets, worked out once per query per input label set instance
    /// (inputs from selectors and functions of range selectors are the same instances at every step) and interned, so
    /// equal groups share one instance. Holds a bounded number, for inputs made afresh at every step.
    /// </summary>
    private sealed class GroupKeyCache(Aggregation agg)
    {
        private const int MaxEntries = 1 << 16;

        private readonly Dictionary<LabelSet, LabelSet> _byInput = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<LabelSet, LabelSet> _interned = [];
        private readonly Dictionary<RangeFunctionNode, LabelSet?[]> _bySource = new(ReferenceEqualityComparer.Instance);

        /// <summary>The group labels by series index of <paramref name="source"/>, filled in as series turn up.</summary>
        public LabelSet?[] ForSource(RangeFunctionNode source)
        {
            if (!_bySource.TryGetValue(source, out var keys))
            {
                _bySource[source] = keys = new LabelSet?[source.SeriesCount];
            }

            return keys;
        }

        public LabelSet Get(LabelSet labels)
        {
            if (_byInput.TryGetValue(labels, out var key))
            {
                return key;
            }

            key = agg.Without
                ? labels.Without([.. agg.Grouping, LabelSet.MetricName])
                : LabelSet.From(labels.Labels.Where(l => agg.Grouping.Contains(l.Key)));
            if (_byInput.Count >= MaxEntries)
            {
                _byInput.Clear();
                _interned.Clear();
            }

            if (!_interned.TryAdd(key, key))
            {
                key = _interned[key];
            }

            _byInput[labels] = key;
            return key;
        }
    }

    /// <summary>Prometheus's <c>quantile</c>: linear interpolation between the two nearest ranks.</summary>
    internal static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        var sorted = values.Order().ToList();
        var n = sorted.Count;
        var rank = q * (n - 1);
        var lower = Math.Max(0, (int)Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return (sorted[lower] * (1 - weight)) + (sorted[upper] * weight);
    }

    private static bool IsValidLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
