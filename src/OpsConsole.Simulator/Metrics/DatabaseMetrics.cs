using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The PostgreSQL client side of a service: pool use and query latency.</summary>
internal sealed class DatabaseMetrics(MetricFactory factory)
{
    private readonly Gauge _connections = factory.CreateGauge(
        "db_connections_active", "Database connections checked out of the pool.");

    private readonly Histogram _queryDuration = factory.CreateHistogram(
        "db_query_duration_seconds", "Database query latency.",
        new HistogramConfiguration { LabelNames = ["query_type"], Buckets = Buckets.Query });

    public void Queried(string queryType, TimeSpan duration) => _queryDuration.WithLabels(queryType).Observe(duration.TotalSeconds);

    public void Connections(double active) => _connections.Set(Math.Max(0, Math.Round(active)));
}
