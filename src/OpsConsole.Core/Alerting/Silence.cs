using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>Derived from a silence's times, never stored.</summary>
public enum SilenceState
{
    Pending,
    Active,
    Expired,
}

/// <summary>
/// Mutes the alerts whose labels all its matchers match while it is active (from <see cref="StartsAt"/> until
/// <see cref="EndsAt"/>). Silences are never deleted: expiring one early moves its end to now.
/// </summary>
public sealed record Silence(
    string Id, IReadOnlyList<LabelMatcher> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment, DateTimeOffset UpdatedAt)
{
    public SilenceState StateAt(DateTimeOffset now) =>
        EndsAt <= now ? SilenceState.Expired : StartsAt > now ? SilenceState.Pending : SilenceState.Active;

    public bool Mutes(LabelSet labels, DateTimeOffset now) => StateAt(now) == SilenceState.Active && Alerting.Matchers.MatchesAll(Matchers, labels);

    public bool Matches(LabelSet labels) => Alerting.Matchers.MatchesAll(Matchers, labels);

    /// <summary>
    /// Alertmanager's rules for a silence: at least one matcher, at least one that does not match the empty string
    /// (a silence must not mute everything), an end after the start and not in the past, an author and a comment.
    /// </summary>
    public static List<string> Validate(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset startsAt, DateTimeOffset endsAt, string? createdBy, string? comment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var errors = new List<string>();
        if (matchers.Count == 0)
        {
            errors.Add("at least one matcher is required");
        }
        else if (matchers.All(m => m.MatchesEmpty))
        {
            errors.Add("at least one matcher must not match the empty string (otherwise the silence would mute every alert)");
        }

        if (endsAt <= startsAt)
        {
            errors.Add("end time must be after the start time");
        }
        else if (endsAt <= now)
        {
            errors.Add("end time can't be in the past");
        }

        if (string.IsNullOrWhiteSpace(createdBy))
        {
            errors.Add("createdBy is required");
        }

        if (string.IsNullOrWhiteSpace(comment))
        {
            errors.Add("comment is required: say why the alerts are silenced");
        }

        return errors;
    }
}

/// <summary>
/// An inhibition rule: while an alert matching <see cref="SourceMatchers"/> fires, alerts matching
/// <see cref="TargetMatchers"/> that have the same values for the <see cref="Equal"/> labels are muted
/// (e.g. a critical ServiceDown inhibits the warnings of the same service). An alert never inhibits itself.
/// </summary>
public sealed record InhibitRule(IReadOnlyList<LabelMatcher> SourceMatchers, IReadOnlyList<LabelMatcher> TargetMatchers, IReadOnlyList<string> Equal);

/// <summary>Why an alert is muted: the silences and the inhibiting alerts (fingerprints). Empty lists: not muted.</summary>
public sealed record MuteStatus(IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy)
{
    public static readonly MuteStatus None = new([], []);

    public bool IsMuted => SilencedBy.Count > 0 || InhibitedBy.Count > 0;
}

/// <summary>What mutes alerts: silences and inhibition rules both answer through this.</summary>
public interface IMuter
{
    /// <summary>Ids of what mutes <paramref name="alert"/> at <paramref name="now"/> (silence ids, or the fingerprints of inhibiting alerts).</summary>
    IReadOnlyList<string> MutedBy(Alert alert, DateTimeOffset now);
}

/// <summary>Mutes alerts matched by an active silence.</summary>
public sealed class SilenceMuter(SilenceStore silences) : IMuter
{
    public IReadOnlyList<string> MutedBy(Alert alert, DateTimeOffset now) => silences.SilencedBy(alert.Labels, now);
}

/// <summary>Mutes alerts inhibited by a firing alert through one of the rules.</summary>
public sealed class Inhibitor(IReadOnlyList<InhibitRule> rules, Func<IReadOnlyList<Alert>> firing) : IMuter
{
    public IReadOnlyList<InhibitRule> Rules => rules;

    public IReadOnlyList<string> MutedBy(Alert alert, DateTimeOffset now) => Snapshot()(alert);

    /// <summary>
    /// What inhibits an alert, answered from one look at the firing alerts: per rule, the firing sources indexed by
    /// their values of the rule's <c>equal</c> labels, so checking many alerts (a page of 10,000, a notification
    /// flush) costs a lookup per alert and rule rather than a scan of every firing alert.
    /// </summary>
    public Func<Alert, IReadOnlyList<string>> Snapshot()
    {
        if (rules.Count == 0)
        {
            return static _ => [];
        }

        var sources = firing();
        var indexes = new Dictionary<string, List<Alert>>[rules.Count];
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            var index = indexes[r] = new Dictionary<string, List<Alert>>(StringComparer.Ordinal);
            foreach (var source in sources)
            {
                if (source.State == AlertState.Firing && Matchers.MatchesAll(rule.SourceMatchers, source.Labels))
                {
                    var key = EqualKey(rule, source.Labels);
                    if (!index.TryGetValue(key, out var list))
                    {
                        index[key] = list = [];
                    }

                    list.Add(source);
                }
            }
        }

        return alert =>
        {
            List<string>? by = null;
            for (var r = 0; r < rules.Count; r++)
            {
                var rule = rules[r];
                if (indexes[r].Count == 0 || !Matchers.MatchesAll(rule.TargetMatchers, alert.Labels)
                    || !indexes[r].TryGetValue(EqualKey(rule, alert.Labels), out var matching))
                {
                    continue;
                }

                foreach (var source in matching)
                {
                    if (source.Id == alert.Id || source.Fingerprint == alert.Fingerprint)
                    {
                        continue;
                    }

                    by ??= [];
                    if (!by.Contains(source.Fingerprint))
                    {
                        by.Add(source.Fingerprint);
                    }
                }
            }

            return by ?? (IReadOnlyList<string>)[];
        };
    }

    /// <summary>The values of the rule's <c>equal</c> labels (a missing label counts as empty), as one key.</summary>
    private static string EqualKey(InhibitRule rule, LabelSet labels) =>
        rule.Equal.Count == 0 ? "" : string.Join('\u0000', rule.Equal.Select(name => labels.Get(name) ?? ""));
}
