using OpsConsole.Core.Alerting;
using OpsConsole.Core.Dashboards;
using OpsConsole.Web.Components.Charts;

namespace OpsConsole.Web.Dashboards;

/// <summary>
/// The firing periods of alerts inside a dashboard's range, as x-axis annotations of its time-series panels: from when
/// an alert started firing to when it resolved (or the range's end while it still fires), red for <c>severity=critical</c>,
/// amber for <c>warning</c>, grey otherwise, labelled with the alert's name. A viewer bound to a tenant sees only that
/// tenant's alerts, as their queries see only that tenant's data.
/// </summary>
public static class AlertAnnotations
{
    /// <summary>At most this many periods are drawn (the latest), so a storm of alerts does not bury the chart.</summary>
    public const int MaxAnnotations = 50;

    public const string Amber = "#f59e0b";

    public static IReadOnlyList<ChartAnnotation> For(IEnumerable<Alert> alerts, QueryWindow window, string? tenantId, bool dark)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(window);
        var from = window.ToMs - window.RangeMs;
        var to = window.ToMs;
        return [.. alerts
            .Where(a => a.FiredAt is not null && (tenantId is null || a.TenantId == tenantId))
            .Select(a => (Alert: a, Start: a.FiredAt!.Value.ToUnixTimeMilliseconds(), End: a.ResolvedAt?.ToUnixTimeMilliseconds() ?? to))
            .Where(p => p.Start <= to && p.End >= from)
            .OrderByDescending(p => p.Start)
            .Take(MaxAnnotations)
            .OrderBy(p => p.Start)
            .Select(p => new ChartAnnotation(Math.Max(p.Start, from), p.Alert.Labels.Get("alertname") ?? "alert", Color(p.Alert, dark), Math.Min(p.End, to)))];
    }

    private static string Color(Alert alert, bool dark) => alert.Labels.Get("severity")?.ToLowerInvariant() switch
    {
        "critical" => PanelStyle.Hex("red", dark),
        "warning" => Amber,
        _ => PanelStyle.Hex("grey", dark),
    };
}
