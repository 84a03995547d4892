namespace OpsConsole.Core.Live;

/// <summary>
/// A value that changes over time (the newest sample of something) with throttled, disposable subscriptions:
/// a subscriber is called at most once per <c>minInterval</c> and always ends up with the latest value, so a fast
/// publisher never floods a slow page. Callbacks of one subscription never overlap.
/// </summary>
public sealed class LiveFeed<T>(TimeProvider timeProvider)
    where T : class
{
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private T? _latest;

    /// <summary>
    /// The longest <c>minInterval</c> a subscription may have: the longest wait a timer supports (about 49.7 days).
    /// A longer one would make the throttling delay throw on the delivery task and silently end the subscription.
    /// </summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The most recent published value, or null before the first.</summary>
    public T? Latest => Volatile.Read(ref _latest);

    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscriptions.Count;
            }
        }
    }

    public void Publish(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Subscription[] targets;
        lock (_gate)
        {
            _latest = value;
            targets = [.. _subscriptions];
        }

        foreach (var s in targets)
        {
            s.Signal();
        }
    }

    /// <summary>Subscribes; dispose the result to stop. Exceptions thrown by <paramref name="callback"/> end that delivery only.</summary>
    public IDisposable Subscribe(Func<T, Task> callback, TimeSpan minInterval)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentOutOfRangeException.ThrowIfLessThan(minInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minInterval, MaxInterval);
        var subscription = new Subscription(this, callback, minInterval);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private sealed class Subscription(LiveFeed<T> feed, Func<T, Task> callback, TimeSpan minInterval) : IDisposable
    {
        private readonly Lock _state = new();
        private bool _running;
        private bool _dirty;
        private bool _disposed;
        private long _lastDelivery = long.MinValue;

        public void Signal()
        {
            lock (_state)
            {
                if (_disposed)
                {
                    return;
                }

                _dirty = true;
                if (_running)
                {
                    return;
                }

                _running = true;
            }

            _ = Task.Run(DeliverAsync);
        }

        private async Task DeliverAsync()
        {
            var time = feed._timeProvider;
            while (true)
            {
                var wait = _lastDelivery == long.MinValue ? TimeSpan.Zero : minInterval - time.GetElapsedTime(_lastDelivery);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time).ConfigureAwait(false);
                }

                T? value;
                lock (_state)
                {
                    if (_disposed || !_dirty)
                    {
                        _running = false;
                        return;
                    }

                    _dirty = false;
                    value = feed.Latest;
                }

                _lastDelivery = time.GetTimestamp();
                if (value is not null)
                {
                    try
                    {
                        await callback(value).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // a failing subscriber (a page whose circuit is gone) must not stop the feed
                    catch (Exception)
                    {
                        // It is removed when it disposes its subscription.
                    }
#pragma warning restore CA1031
                }
            }
        }

        public void Dispose()
        {
            lock (_state)
            {
                _disposed = true;
            }

            feed.Remove(this);
        }
    }
}
