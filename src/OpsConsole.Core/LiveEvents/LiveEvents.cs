namespace OpsConsole.Core.LiveEvents;

/// <summary>
/// What an alert did, as the live hub (<c>/hubs/live</c>, client method <c>alert</c>) sends it. <see cref="State"/> is
/// one of <c>pending</c>, <c>firing</c>, <c>resolved</c>, <c>acknowledged</c>, <c>unacknowledged</c>, <c>silenced</c>. <see cref="TenantId"/> is the tenant the
/// alert concerns (its <c>tenant_id</c> label), or null for a platform alert: tenant admins receive only their own
/// tenant's alerts; everyone else receives all.
/// </summary>
public sealed record AlertEvent(
    string State,
    string AlertName,
    string Fingerprint,
    string Severity,
    string? TenantId,
    IReadOnlyDictionary<string, string> Labels,
    string? Summary,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset At)
{
    public static readonly IReadOnlyList<string> States = ["pending", "firing", "resolved", "acknowledged", "unacknowledged", "silenced"];
}

/// <summary>
/// Where alerting announces alert state changes (the seam between rule evaluation / triage and the live hub).
/// Implementations must not block: publishing hands the event to the subscribers and returns.
/// </summary>
public interface IAlertEventPublisher
{
    /// <summary>Announces <paramref name="alertEvent"/>; throws <see cref="ArgumentException"/> for an unknown state.</summary>
    void Publish(AlertEvent alertEvent);
}

/// <summary>Where the live hub (and anything else interested) hears alert events.</summary>
public interface IAlertEventSource
{
    /// <summary>Calls <paramref name="handler"/> for each event published from now until the result is disposed.</summary>
    IDisposable Subscribe(Action<AlertEvent> handler);
}

/// <summary>The in-process bus: one singleton that is both the publisher and the source.</summary>
public sealed class AlertEventBus : IAlertEventPublisher, IAlertEventSource
{
    private readonly Lock _gate = new();
    private Action<AlertEvent>[] _handlers = [];

    public void Publish(AlertEvent alertEvent)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        if (!AlertEvent.States.Contains(alertEvent.State, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Alert state '{alertEvent.State}' must be one of {string.Join(", ", AlertEvent.States)}.", nameof(alertEvent));
        }

        foreach (var handler in Volatile.Read(ref _handlers))
        {
            handler(alertEvent);
        }
    }

    public IDisposable Subscribe(Action<AlertEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private void Unsubscribe(Action<AlertEvent> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(AlertEventBus bus, Action<AlertEvent> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                bus.Unsubscribe(handler);
            }
        }
    }
}

/// <summary>
/// A monitored service changed between up and down (client method <c>health</c>): a scrape target started or stopped
/// answering (<see cref="Source"/> <c>scrape</c>, <see cref="Check"/> is the instance), or a reported health check changed
/// status (<c>health_check</c>). <see cref="TenantId"/> is the tenant the target or check belongs to (<c>default</c> for
/// the platform's own).
/// </summary>
public sealed record HealthEvent(string Service, string Source, string Check, string State, string? PreviousState, string TenantId, string? Detail, DateTimeOffset At);

/// <summary>Items per second of one signal for one tenant over the last interval.</summary>
public sealed record IngestRate(string Signal, string TenantId, double PerSecond);

/// <summary>
/// Ingest rates (client method <c>ingest</c>), every few seconds while anything arrives: per signal and tenant. A tenant
/// admin's message holds only their tenant's rates.
/// </summary>
public sealed record IngestRateEvent(DateTimeOffset At, double IntervalSeconds, IReadOnlyList<IngestRate> Rates);
