using System.Globalization;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Aggregations with <c>by</c>/<c>without</c>, following Prometheus's <c>aggregation()</c>.</summary>
internal sealed partial class PromQlEvaluator
{
    private List<Element> Aggregate(Aggregation agg, long t)
    {
        var input = Vector(agg.Expr, t);
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

        // Groups in order of first appearance, as Prometheus.
        var groups = new Dictionary<LabelSet, List<Element>>();
        var order = new List<LabelSet>();
        foreach (var e in input)
        {
            var key = GroupLabels(e.Labels, agg);
            if (valueLabel is not null)
            {
                key = key.With(valueLabel, FormatValue(e.Value));
            }

            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }

            members.Add(e);
        }

        var output = new List<Element>();
        foreach (var key in order)
        {
            var members = groups[key];
            var values = members.Select(m => m.Value).ToList();
            switch (agg.Op)
            {
                case AggregationOp.Sum:
                    output.Add(new Element(key, values.Sum()));
                    break;
                case AggregationOp.Avg:
                    output.Add(new Element(key, values.Sum() / values.Count));
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
                {
                    var mean = values.Average();
                    output.Add(new Element(key, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count)));
                    break;
                }

                case AggregationOp.Quantile:
                    output.Add(new Element(key, Quantile(parameter, values)));
                    break;
                case AggregationOp.Topk:
                case AggregationOp.Bottomk:
                {
                    // Prometheus truncates k to an integer; below 1 the result is empty.
                    var k = parameter >= members.Count ? members.Count : (long)parameter;
                    if (double.IsNaN(parameter) || k < 1)
                    {
                        break;
                    }

                    // topk: largest first, NaN counted as smallest; bottomk: smallest first, NaN counted as largest.
                    var top = agg.Op == AggregationOp.Topk;
                    output.AddRange(members
                        .OrderBy(m => double.IsNaN(m.Value) ? 1 : 0)
                        .ThenBy(m => top ? -m.Value : m.Value)
                        .Take((int)k));
                    break;
                }
            }
        }

        return output;
    }

    private static LabelSet GroupLabels(LabelSet labels, Aggregation agg)
    {
        return agg.Without
            ? labels.Without([.. agg.Grouping, LabelSet.MetricName])
            : LabelSet.From(labels.Labels.Where(l => agg.Grouping.Contains(l.Key)));
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

    /// <summary>Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: shortest round-trip digits, never an exponent.</summary>
    internal static string FormatValue(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        var r = v.ToString("R", CultureInfo.InvariantCulture);
        if (!r.Contains('E', StringComparison.Ordinal))
        {
            return r;
        }

        var exponentAt = r.IndexOf('E', StringComparison.Ordinal);
        var mantissa = r[..exponentAt];
        var exponent = int.Parse(r[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        var negative = mantissa.StartsWith('-');
        var digits = mantissa.TrimStart('-').Replace(".", "", StringComparison.Ordinal);
        var point = mantissa.TrimStart('-').IndexOf('.') is var p && p >= 0 ? p : mantissa.TrimStart('-').Length;
        point += exponent;
        string text;
        if (point <= 0)
        {
            text = "0." + new string('0', -point) + digits;
        }
        else if (point >= digits.Length)
        {
            text = digits + new string('0', point - digits.Length);
        }
        else
        {
            text = digits[..point] + "." + digits[point..];
        }

        return (negative ? "-" : "") + text;
    }

    private static bool IsValidLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
