using System.Globalization;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary><c>histogram_quantile</c> over classic buckets (<c>le</c> labels), following Prometheus's <c>bucketQuantile</c>.</summary>
internal sealed partial class PromQlEvaluator
{
    private const string BucketLabel = "le";

    private readonly Dictionary<FunctionCall, BucketLabelCache> _buckets = new(ReferenceEqualityComparer.Instance);

    private List<Element> HistogramQuantile(FunctionCall call, double q, List<Element> input)
    {
        if (!_buckets.TryGetValue(call, out var buckets))
        {
            _buckets[call] = buckets = new BucketLabelCache();
        }

        // Buckets belong together when all their labels but le agree, the metric name included (so two histograms
        // that differ only by name are two results, which then collide once the name is dropped, as in Prometheus).
        var index = new Dictionary<LabelSet, int>();
        var groups = new List<(BucketLabels Labels, List<(double UpperBound, double Count)> Buckets)>();
        foreach (var e in input)
        {
            // A sample without a parsable le label is skipped, as in Prometheus.
            var labels = buckets.Get(e.Labels);
            if (labels is null)
            {
                continue;
            }

            if (!index.TryGetValue(labels.Histogram, out var group))
            {
                index[labels.Histogram] = group = groups.Count;
                groups.Add((labels, []));
            }

            groups[group].Buckets.Add((labels.UpperBound, e.Value));
        }

        return groups.Select(g => new Element(g.Labels.Output, BucketQuantile(q, g.Buckets))).ToList();
    }

    /// <summary>A bucket series' upper bound, its histogram's labels (all but le) and the result's labels (without the name).</summary>
    private sealed record BucketLabels(double UpperBound, LabelSet Histogram, LabelSet Output);

    /// <summary>
    /// <see cref="BucketLabels"/> per input label set instance, worked out once per query (inputs from aggregations and
    /// selectors are the same instances at every step), the histogram labels interned; bounded, for inputs made afresh
    /// at every step.
    /// </summary>
    private sealed class BucketLabelCache
    {
        private const int MaxEntries = 1 << 16;

        private readonly Dictionary<LabelSet, BucketLabels?> _byInput = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<LabelSet, BucketLabels> _byHistogram = [];

        public BucketLabels? Get(LabelSet labels)
        {
            if (_byInput.TryGetValue(labels, out var known))
            {
                return known;
            }

            if (_byInput.Count >= MaxEntries)
            {
                _byInput.Clear();
                _byHistogram.Clear();
            }

            BucketLabels? result = null;
            if (TryParseGoFloat(labels.Get(BucketLabel), out var upperBound))
            {
                var histogram = labels.Without(BucketLabel);
                result = _byHistogram.TryGetValue(histogram, out var shared)
                    ? shared with { UpperBound = upperBound }
                    : new BucketLabels(upperBound, histogram, histogram.Without(LabelSet.MetricName));
                _byHistogram.TryAdd(histogram, result);
            }

            _byInput[labels] = result;
            return result;
        }
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
