using System.Globalization;

namespace OpsConsole.PrometheusHarness;

/// <summary>
/// Compares OpsConsole's answer with Prometheus's: the same status (and errorType on errors), resultType, series (label
/// sets compared as sets), timestamps, and values equal within <see cref="RelativeTolerance"/> (NaN equals NaN,
/// infinities exactly). For ordered results (sort, sort_desc, topk, bottomk) the values must also come in the same order.
/// </summary>
public static class AnswerComparer
{
    public const double RelativeTolerance = 1e-9;

    public static List<string> Differences(PromAnswer prometheus, PromAnswer console, bool ordered)
    {
        var differences = new List<string>();
        if (prometheus.Status != console.Status)
        {
            differences.Add($"status: Prometheus \"{prometheus.Status}\" ({prometheus.ErrorType}: {prometheus.Error}), OpsConsole \"{console.Status}\" ({console.ErrorType}: {console.Error})");
            return differences;
        }

        if (prometheus.Status != "success")
        {
            if (prometheus.ErrorType != console.ErrorType)
            {
                differences.Add($"errorType: Prometheus \"{prometheus.ErrorType}\" ({prometheus.Error}), OpsConsole \"{console.ErrorType}\" ({console.Error})");
            }

            if (prometheus.HttpStatus != console.HttpStatus)
            {
                differences.Add($"HTTP status of the error: Prometheus {(int)prometheus.HttpStatus}, OpsConsole {(int)console.HttpStatus}");
            }

            return differences;
        }

        if (prometheus.ResultType != console.ResultType)
        {
            differences.Add($"resultType: Prometheus \"{prometheus.ResultType}\", OpsConsole \"{console.ResultType}\"");
            return differences;
        }

        if (prometheus.StringValue != console.StringValue)
        {
            differences.Add($"string value: Prometheus \"{prometheus.StringValue}\", OpsConsole \"{console.StringValue}\"");
        }

        var expected = BySeries(prometheus, "Prometheus", differences);
        var actual = BySeries(console, "OpsConsole", differences);
        foreach (var labels in expected.Keys.Except(actual.Keys))
        {
            differences.Add($"series missing in OpsConsole: {labels} ({expected[labels].Points.Count} points)");
        }

        foreach (var labels in actual.Keys.Except(expected.Keys))
        {
            differences.Add($"series only in OpsConsole: {labels} ({actual[labels].Points.Count} points)");
        }

        foreach (var labels in expected.Keys.Intersect(actual.Keys))
        {
            ComparePoints(labels, expected[labels].Points, actual[labels].Points, differences);
        }

        if (ordered && differences.Count == 0)
        {
            // Prometheus orders equal values arbitrarily, so the order is checked on the values.
            var expectedOrder = prometheus.Series.Select(s => s.Points[0].Value).ToList();
            var actualOrder = console.Series.Select(s => s.Points[0].Value).ToList();
            if (!expectedOrder.Zip(actualOrder).All(p => SameValue(p.First, p.Second)))
            {
                differences.Add($"order of values: Prometheus [{string.Join(", ", expectedOrder.Select(Format))}], OpsConsole [{string.Join(", ", actualOrder.Select(Format))}]");
            }
        }

        return differences;
    }

    /// <summary>Equal within 1e-9 relative; NaN equals NaN; infinities only themselves.</summary>
    public static bool SameValue(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            return expected == actual;
        }

        return expected == actual || Math.Abs(expected - actual) <= RelativeTolerance * Math.Max(Math.Abs(expected), Math.Abs(actual));
    }

    private static Dictionary<string, PromSeries> BySeries(PromAnswer answer, string who, List<string> differences)
    {
        var result = new Dictionary<string, PromSeries>(StringComparer.Ordinal);
        foreach (var s in answer.Series)
        {
            if (!result.TryAdd(s.Labels, s))
            {
                differences.Add($"{who} returned the label set {s.Labels} twice");
            }
        }

        return result;
    }

    private static void ComparePoints(string labels, IReadOnlyList<PromPoint> expected, IReadOnlyList<PromPoint> actual, List<string> differences)
    {
        var expectedByTime = expected.ToDictionary(p => p.Timestamp);
        var actualByTime = actual.ToDictionary(p => p.Timestamp);
        var missing = expectedByTime.Keys.Except(actualByTime.Keys).Order().ToList();
        var extra = actualByTime.Keys.Except(expectedByTime.Keys).Order().ToList();
        if (missing.Count > 0)
        {
            differences.Add($"{labels}: {missing.Count} point(s) missing in OpsConsole, first at {missing[0]} ({Format(expectedByTime[missing[0]].Value)})");
        }

        if (extra.Count > 0)
        {
            differences.Add($"{labels}: {extra.Count} point(s) only in OpsConsole, first at {extra[0]} ({Format(actualByTime[extra[0]].Value)})");
        }

        var wrong = expected.Where(p => actualByTime.TryGetValue(p.Timestamp, out var a) && !SameValue(p.Value, a.Value)).ToList();
        if (wrong.Count > 0)
        {
            var first = wrong[0];
            differences.Add($"{labels}: {wrong.Count} value(s) differ, first at {first.Timestamp}: Prometheus {Format(first.Value)}, OpsConsole {Format(actualByTime[first.Timestamp].Value)}");
        }

        // Equal values must also be written alike (Go's shortest decimal form, never an exponent).
        var text = expected.Where(p => actualByTime.TryGetValue(p.Timestamp, out var a) && p.Value.Equals(a.Value) && p.Text != a.Text).ToList();
        if (text.Count > 0)
        {
            differences.Add($"{labels}: {text.Count} value(s) written differently, first at {text[0].Timestamp}: Prometheus \"{text[0].Text}\", OpsConsole \"{actualByTime[text[0].Timestamp].Text}\"");
        }

        if (differences.Count == 0 && !expected.Select(p => p.Timestamp).SequenceEqual(actual.Select(p => p.Timestamp)))
        {
            differences.Add($"{labels}: points are not in time order in OpsConsole");
        }
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
