using OpsConsole.Core.Live;

namespace OpsConsole.Core.Storage;

/// <summary>
/// A "new data arrived" notice: running totals of what the hot stores accepted per signal and the ingest rate per
/// second over the last <see cref="TelemetryEvents.RateWindow"/>. Pages subscribe, then pull what changed.
/// </summary>
public sealed record TelemetryActivity(
    DateTimeOffset At,
    long SpansTotal,
    long LogsTotal,
    long SamplesTotal,
    double SpansPerSecond,
    double LogsPerSecond,
    double SamplesPerSecond);

/// <summary>
/// Publishes <see cref="TelemetryActivity"/> after every stored batch through a <see cref="LiveFeed{T}"/>, so each
/// subscriber is called at most once per its interval with the latest totals and rates.
/// </summary>
public sealed class TelemetryEvents
{
    /// <summary>The window rates are averaged over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(WindowSeconds);

    // A minute, so that sources sending every 15 s (scrapes, metric exports) show a steady rate, not 0 between sends.
    private const int WindowSeconds = 60;

    private readonly TimeProvider _time;
    private readonly LiveFeed<TelemetryActivity> _feed;
    private readonly Lock _gate = new();
    private readonly long[,] _perSecond = new long[WindowSeconds, 3];
    private readonly long[] _secondOf = new long[WindowSeconds];
    private long _spans;
    private long _logs;
    private long _samples;

    public TelemetryEvents(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _feed = new LiveFeed<TelemetryActivity>(timeProvider);
        Array.Fill(_secondOf, long.MinValue);
    }

    /// <summary>The latest notice, or null before anything was stored.</summary>
    public TelemetryActivity? Latest => _feed.Latest;

    /// <summary>Records a stored batch and notifies subscribers (throttled per subscription).</summary>
    public void Record(int spans, int logs, int samples)
    {
        if (spans == 0 && logs == 0 && samples == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        TelemetryActivity activity;
        lock (_gate)
        {
            var second = now.ToUnixTimeSeconds();
            var slot = (int)(((second % WindowSeconds) + WindowSeconds) % WindowSeconds);
            if (_secondOf[slot] != second)
            {
                _secondOf[slot] = second;
                _perSecond[slot, 0] = _perSecond[slot, 1] = _perSecond[slot, 2] = 0;
            }

            _perSecond[slot, 0] += spans;
            _perSecond[slot, 1] += logs;
            _perSecond[slot, 2] += samples;
            _spans += spans;
            _logs += logs;
            _samples += samples;
            activity = SnapshotLocked(now, second);
        }

        _feed.Publish(activity);
    }

    /// <summary>Calls <paramref name="callback"/> with the latest activity at most once per <paramref name="minInterval"/>.
    /// Dispose the result to stop.</summary>
    public IDisposable Subscribe(Func<TelemetryActivity, Task> callback, TimeSpan minInterval) => _feed.Subscribe(callback, minInterval);

    private TelemetryActivity SnapshotLocked(DateTimeOffset now, long second)
    {
        long spans = 0, logs = 0, samples = 0;
        for (var i = 0; i < WindowSeconds; i++)
        {
            if (_secondOf[i] > second - WindowSeconds && _secondOf[i] <= second)
            {
                spans += _perSecond[i, 0];
                logs += _perSecond[i, 1];
                samples += _perSecond[i, 2];
            }
        }

        return new TelemetryActivity(now, _spans, _logs, _samples, spans / (double)WindowSeconds, logs / (double)WindowSeconds, samples / (double)WindowSeconds);
    }
}
