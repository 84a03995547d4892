using System.Globalization;
using OpsConsole.PrometheusHarness;

namespace OpsConsole.Benchmarks.PromQl;

/// <summary>One series of the benchmark data set: name, other labels, and one value per 15 s step from <see cref="PromQlBenchData.StartMs"/>.</summary>
public sealed record BenchSeries(string Name, KeyValuePair<string, string>[] Labels, double[] Values);

/// <summary>
/// The data set of issue 4's benchmarks, generated from fixed seeds (the same numbers on every run and machine): 6 hours
/// at 15 s resolution, samples at <see cref="StartMs"/> + k·15 s for k = 0 … 1439 (the last at 05:59:45, so the data
/// fits one 6-hour TSDB block).
/// <list type="bullet">
/// <item><c>http_requests_total{service,endpoint,status}</c>: 10,000 counters, 20 services × 25 endpoints × 20 status
/// codes (5 of them 5xx). Each endpoint has its own traffic (0.2–40 requests/s, slowly varying), split over the codes
/// (mostly 200; errors rare, many of them zero for long stretches); each 15 s increment is a noisy integer around the
/// expected count. Every fourth service restarts once, at its own time, and its counters start again from zero.</item>
/// <item><c>http_request_duration_seconds_bucket{service,endpoint,instance,le}</c>, <c>_sum</c>, <c>_count</c>: 1,000
/// classic histograms (20 services × 25 endpoints × 2 instances) of 12 buckets (5 ms … 10 s and +Inf), log-normal
/// latencies with a per-endpoint median of 10–400 ms; they reset with their service's restart.</item>
/// </list>
/// </summary>
public static class PromQlBenchData
{
    public const int StepSeconds = 15;
    public const int Points = 6 * 3600 / StepSeconds;
    public const int Counters = 20 * 25 * 20;
    public const int Histograms = 20 * 25 * 2;

    /// <summary>Bumped whenever the generator changes, so cached TSDB blocks of an older data set are not reused.</summary>
    public const int Version = 1;

    /// <summary>The first sample (midnight UTC, so 6-hour TSDB blocks align with the data).</summary>
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly long StartMs = Start.ToUnixTimeMilliseconds();

    /// <summary>The end of the data: 6 hours after the start (the last sample is one step before).</summary>
    public static readonly long EndMs = StartMs + (Points * StepSeconds * 1000L);

    public static readonly string[] Services =
    [
        "api-gateway", "auth", "billing", "cart", "catalog", "checkout", "search", "inventory", "notifications", "orders",
        "payments", "pricing", "profile", "recommendations", "reviews", "shipping", "sessions", "media", "reports", "admin",
    ];

    public static readonly string[] Endpoints =
    [
        "/", "/health", "/login", "/logout", "/api/v1/items", "/api/v1/items/{id}", "/api/v1/orders", "/api/v1/orders/{id}",
        "/api/v1/users", "/api/v1/users/{id}", "/api/v1/search", "/api/v1/cart", "/api/v1/cart/items", "/api/v1/checkout",
        "/api/v1/payments", "/api/v1/refunds", "/api/v1/shipments", "/api/v1/invoices", "/api/v1/reviews", "/api/v1/images",
        "/api/v1/reports", "/api/v1/settings", "/api/v1/export", "/api/v1/import", "/metrics",
    ];

    public static readonly string[] Statuses =
    [
        "200", "201", "202", "204", "206", "301", "302", "304", "400", "401", "403", "404", "405", "409", "429",
        "500", "501", "502", "503", "504",
    ];

    private static readonly string[] Instances = ["10.0.0.1:8080", "10.0.0.2:8080"];

    private static readonly double[] BucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Share of an endpoint's traffic per status code (index as <see cref="Statuses"/>; 200 takes the rest).</summary>
    private static readonly double[] StatusShare =
    [
        0, 0.02, 0.005, 0.03, 0.001, 0.004, 0.01, 0.05, 0.01, 0.008, 0.004, 0.02, 0.0005, 0.002, 0.003,
        0.004, 0.0002, 0.001, 0.002, 0.0008,
    ];

    /// <summary>The Unix-ms time of sample <paramref name="index"/>.</summary>
    public static long TimeOf(int index) => StartMs + (index * StepSeconds * 1000L);

    /// <summary>The sample index at which <paramref name="service"/> restarts, or −1 (every fourth service restarts once).</summary>
    public static int RestartIndex(int service) =>
        service % 4 != 0 ? -1 : 240 + (int)(new SplitMix64(7_000 + (ulong)service).NextDouble() * (Points - 480));

    /// <summary>Every series: first the 10,000 counters, then the 1,000 histograms (14 series each).</summary>
    public static IEnumerable<BenchSeries> Series()
    {
        for (var s = 0; s < Services.Length; s++)
        {
            for (var e = 0; e < Endpoints.Length; e++)
            {
                foreach (var series in RequestCounters(s, e))
                {
                    yield return series;
                }
            }
        }

        for (var s = 0; s < Services.Length; s++)
        {
            for (var e = 0; e < Endpoints.Length; e++)
            {
                for (var i = 0; i < Instances.Length; i++)
                {
                    foreach (var series in Histogram(s, e, i))
                    {
                        yield return series;
                    }
                }
            }
        }
    }

