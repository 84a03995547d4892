using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Core.Ingestion;

/// <summary>Writes batches durably (the database); implemented by the data layer.</summary>
public interface IDurableTelemetryWriter
{
    /// <summary>Writes everything in one transaction: all of it is stored, or none of it (then it throws).</summary>
    Task WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}

/// <summary>Something that wants each batch once it is durable: the hot stores, live events, usage metering.</summary>
public interface ICommittedTelemetryObserver
{
    void OnCommitted(TelemetryBatch batch);
}

/// <summary>The <c>Ingest</c> pipeline's tuning.</summary>
public sealed record IngestPipelineOptions
{
    /// <summary>Batches waiting for the writer; beyond this intake answers "throttled" (429 / RESOURCE_EXHAUSTED).</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>Items per group commit; the writer takes whatever is queued, up to this.</summary>
    public int MaxItemsPerCommit { get; init; } = 50_000;

    /// <summary>Suggested wait before a throttled sender retries.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The path every accepted batch takes: a bounded queue, then group commits to the database (batches that
/// arrive together are written in one transaction), then the hot stores. A sender is answered only after its
/// batch is durable; when the queue is full it is told to retry, and when the database fails nothing of its
/// batch is kept anywhere.
/// </summary>
public sealed partial class IngestPipeline : ITelemetrySink, IAsyncDisposable
{
    private readonly Channel<Pending> _queue;
    private readonly IDurableTelemetryWriter _writer;
    private readonly IReadOnlyList<ICommittedTelemetryObserver> _observers;
    private readonly IngestPipelineOptions _options;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly Channel<(Pending[] Group, TelemetryBatch Batch)> _committed;
    private readonly Task _indexLoop;
    private long _committedBatches;
    private long _failedCommits;
    private bool _stoppingFlag;

    public IngestPipeline(IDurableTelemetryWriter writer, IEnumerable<ICommittedTelemetryObserver> observers, IngestPipelineOptions options, ILogger<IngestPipeline> logger)
    {
        _writer = writer;
        _observers = [.. observers];
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // Committed groups are indexed on a second loop, so the next group's database write overlaps the previous
        // group's indexing; senders are still answered only once their batch is both durable and visible.
        _committed = Channel.CreateBounded<(Pending[], TelemetryBatch)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        _indexLoop = Task.Run(IndexAsync);
        _loop = Task.Run(RunAsync);
    }

    public int QueueCapacity => _options.QueueCapacity;

    /// <summary>Batches waiting for the writer now (for /metrics and the System health page).</summary>
    public int QueueDepth => _queue.Reader.Count;

    public long CommittedBatches => Interlocked.Read(ref _committedBatches);

    public long FailedCommits => Interlocked.Read(ref _failedCommits);

    public async ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ItemCount == 0)
        {
            return IngestResult.Accepted;
        }

        var pending = new Pending(TenantLabel.Stamp(batch));
        if (Volatile.Read(ref _stoppingFlag))
        {
            return new IngestResult(IngestOutcome.Unavailable, Message: "The console is shutting down; retry later.", RetryAfter: _options.RetryAfter);
        }

        if (!_queue.Writer.TryWrite(pending))
        {
            return new IngestResult(IngestOutcome.Throttled, Message: "The ingest queue is full; retry later.", RetryAfter: _options.RetryAfter);
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var group = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                group.Clear();
                var items = 0;
                while (items < _options.MaxItemsPerCommit && _queue.Reader.TryRead(out var next))
                {
                    group.Add(next);
                    items += next.Batch.ItemCount;
                }

                await CommitAsync(group).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: answer whatever is still queued.
        }
        finally
        {
            _committed.Writer.TryComplete();
        }

        while (_queue.Reader.TryRead(out var left))
        {
            left.Completion.TrySetResult(new IngestResult(IngestOutcome.Unavailable, Message: "The console is shutting down; retry later.", RetryAfter: _options.RetryAfter));
        }
    }

    private async Task CommitAsync(List<Pending> group)
    {
        var combined = group.Count == 1 ? group[0].Batch : Combine(group);
        try
        {
            await _writer.WriteAsync(combined, _stopping.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // any storage failure is answered as "unavailable, retry"; the loop must go on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failedCommits);
            LogCommitFailed(_logger, ex, group.Count, combined.ItemCount);
            foreach (var p in group)
            {
                p.Completion.TrySetResult(new IngestResult(IngestOutcome.Unavailable, Message: "Storage is unavailable; nothing of this request was kept. Retry later.", RetryAfter: _options.RetryAfter));
            }

            return;
        }

        Interlocked.Add(ref _committedBatches, group.Count);
        await _committed.Writer.WriteAsync(([.. group], combined)).ConfigureAwait(false);
    }

    private async Task IndexAsync()
    {
        await foreach (var (group, batch) in _committed.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var observer in _observers)
            {
                try
                {
                    observer.OnCommitted(batch);
                }
#pragma warning disable CA1031 // an observer's failure must not undo a durable commit
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogObserverFailed(_logger, ex, observer.GetType().Name);
                }
            }

            foreach (var p in group)
            {
                p.Completion.TrySetResult(IngestResult.Accepted);
            }
        }
    }

    private static TelemetryBatch Combine(List<Pending> group)
    {
        var spans = new List<Domain.Telemetry.Span>();
        var logs = new List<Domain.Telemetry.LogRecord>();
        var samples = new List<Domain.Telemetry.SeriesSample>();
        var metadata = new List<Domain.Telemetry.MetricMetadata>();
        var health = new List<Domain.Telemetry.HealthCheckResult>();
        foreach (var p in group)
        {
            spans.AddRange(p.Batch.Spans);
            logs.AddRange(p.Batch.Logs);
            samples.AddRange(p.Batch.Samples);
            metadata.AddRange(p.Batch.Metadata);
            health.AddRange(p.Batch.HealthChecks);
        }

        return new TelemetryBatch { Spans = spans, Logs = logs, Samples = samples, Metadata = metadata, HealthChecks = health };
    }

    /// <summary>Stops taking batches, commits what is queued (for up to <paramref name="drainTimeout"/>), then stops.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        Volatile.Write(ref _stoppingFlag, true);
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loop, _indexLoop).WaitAsync(drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            await _indexLoop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Pending(TelemetryBatch batch)
    {
        public TelemetryBatch Batch { get; } = batch;
        public TaskCompletionSource<IngestResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Durable write of {Batches} batch(es), {Items} item(s) failed; senders were told to retry.")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int batches, int items);

    [LoggerMessage(Level = LogLevel.Error, Message = "Observer {Observer} failed on a committed batch.")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string observer);
}
