using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Tests.Support;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Ingestion;

public sealed class IngestPipelineTests
{
    private static TelemetryBatch Batch(int samples, string tenant = "acme") => new()
    {
        Samples = [.. Enumerable.Range(0, samples).Select(i => new SeriesSample(tenant, LabelSet.From(("__name__", "m"), ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), i, i))],
    };

    /// <summary>A database stand-in the test controls: it can hold writes back or fail them.</summary>
    private sealed class ControlledWriter : IDurableTelemetryWriter
    {
        public TaskCompletionSource Gate { get; set; } = CompletedGate();
        public Exception? FailWith { get; set; }
        public List<TelemetryBatch> Written { get; } = [];

        public static TaskCompletionSource CompletedGate()
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            tcs.SetResult();
            return tcs;
        }

        public async Task WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            await Gate.Task.WaitAsync(cancellationToken);
            if (FailWith is not null)
            {
                throw FailWith;
            }

            lock (Written)
            {
                Written.Add(batch);
            }
        }
    }

    private sealed class Observer : ICommittedTelemetryObserver
    {
        public List<TelemetryBatch> Seen { get; } = [];

        public void OnCommitted(TelemetryBatch batch)
        {
            lock (Seen)
            {
                Seen.Add(batch);
            }
        }
    }

    [Fact]
    public async Task WriteAsync_WriterSucceeds_AcceptedAfterTheObserversSawTheBatch()
    {
        var writer = new ControlledWriter();
        var observer = new Observer();
        await using var pipeline = new IngestPipeline(writer, [observer], new IngestPipelineOptions(), NullLogger<IngestPipeline>.Instance);

        var result = await pipeline.WriteAsync(Batch(3), CancellationToken.None);

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(3, Assert.Single(writer.Written).Samples.Count);
        Assert.Equal(3, Assert.Single(observer.Seen).Samples.Count);
    }

    [Fact]
    public async Task WriteAsync_WriterFails_UnavailableAndNothingReachesTheStores()
    {
        var writer = new ControlledWriter { FailWith = new InvalidOperationException("disk full") };
        var observer = new Observer();
        await using var pipeline = new IngestPipeline(writer, [observer], new IngestPipelineOptions(), NullLogger<IngestPipeline>.Instance);

        var result = await pipeline.WriteAsync(Batch(2), CancellationToken.None);

        Assert.Equal(IngestOutcome.Unavailable, result.Outcome);
        Assert.NotNull(result.RetryAfter);
        Assert.Contains("nothing of this request was kept", result.Message);
        Assert.Empty(observer.Seen);
        Assert.Equal(1, pipeline.FailedCommits);
    }

    [Fact]
    public async Task WriteAsync_QueueFull_ThrottledWithRetryAfterAndTheQueuedBatchesStillCommit()
    {
        var writer = new ControlledWriter { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var options = new IngestPipelineOptions { QueueCapacity = 2, RetryAfter = TimeSpan.FromSeconds(7) };
        await using var pipeline = new IngestPipeline(writer, [], options, NullLogger<IngestPipeline>.Instance);
        var first = pipeline.WriteAsync(Batch(1), CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => pipeline.QueueDepth == 0, "the writer holds the first batch");
        var second = pipeline.WriteAsync(Batch(1), CancellationToken.None).AsTask();
        var third = pipeline.WriteAsync(Batch(1), CancellationToken.None).AsTask();

        var fourth = await pipeline.WriteAsync(Batch(1), CancellationToken.None);
        writer.Gate.SetResult();

        Assert.Equal(IngestOutcome.Throttled, fourth.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), fourth.RetryAfter);
        Assert.All(await Task.WhenAll(first, second, third), r => Assert.Equal(IngestOutcome.Accepted, r.Outcome));
    }

    [Fact]
    public async Task WriteAsync_BatchesQueuedTogether_AreCommittedInOneGroup()
    {
        var writer = new ControlledWriter { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var pipeline = new IngestPipeline(writer, [], new IngestPipelineOptions(), NullLogger<IngestPipeline>.Instance);
        var first = pipeline.WriteAsync(Batch(1), CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => pipeline.QueueDepth == 0, "the writer holds the first batch");
        var waiting = Enumerable.Range(0, 5).Select(_ => pipeline.WriteAsync(Batch(2), CancellationToken.None).AsTask()).ToArray();

        writer.Gate.SetResult();
        await Task.WhenAll(waiting.Append(first));

        Assert.Equal(2, writer.Written.Count);
        Assert.Equal(10, writer.Written[1].Samples.Count);
        Assert.Equal(6, pipeline.CommittedBatches);
    }

    [Fact]
    public async Task WriteAsync_AfterStop_SaysShuttingDown()
    {
        var pipeline = new IngestPipeline(new ControlledWriter(), [], new IngestPipelineOptions(), NullLogger<IngestPipeline>.Instance);
        await pipeline.DisposeAsync();

        var result = await pipeline.WriteAsync(Batch(1), CancellationToken.None);

        Assert.Equal(IngestOutcome.Unavailable, result.Outcome);
        Assert.Contains("shutting down", result.Message);
    }
}
