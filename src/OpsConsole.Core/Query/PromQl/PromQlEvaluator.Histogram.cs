using System.Globalization;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary><c>histogram_quantile</c> over classic buckets (<c>le</c> labels), following Prometheus's <c>bucketQuantile</c>.</summary>
internal sealed partial class PromQlEvaluator
{
    private const string BucketLabel = "le";

    private List<Element> HistogramQuantile(double q, List<Element> input)
    {
        // Buckets belong together when all their labels but le agree, the metric name included (so two histograms
        // that differ only by name are two results, which then collide once the name is dropped, as in Prometheus).
        var groups = new Dictionary<LabelSet, List<(double UpperBound, double Count)>>();
        var order = new List<LabelSet>();
        foreach (var e in input)
        {
            // A sample without a parsable le label is skipped, as in Prometheus.
            if (!TryParseGoFloat(e.Labels.Get(BucketLabel), out var upperBound))
            {
                continue;
            }

            var key = e.Labels.Without(BucketLabel);
            if (!groups.TryGetValue(key, out var buckets))
            {
                groups[key] = buckets = [];
                order.Add(key);
            }

            buckets.Add((upperBound, e.Value));
        }

        return order.Select(key => new Element(key.Without(LabelSet.MetricName), BucketQuantile(q, groups[key]))).ToList();
    }

    internal static double BucketQuantile(double q, List<(double UpperBound, double Count)> input)
    {
        if (double.IsNaN(q))
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

        // Sort by upper bound, merge equal bounds (summing counts), then make the counts monotonic.
        var buckets = new List<(double UpperBound, double Count)>();
        foreach (var b in input.OrderBy(b => b.UpperBound))
        {
            if (buckets.Count > 0 && buckets[^1].UpperBound == b.UpperBound)
            {
                buckets[^1] = (b.UpperBound, buckets[^1].Count + b.Count);
            }
            else
            {
                buckets.Add(b);
            }
        }

        if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }

        var max = double.NegativeInfinity;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i].Count > max)
            {
                max = buckets[i].Count;
            }
            else if (buckets[i].Count < max)
            {
                buckets[i] = (buckets[i].UpperBound, max);
            }
        }

        if (buckets.Count < 2)
        {
            return double.NaN;
        }

        var observations = buckets[^1].Count;
        if (observations == 0)
        {
            return double.NaN;
        }

        var rank = q * observations;
        var bucket = 0;
        while (bucket < buckets.Count - 1 && buckets[bucket].Count < rank)
        {
            bucket++;
        }

        if (bucket == buckets.Count - 1)
        {
            return buckets[^2].UpperBound;
        }

        if (bucket == 0 && buckets[0].UpperBound <= 0)
        {
            return buckets[0].UpperBound;
        }

        double bucketStart = 0;
        var bucketEnd = buckets[bucket].UpperBound;
        var count = buckets[bucket].Count;
        if (bucket > 0)
        {
            bucketStart = buckets[bucket - 1].UpperBound;
            count -= buckets[bucket - 1].Count;
            rank -= buckets[bucket - 1].Count;
        }

        return bucketStart + ((bucketEnd - bucketStart) * (rank / count));
    }

    /// <summary>Go's <c>strconv.ParseFloat</c> for bucket bounds: decimals, exponents, and Inf/+Inf/-Inf/NaN in any case.</summary>
    private static bool TryParseGoFloat(string? text, out double value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var trimmed = text.TrimStart('+', '-');
        if (trimmed.Equals("inf", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
            return text.Length - trimmed.Length <= 1;
        }

        if (trimmed.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return text.Length == trimmed.Length;
        }

        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }
}
