using OpsConsole.Core.Alerting;
using OpsConsole.Core.LiveEvents;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Web.LiveEvents;

/// <summary>
/// Hands alerting's changes (<see cref="IAlertObserver"/>, told after each change is stored) to the live hub's
/// <see cref="IAlertEventPublisher"/>: pending, firing, resolved, acknowledged and unacknowledged become
/// <see cref="AlertEvent"/>s (annotation-only updates are not events). An alert raised on a tenant's data carries that
/// tenant; platform alerts (tenant <c>default</c>) carry none.
/// </summary>
public sealed class AlertEventForwarder(IAlertEventPublisher publisher) : IAlertObserver
{
    public void AlertsChanged(IReadOnlyList<AlertChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            if (!AlertEvent.States.Contains(change.Kind, StringComparer.Ordinal))
            {
                continue;
            }

            var a = change.After;
            publisher.Publish(new AlertEvent(
                change.Kind,
                a.Name,
                a.Fingerprint,
                a.Severity ?? "none",
                a.TenantId == TenantIds.Default ? null : a.TenantId,
                a.Labels.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
                a.Annotations.GetValueOrDefault("summary"),
                a.StartsAt,
                a.ResolvedAt ?? a.EndsAt,
                a.UpdatedAt));
        }
    }
}
