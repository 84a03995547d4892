using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>
/// A node of the routing tree (Alertmanager's <c>route</c>): alerts matching <see cref="Matchers"/> go to
/// <see cref="Receiver"/>, grouped by <see cref="GroupBy"/> (<c>...</c> groups by every label), unless a child route
/// takes them (the first matching child, and the next ones too while <see cref="Continue"/> is set on the matched child).
/// Children inherit the receiver, grouping and timings they do not set.
/// </summary>
public sealed record Route
{
    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    public string? Receiver { get; init; }

    public IReadOnlyList<LabelMatcher> Matchers { get; init; } = [];

    public IReadOnlyList<string>? GroupBy { get; init; }

    public TimeSpan? GroupWait { get; init; }

    public TimeSpan? GroupInterval { get; init; }

    public TimeSpan? RepeatInterval { get; init; }

    public bool Continue { get; init; }

    public IReadOnlyList<Route> Routes { get; init; } = [];
}

/// <summary>A route with everything inherited filled in, and its position in the tree (its identity in group keys).</summary>
public sealed record ResolvedRoute(
    string Id, string Receiver, IReadOnlyList<LabelMatcher> Matchers, IReadOnlyList<string> GroupBy, TimeSpan GroupWait, TimeSpan GroupInterval,
    TimeSpan RepeatInterval, bool Continue, IReadOnlyList<ResolvedRoute> Routes)
{
    public bool GroupsByAll => GroupBy.Count == 1 && GroupBy[0] == "...";

    public static ResolvedRoute From(Route root, string defaultReceiver) => Resolve(root, null, "0", defaultReceiver);

    private static ResolvedRoute Resolve(Route route, ResolvedRoute? parent, string id, string defaultReceiver)
    {
        var receiver = route.Receiver ?? parent?.Receiver ?? defaultReceiver;
        var shell = new ResolvedRoute(
            id, receiver, route.Matchers, route.GroupBy ?? parent?.GroupBy ?? [AlertLabels.AlertName],
            route.GroupWait ?? parent?.GroupWait ?? Route.DefaultGroupWait, route.GroupInterval ?? parent?.GroupInterval ?? Route.DefaultGroupInterval,
            route.RepeatInterval ?? parent?.RepeatInterval ?? Route.DefaultRepeatInterval, route.Continue, []);
        return shell with { Routes = [.. route.Routes.Select((r, i) => Resolve(r, shell, id + "." + i, defaultReceiver))] };
    }

    /// <summary>The routes an alert goes to: the deepest matching ones, as Alertmanager walks the tree.</summary>
    public IReadOnlyList<ResolvedRoute> Match(LabelSet labels)
    {
        if (!Alerting.Matchers.MatchesAll(Matchers, labels))
        {
            return [];
        }

        var matched = new List<ResolvedRoute>();
        foreach (var child in Routes)
        {
            var found = child.Match(labels);
            if (found.Count == 0)
            {
                continue;
            }

            matched.AddRange(found);
            if (!child.Continue)
            {
                break;
            }
        }

        return matched.Count > 0 ? matched : [this];
    }

    public LabelSet GroupLabels(LabelSet labels) =>
        GroupsByAll ? labels : LabelSet.From(GroupBy.Select(n => new KeyValuePair<string, string>(n, labels.Get(n) ?? "")));
}

/// <summary>An escalation step: once the group has been unacknowledged for <see cref="Wait"/> since it was first notified, notify <see cref="Channels"/>.</summary>
public sealed record EscalationStep(TimeSpan Wait, IReadOnlyList<string> Channels);

/// <summary>
/// Ordered escalation steps; acknowledging every firing alert of the group stops it. With <see cref="RepeatAfter"/>,
/// the policy starts again from the first step that long after its last step, while still unacknowledged.
/// </summary>
public sealed record EscalationPolicy(string Name, IReadOnlyList<EscalationStep> Steps, TimeSpan? RepeatAfter = null);

/// <summary>A receiver: channels notified at once, or an escalation policy.</summary>
public sealed record Receiver(string Name, IReadOnlyList<string> Channels, string? Escalation = null);

/// <summary>How notifications are routed, grouped, muted and escalated.</summary>
public sealed record NotificationPolicy(
    ResolvedRoute Root, IReadOnlyList<Receiver> Receivers, IReadOnlyList<EscalationPolicy> Escalations, IReadOnlyList<InhibitRule> InhibitRules)
{
    public string ExternalUrl { get; init; } = "http://localhost:5080";

    public static NotificationPolicy Empty { get; } = new(ResolvedRoute.From(new Route(), "default"), [new Receiver("default", [])], [], []);
}
