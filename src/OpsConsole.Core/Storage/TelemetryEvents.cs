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
    private readonly RateWindowCounts _all = new();
    private readonly Dictionary<string, RateWindowCounts> _byTenant = new(StringComparer.Ordinal);
    private long _spans;
    private long _logs;
    private long _samples;

    public TelemetryEvents(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _feed = new LiveFeed<TelemetryActivity>(timeProvider);
    }

    /// <summary>The latest notice, or null before anything was stored.</summary>
    public TelemetryActivity? Latest => _feed.Latest;

    /// <summary>Records a stored batch and notifies subscribers (throttled per subscription).</summary>
    /// <param name="spans">Spans stored.</param>
    /// <param name="logs">Log records stored.</param>
    /// <param name="samples">Samples stored.</param>
    /// <param name="byTenant">The batch's items per tenant, for <see cref="RatesFor"/> (what a tenant may be shown).</param>
    public void Record(int spans, int logs, int samples, IEnumerable<TenantItemCounts>? byTenant = null)
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
            _all.Add(second, spans, logs, samples);
            foreach (var t in byTenant ?? [])
            {
                if (!_byTenant.TryGetValue(t.TenantId, out var counts))
                {
                    _byTenant[t.TenantId] = counts = new RateWindowCounts();
                }

                counts.Add(second, t.Spans, t.Logs, t.Samples);
            }

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

    /// <summary>
    /// One tenant's ingest rates per second (spans, logs, samples) over the last <see cref="RateWindow"/>: the part of
    /// <see cref="Latest"/> a viewer bound to that tenant may see. Zero for a tenant that sent nothing lately.
    /// </summary>
    public (double Spans, double Logs, double Samples) RatesFor(string tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            return _byTenant.TryGetValue(tenantId, out var counts) ? counts.Rates(second) : (0, 0, 0);
        }
    }

    private TelemetryActivity SnapshotLocked(DateTimeOffset now, long second)
    {
        var (spans, logs, samples) = _all.Rates(second);
        return new TelemetryActivity(now, _spans, _logs, _samples, spans, logs, samples);
    }

    /// <summary>Items per second of the last <see cref="WindowSeconds"/> seconds, in a ring of one slot per second.</summary>
    private sealed class RateWindowCounts
    {
        private readonly long[,] _perSecond = new long[WindowSeconds, 3];
        private readonly long[] _secondOf = new long[WindowSeconds];

        public RateWindowCounts() => Array.Fill(_secondOf, long.MinValue);

        public void Add(long second, long spans, long logs, long samples)
        {
            var slot = (int)(((second % WindowSeconds) + WindowSeconds) % WindowSeconds);
            if (_secondOf[slot] != second)
            {
                _secondOf[slot] = second;
                _perSecond[slot, 0] = _perSecond[slot, 1] = _perSecond[slot, 2] = 0;
            }

            _perSecond[slot, 0] += spans;
            _perSecond[slot, 1] += logs;
            _perSecond[slot, 2] += samples;
        }

        public (double Spans, double Logs, double Samples) Rates(long second)
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

            return (spans / (double)WindowSeconds, logs / (double)WindowSeconds, samples / (double)WindowSeconds);
        }
    }
}

/// <summary>How many items of a stored batch belong to one tenant.</summary>
public readonly record struct TenantItemCounts(string TenantId, int Spans, int Logs, int Samples);
