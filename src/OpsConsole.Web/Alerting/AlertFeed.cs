using OpsConsole.Core.Alerting;
using OpsConsole.Core.Live;

namespace OpsConsole.Web.Alerting;

/// <summary>One push to pages: alerts changed (the newest batch of changes, for pages that want to know which).</summary>
public sealed record AlertFeedTick(long Sequence, IReadOnlyList<AlertChange> Changes);

/// <summary>
/// Hears every alert change from the store and publishes a tick through a <see cref="LiveFeed{T}"/>, so each open
/// Alerts page (one subscription per circuit) re-reads the store when something changed; the browser never polls.
/// </summary>
public sealed class AlertFeed(TimeProvider time) : IAlertObserver
{
    private long _sequence;

    public LiveFeed<AlertFeedTick> Feed { get; } = new(time);

    public void AlertsChanged(IReadOnlyList<AlertChange> changes) =>
        Feed.Publish(new AlertFeedTick(Interlocked.Increment(ref _sequence), changes));

    /// <summary>Tells pages to re-read after something that is no alert change (a silence created or expired).</summary>
    public void Touch() => Feed.Publish(new AlertFeedTick(Interlocked.Increment(ref _sequence), []));
}
