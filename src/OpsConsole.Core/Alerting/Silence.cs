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

    public IReadOnlyList<string> MutedBy(Alert alert, DateTimeOffset now)
    {
        if (rules.Count == 0)
        {
            return [];
        }

        List<string>? by = null;
        IReadOnlyList<Alert>? sources = null;
        foreach (var rule in rules)
        {
            if (!Matchers.MatchesAll(rule.TargetMatchers, alert.Labels))
            {
                continue;
            }

            sources ??= firing();
            foreach (var source in sources)
            {
                if (source.State != AlertState.Firing || source.Id == alert.Id || source.Fingerprint == alert.Fingerprint
                    || !Matchers.MatchesAll(rule.SourceMatchers, source.Labels)
                    || !rule.Equal.All(name => (source.Labels.Get(name) ?? "") == (alert.Labels.Get(name) ?? "")))
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
    }
}
