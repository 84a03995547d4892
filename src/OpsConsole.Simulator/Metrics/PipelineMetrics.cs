using OpsConsole.Simulator.Catalog;
using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The data pipeline's ETL jobs and Kafka consumers.</summary>
internal sealed class PipelineMetrics
{
    private readonly Histogram _jobDuration;
    private readonly Counter _failures;
    private readonly Counter _records;
    private readonly Gauge _lag;

    public PipelineMetrics(MetricFactory factory)
    {
        _jobDuration = factory.CreateHistogram(
            "etl_job_duration_seconds", "Duration of an ETL job run.", new HistogramConfiguration { LabelNames = ["job_name"], Buckets = Buckets.EtlJob });
        _failures = factory.CreateCounter(
            "etl_job_failures_total", "ETL job runs that failed, by reason.", new CounterConfiguration { LabelNames = ["job_name", "reason"] });
        _records = factory.CreateCounter(
            "etl_records_processed_total", "Records an ETL job processed, by source.", new CounterConfiguration { LabelNames = ["job_name", "source"] });
        _lag = factory.CreateGauge(
            "kafka_consumer_lag", "Messages the consumer group is behind on a partition.", new GaugeConfiguration { LabelNames = ["topic", "partition"] });
        foreach (var job in KnownLabels.EtlJobs)
        {
            foreach (var reason in KnownLabels.EtlFailureReasons)
            {
                _failures.WithLabels(job, reason);
            }
        }
    }

    public void JobRan(string jobName, TimeSpan duration, string? failureReason)
    {
        _jobDuration.WithLabels(jobName).Observe(duration.TotalSeconds);
        if (failureReason is not null)
        {
            _failures.WithLabels(jobName, failureReason).Inc();
        }
    }

    public void Processed(string jobName, string source, long records) => _records.WithLabels(jobName, source).Inc(records);

    public void Lag(string topic, string partition, double lag) => _lag.WithLabels(topic, partition).Set(Math.Max(0, Math.Round(lag)));
}
