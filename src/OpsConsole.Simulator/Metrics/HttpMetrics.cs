using System.Globalization;
using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The RED metrics every service exposes.</summary>
internal sealed class HttpMetrics(MetricFactory factory, string service)
{
    private readonly Counter _requests = factory.CreateCounter(
        "http_requests_total", "HTTP requests served, by route, status and tenant.",
        new CounterConfiguration { LabelNames = ["service", "method", "endpoint", "status", "tenant_id"] });

    private readonly Histogram _duration = factory.CreateHistogram(
        "http_request_duration_seconds", "Time to serve an HTTP request.",
        new HistogramConfiguration { LabelNames = ["service", "method", "endpoint"], Buckets = Buckets.Request });

    private readonly Gauge _inProgress = factory.CreateGauge(
        "http_requests_in_progress", "HTTP requests being served right now.",
        new GaugeConfiguration { LabelNames = ["service"] });

    public void Served(string method, string endpoint, int status, string tenantId, TimeSpan duration)
    {
        _requests.WithLabels(service, method, endpoint, status.ToString(CultureInfo.InvariantCulture), tenantId).Inc();
        _duration.WithLabels(service, method, endpoint).Observe(duration.TotalSeconds);
    }

    public void InProgress(double count) => _inProgress.WithLabels(service).Set(Math.Max(0, Math.Round(count)));
}
