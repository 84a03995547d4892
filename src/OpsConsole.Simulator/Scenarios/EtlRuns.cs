using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>data-pipeline: ETL jobs on their schedules, each run a root span with a child span per batch.</summary>
internal sealed class EtlRuns(DemoSaas saas)
{
    private static readonly EtlJob[] Jobs =
    [
        new(KnownLabels.EtlJobs[0], "kafka", TimeSpan.FromSeconds(60), ReadsUserEvents: true),
        new(KnownLabels.EtlJobs[1], "postgres", TimeSpan.FromMinutes(2), ReadsUserEvents: false),
        new(KnownLabels.EtlJobs[2], "postgres", TimeSpan.FromMinutes(5), ReadsUserEvents: false),
    ];

    private readonly Dictionary<string, DateTimeOffset> _nextRun = [];

    public void Advance(DateTimeOffset now)
    {
        foreach (var job in Jobs)
        {
            if (!_nextRun.TryGetValue(job.Name, out var due))
            {
                _nextRun[job.Name] = now + (job.Every * saas.Chance.Uniform(0.05, 1));
                continue;
            }

            if (now < due)
            {
                continue;
            }

            _nextRun[job.Name] = now + (job.Every * saas.Chance.Uniform(0.9, 1.1));
            if (saas.Services.DataPipeline.IsUp)
            {
                Run(job, now);
            }
        }
    }

    private void Run(EtlJob job, DateTimeOffset end)
    {
        var chance = saas.Chance;
        var pipeline = saas.Services.DataPipeline;
        var metrics = pipeline.Metrics;
        var lagging = job.ReadsUserEvents && saas.Conditions.IsKafkaLagging;
        var run = SpanDraft.Root(pipeline, "etl.run", ActivityKind.Internal)
            .Tag("etl.job_name", job.Name)
            .Tag("etl.source", job.Source)
            .Tag("etl.run_id", "run-" + chance.HexId(10));
        var batches = chance.Int(3, 9);
        string? failureReason = null;
        long records = 0;
        for (var i = 1; i <= batches && failureReason is null; i++)
        {
            var batch = run.Child(pipeline, "etl.batch", ActivityKind.Internal).Tag("etl.job_name", job.Name).Tag("etl.batch.index", i);
            var size = chance.Int(500, 5000);
            Failure? failure = null;
            if (job.Source == "kafka")
            {
                var poll = batch.Call(Dependencies.Kafka, "poll", chance.Latency(lagging ? 2.5 : 0.15, 0.4))
                    .Tag("messaging.system", "kafka")
                    .Tag("messaging.operation.type", "receive")
                    .Tag("messaging.destination.name", KafkaTopics.UserEvents)
                    .Tag("messaging.consumer.group.name", "warehouse-loader")
                    .Tag("messaging.batch.message_count", size);
                if (lagging && chance.Happens(0.3))
                {
                    failure = Failure.ConsumerTimeout(KafkaTopics.UserEvents);
                    poll.Fail(failure);
                    failureReason = "consumer_timeout";
                }
            }
            else
            {
                var select = chance.Latency(0.08, 0.5);
                batch.Call(Dependencies.Postgres, "SELECT", select).Tag("db.system.name", "postgresql").Tag("db.operation.name", "SELECT");
                metrics.Database.Queried("select", select);
            }

            if (failureReason is null && saas.Conditions.Fails(pipeline.Name))
            {
                failure = Failure.PoolExhausted(pipeline.Name);
                failureReason = "db_error";
            }

            if (failureReason is null)
            {
                batch.Spend(chance.Latency(0.05 + (size * 0.00004), 0.3));
                var copy = chance.Latency(0.05 + (size * 0.00002), 0.4);
                batch.Call(Dependencies.Postgres, "INSERT", copy).Tag("db.system.name", "postgresql").Tag("db.operation.name", "COPY").Tag("db.collection.name", "warehouse." + job.Name);
                metrics.Database.Queried("insert", copy);
                records += size;
            }

            batch.Finish();
            if (failure is not null)
            {
                batch.Fail(failure);
            }

            batch.Log(failure is null ? LogLevel.Information : LogLevel.Error,
                failure is null ? $"ETL {job.Name} batch {i}/{batches}: {size} records from {job.Source}" : $"ETL {job.Name} batch {i}/{batches} failed: {failure.Message}",
                LogFields.Of("etl_batch", null, null, batch.Duration, failure is null ? "success" : "error", ("etl.job_name", job.Name), ("etl.records", failure is null ? size : 0)),
                failure);
        }

        run.Finish();
        if (failureReason is not null)
        {
            run.Fail(Failure.Internal(pipeline.Name, $"job {job.Name} failed: {failureReason}"));
        }

        metrics.Pipeline.Processed(job.Name, job.Source, records);
        metrics.Pipeline.JobRan(job.Name, run.Duration, failureReason);
        pipeline.BusySeconds += run.Duration.TotalSeconds;
        TraceEmitter.Emit(run, end);
    }

    private sealed record EtlJob(string Name, string Source, TimeSpan Every, bool ReadsUserEvents);
}
