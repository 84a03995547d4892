using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.PromQl;

/// <summary>
/// The fixed data set of the evaluator tests, written into a real <see cref="SeriesStore"/> (times in seconds after
/// <see cref="T0"/>):
/// <code>
/// acme  http_requests_total{job="api",instance="a"}  0:0 15:10 30:20 45:30 60:5 (reset) 75:15 90:25
/// acme  http_requests_total{job="api",instance="c"}  0:50 30:60 60:70 90:80
/// acme  http_requests_total{job="web",instance="b"}  0:100 15:110 30:120 45:130 60:140 75:150 90:160
/// acme  jobs_processed_total{job="worker"}           60:1 75:31 90:61
/// acme  temperature{job="api",instance="a"}          0:20 30:22 60:21 (gap) 600:25
/// acme  temperature{job="web",instance="b"}          0:30 60:stale marker
/// acme  request_duration_seconds_bucket{job="api",le=...}  0.1: 0:0 60:10; 0.5: 0:0 60:30; 1: 0:0 60:40; +Inf: 0:0 60:40
/// globex http_requests_total{job="api",instance="a"} 0:1000 60:2000
/// </code>
/// </summary>
public static class PromQlDataSet
{
    public static readonly long T0 = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static long At(double seconds) => T0 + (long)(seconds * 1000);

    public static PromQlEngine Engine(PromQlOptions? options = null) => new(Store(), options);

    public static SeriesStore Store()
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0) + TimeSpan.FromHours(1)));
        Write(store, "acme", Labels("http_requests_total", "api", "a"), (0, 0), (15, 10), (30, 20), (45, 30), (60, 5), (75, 15), (90, 25));
        Write(store, "acme", Labels("http_requests_total", "api", "c"), (0, 50), (30, 60), (60, 70), (90, 80));
        Write(store, "acme", Labels("http_requests_total", "web", "b"), (0, 100), (15, 110), (30, 120), (45, 130), (60, 140), (75, 150), (90, 160));
        Write(store, "acme", LabelSet.From(("__name__", "jobs_processed_total"), ("job", "worker")), (60, 1), (75, 31), (90, 61));
        Write(store, "acme", Labels("temperature", "api", "a"), (0, 20), (30, 22), (60, 21), (600, 25));
        Write(store, "acme", Labels("temperature", "web", "b"), (0, 30), (60, StaleMarker.StaleNaN));
        foreach (var (le, count) in new[] { ("0.1", 10.0), ("0.5", 30.0), ("1", 40.0), ("+Inf", 40.0) })
        {
            Write(store, "acme", LabelSet.From(("__name__", "request_duration_seconds_bucket"), ("job", "api"), ("le", le)), (0, 0), (60, count));
        }

        Write(store, "globex", Labels("http_requests_total", "api", "a"), (0, 1000), (60, 2000));
        return store;
    }

    public static LabelSet Labels(string name, string job, string instance) =>
        LabelSet.From(("__name__", name), ("job", job), ("instance", instance));

    private static void Write(SeriesStore store, string tenant, LabelSet labels, params (double Seconds, double Value)[] samples)
    {
        foreach (var (seconds, value) in samples)
        {
            store.Append(tenant, labels, At(seconds), value);
        }
    }
}
