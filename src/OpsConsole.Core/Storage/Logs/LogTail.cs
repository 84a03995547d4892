using System.Collections.Concurrent;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// What one live-tail delivery brings: the new matching lines to show (oldest first), how many matched per second
/// and how many of those were shown per second over the last full second (when more match than the cap, the rest
/// are counted, not shown), and how many arrived while the subscriber was too far behind to even look at them.
/// </summary>
public sealed record LogTailUpdate(IReadOnlyList<HeldLogRecord> Lines, double MatchedPerSecond, double ShownPerSecond, long Skipped)
{
    /// <summary>True when the cap held lines back over the last second.</summary>
    public bool IsCapped => MatchedPerSecond > ShownPerSecond;
}

/// <summary>
/// Live tail: the log store pushes every stored batch here (from the intake path, after its lock is released) and
/// each subscriber gets, on its own task, the lines that match its query and tenant — at most
/// <c>maxLinesPerSecond</c> of them each second, and at most one callback per interval. Publishing only queues a
/// reference per subscriber, so a slow page never slows intake; a subscriber more than <see cref="MaxPendingLines"/>
/// behind has the oldest batches skipped (and counted).
/// </summary>
public sealed class LogTail(TimeProvider timeProvider)
{
    /// <summary>Lines a subscriber may have waiting before batches are skipped.</summary>
    public const int MaxPendingLines = 100_000;

    private readonly TimeProvider _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    private readonly Lock _gate = new();
    private Subscription[] _subscriptions = [];

    public bool HasSubscribers => Volatile.Read(ref _subscriptions).Length > 0;

    public int SubscriberCount => Volatile.Read(ref _subscriptions).Length;

    /// <summary>Hands newly stored records (arrival order) to every subscriber.</summary>
    public void Publish(IReadOnlyList<HeldLogRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            s.Enqueue(records);
        }
    }

    /// <summary>
    /// Streams records of <paramref name="tenantId"/> (all when null) satisfying <paramref name="match"/> to
    /// <paramref name="callback"/>, at most once per <paramref name="interval"/> and at most
    /// <paramref name="maxLinesPerSecond"/> lines a second. Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(LogMatch match, string? tenantId, int maxLinesPerSecond, TimeSpan interval, Func<LogTailUpdate, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLinesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(interval, TimeSpan.FromMinutes(1));
        var subscription = new Subscription(this, match, tenantId, maxLinesPerSecond, interval, callback);
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
        }
    }

    private sealed class Subscription(LogTail tail, LogMatch match, string? tenantId, int cap, TimeSpan interval, Func<LogTailUpdate, Task> callback) : IDisposable
    {
        private readonly ConcurrentQueue<IReadOnlyList<HeldLogRecord>> _pending = new();
        private readonly Lock _state = new();
        private long _pendingLines;
        private long _skipped;
        private bool _running;
        private bool _disposed;
        private long _lastDelivery = long.MinValue;
        private long _windowStart = long.MinValue;
        private int _matchedInWindow;
        private int _shownInWindow;
        private double _matchedRate;
        private double _shownRate;

        public void Enqueue(IReadOnlyList<HeldLogRecord> records)
        {
            _pending.Enqueue(records);
            if (Interlocked.Add(ref _pendingLines, records.Count) > MaxPendingLines && _pending.TryDequeue(out var oldest))
            {
                Interlocked.Add(ref _pendingLines, -oldest.Count);
                Interlocked.Add(ref _skipped, oldest.Count);
            }

            lock (_state)
            {
                if (_disposed || _running)
                {
                    return;
                }

                _running = true;
            }

            _ = Task.Run(DeliverAsync);
        }

        private async Task DeliverAsync()
        {
            var time = tail._time;
            while (true)
            {
                var wait = _lastDelivery == long.MinValue ? TimeSpan.Zero : interval - time.GetElapsedTime(_lastDelivery);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time).ConfigureAwait(false);
                }

                lock (_state)
                {
                    if (_disposed || _pending.IsEmpty)
                    {
                        _running = false;
                        return;
                    }
                }

                _lastDelivery = time.GetTimestamp();
                var update = Drain(time);
                try
                {
                    await callback(update).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a failing subscriber (a page whose circuit is gone) must not stop the tail
                catch (Exception)
                {
                    // It is removed when it disposes its subscription.
                }
#pragma warning restore CA1031
            }
        }

        private LogTailUpdate Drain(TimeProvider time)
        {
            var lines = new List<HeldLogRecord>();
            while (_pending.TryDequeue(out var batch))
            {
                Interlocked.Add(ref _pendingLines, -batch.Count);
                foreach (var held in batch)
                {
                    if (tenantId is not null && held.Record.TenantId != tenantId)
                    {
                        continue;
                    }

                    if (!match.Matches(held.Record))
                    {
                        continue;
                    }

                    Roll(time);
                    _matchedInWindow++;
                    if (_shownInWindow < cap)
                    {
                        _shownInWindow++;
                        lines.Add(held);
                    }
                }
            }

            Roll(time);
            return new LogTailUpdate(lines, Math.Max(_matchedRate, _matchedInWindow), Math.Max(_shownRate, _shownInWindow), Interlocked.Exchange(ref _skipped, 0));
        }

        /// <summary>Starts a new one-second window when the current one is over, keeping the finished one's rates.</summary>
        private void Roll(TimeProvider time)
        {
            if (_windowStart == long.MinValue)
            {
                _windowStart = time.GetTimestamp();
                return;
            }

            var elapsed = time.GetElapsedTime(_windowStart);
            if (elapsed < TimeSpan.FromSeconds(1))
            {
                return;
            }

            var seconds = Math.Max(1, elapsed.TotalSeconds);
            (_matchedRate, _shownRate) = elapsed > TimeSpan.FromSeconds(2) ? (0, 0) : (_matchedInWindow / seconds, _shownInWindow / seconds);
            (_matchedInWindow, _shownInWindow) = (0, 0);
            _windowStart = time.GetTimestamp();
        }

        public void Dispose()
        {
            lock (_state)
            {
                _disposed = true;
            }

            tail.Remove(this);
        }
    }
}
