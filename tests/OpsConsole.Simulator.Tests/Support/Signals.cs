using System.Globalization;

namespace OpsConsole.Simulator.Tests.Support;

/// <summary>What an alert rule would compute from two scrapes of a target: ratios of counter increases, quantiles.</summary>
internal static class Signals
{
    public static double Increase(PrometheusText before, PrometheusText after, string name, Func<Sample, bool>? where = null) =>
        after.Sum(name, where) - before.Sum(name, where);

    /// <summary>The share of HTTP requests answered with 5xx between the scrapes.</summary>
    public static double ServerErrorRatio(PrometheusText before, PrometheusText after)
    {
        var all = Increase(before, after, "http_requests_total", s => s["endpoint"] != "/healthz");
        var errors = Increase(before, after, "http_requests_total", s => s["endpoint"] != "/healthz" && s["status"].StartsWith('5'));
        return all == 0 ? 0 : errors / all;
    }

    /// <summary>histogram_quantile over the increase of a histogram's buckets between the scrapes (linear within a bucket).</summary>
    public static double Quantile(double q, PrometheusText before, PrometheusText after, string histogram, Func<Sample, bool>? where = null)
    {
        var buckets = after.Of(histogram + "_bucket").Where(where ?? (_ => true))
            .GroupBy(s => s["le"])
            .Select(g => (Le: Le(g.Key), Count: g.Sum(s => s.Value) - before.Of(histogram + "_bucket").Where(where ?? (_ => true)).Where(s => s["le"] == g.Key).Sum(s => s.Value)))
            .OrderBy(b => b.Le)
            .ToList();
        var total = buckets[^1].Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = q * total;
        var (lowerLe, lowerCount) = (0.0, 0.0);
        foreach (var (le, count) in buckets)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(le) ? lowerLe : lowerLe + ((le - lowerLe) * (rank - lowerCount) / (count - lowerCount));
            }

            (lowerLe, lowerCount) = (le, count);
        }

        return lowerLe;
    }

    private static double Le(string le) => le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
}