    /// <summary>Requests per second of an endpoint at sample <paramref name="k"/>: a base rate with a slow swing.</summary>
    private static double Traffic(double baseRate, double phase, int k) =>
        baseRate * (1 + (0.3 * Math.Sin((2 * Math.PI * k / 960.0) + phase)));

    private static List<BenchSeries> RequestCounters(int service, int endpoint)
    {
        var random = new SplitMix64(1_000_000 + ((ulong)service * 100) + (ulong)endpoint);
        var baseRate = 0.2 * Math.Pow(200, random.NextDouble());
        var phase = random.NextDouble() * 2 * Math.PI;
        var restart = RestartIndex(service);
        var result = new List<BenchSeries>(Statuses.Length);
        for (var c = 0; c < Statuses.Length; c++)
        {
            var share = c == 0 ? 1 - StatusShare.Sum() : StatusShare[c] * (0.5 + random.NextDouble());
            var values = new double[Points];
            var value = Math.Floor(random.NextDouble() * baseRate * share * 86_400);
            for (var k = 0; k < Points; k++)
            {
                if (k == restart)
                {
                    value = 0;
                }

                value += Increment(random, Traffic(baseRate, phase, k) * share * StepSeconds);
                values[k] = value;
            }

            result.Add(new BenchSeries("http_requests_total", Labels(("service", Services[service]), ("endpoint", Endpoints[endpoint]), ("status", Statuses[c])), values));
        }

        return result;
    }

    private static List<BenchSeries> Histogram(int service, int endpoint, int instance)
    {
        var random = new SplitMix64(2_000_000 + ((ulong)service * 1000) + ((ulong)endpoint * 10) + (ulong)instance);
        var baseRate = 0.5 * Math.Pow(60, random.NextDouble());
        var phase = random.NextDouble() * 2 * Math.PI;
        var median = 0.01 * Math.Pow(40, random.NextDouble());
        const double sigma = 0.7;
        var restart = RestartIndex(service);
        var buckets = new double[BucketBounds.Length + 1][];
        for (var b = 0; b < buckets.Length; b++)
        {
            buckets[b] = new double[Points];
        }

        var sums = new double[Points];
        var counts = new double[Points];
        var cumulative = new double[buckets.Length];
        double sum = 0, count = 0;
        for (var k = 0; k < Points; k++)
        {
            if (k == restart)
            {
                Array.Clear(cumulative);
                sum = 0;
                count = 0;
            }

            var n = Increment(random, Traffic(baseRate, phase, k) * StepSeconds);

            // This step's latencies: the endpoint's log-normal with a little drift; buckets share one rounding offset so
            // they stay cumulative (each at most the next).
            var stepMedian = median * (1 + (0.2 * (random.NextDouble() - 0.5)));
            var offset = random.NextDouble();
            for (var b = 0; b < BucketBounds.Length; b++)
            {
                cumulative[b] += Math.Floor((n * LogNormalCdf(BucketBounds[b], stepMedian, sigma)) + offset);
            }

            cumulative[^1] += n;
            count += n;
            sum += n * stepMedian * Math.Exp(sigma * sigma / 2) * (0.95 + (0.1 * random.NextDouble()));
            for (var b = 0; b < buckets.Length; b++)
            {
                buckets[b][k] = Math.Min(cumulative[b], count);
            }

            sums[k] = sum;
            counts[k] = count;
        }

        var labels = new[] { ("service", Services[service]), ("endpoint", Endpoints[endpoint]), ("instance", Instances[instance]) };
        var result = new List<BenchSeries>(buckets.Length + 2);
        for (var b = 0; b < buckets.Length; b++)
        {
            var le = b < BucketBounds.Length ? BucketBounds[b].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            result.Add(new BenchSeries("http_request_duration_seconds_bucket", Labels([.. labels, ("le", le)]), buckets[b]));
        }

        result.Add(new BenchSeries("http_request_duration_seconds_sum", Labels(labels), sums));
        result.Add(new BenchSeries("http_request_duration_seconds_count", Labels(labels), counts));
        return result;
    }

    /// <summary>A whole number of events around <paramref name="mean"/> (normal approximation of Poisson, never negative).</summary>
    private static double Increment(SplitMix64 random, double mean)
    {
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * gaussian)));
    }

    private static double LogNormalCdf(double x, double median, double sigma) =>
        0.5 * (1 + Erf(Math.Log(x / median) / (sigma * Math.Sqrt(2))));

    /// <summary>The error function (Abramowitz and Stegun 7.1.26, error below 1.5e-7: plenty for made-up latencies).</summary>
    private static double Erf(double x)
    {
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + (0.3275911 * x));
        var polynomial = ((((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t) - 0.284496736) * t) + 0.254829592) * t;
        var y = 1 - (polynomial * Math.Exp(-x * x));
        return sign * y;
    }

    private static KeyValuePair<string, string>[] Labels(params (string Name, string Value)[] labels) =>
        [.. labels.Select(l => KeyValuePair.Create(l.Name, l.Value))];
}
