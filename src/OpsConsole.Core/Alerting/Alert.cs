using System.Globalization;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>
/// Where an alert is in its life: <see cref="Pending"/> (the rule's condition holds, not yet for its <c>for</c>),
/// <see cref="Firing"/>, then <see cref="Resolved"/> (kept for history). "Inactive" is the absence of an alert.
/// </summary>
public enum AlertState
{
    Pending,
    Firing,
    Resolved,
}

/// <summary>Who raised the alert: one of the console's alerting rules, or a client of <c>POST /api/v2/alerts</c>.</summary>
public enum AlertOrigin
{
    Rule,
    External,
}

/// <summary>An operator's acknowledgement: who, when, and why.</summary>
public sealed record Acknowledgement(string By, DateTimeOffset At, string? Comment);

/// <summary>
/// One alert instance. Its identity is <see cref="Fingerprint"/>, the hash of its sorted label set (annotations
/// excluded), so the same alert is never held twice while active; a re-fire after it resolved is a new instance
/// (a new <see cref="Id"/>, no acknowledgement) while the resolved one stays in the history.
/// </summary>
public sealed record Alert
{
    /// <summary>This instance (32 hex digits).</summary>
    public required string Id { get; init; }

    public required LabelSet Labels { get; init; }

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public required AlertState State { get; init; }

    public required AlertOrigin Origin { get; init; }

    /// <summary>When the condition was first seen (a rule alert's pending start; an external alert's <c>startsAt</c>).</summary>
    public required DateTimeOffset ActiveAt { get; init; }

    /// <summary>When it started firing (Alertmanager's <c>startsAt</c>); null while pending.</summary>
    public DateTimeOffset? FiredAt { get; init; }

    /// <summary>When it resolved; null while active.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>An external alert's announced end (sent, or now + resolve timeout when not sent).</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The last evaluation that returned this alert (for <c>keep_firing_for</c>).</summary>
    public DateTimeOffset? LastSeenAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The rule's value at the last evaluation that returned the alert (NaN for external alerts).</summary>
    public double Value { get; init; } = double.NaN;

    /// <summary>The rule group and rule key (<c>name#occurrence</c>); null for external alerts.</summary>
    public string? RuleGroup { get; init; }

    public string? RuleKey { get; init; }

    public string? Expression { get; init; }

    public string GeneratorUrl { get; init; } = "";

    /// <summary>The tenant whose data raised it (<c>default</c> for operators' own data and external alerts).</summary>
    public string TenantId { get; init; } = Domain.Tenancy.TenantIds.Default;

    public Acknowledgement? Acknowledgement { get; init; }

    /// <summary>Who resolved it by hand (external alerts only), else null.</summary>
    public string? ResolvedBy { get; init; }

    /// <summary>The fingerprint as Alertmanager writes it: 16 lower-case hex digits.</summary>
    public string Fingerprint => FingerprintOf(Labels);

    public string Name => Labels.Get(AlertLabels.AlertName) ?? "";

    public string? Severity => Labels.Get("severity");

    public bool IsActive => State != AlertState.Resolved;

    /// <summary>Alertmanager's <c>startsAt</c>: when it started firing (for a pending alert, when it became active).</summary>
    public DateTimeOffset StartsAt => FiredAt ?? ActiveAt;

    public static string FingerprintOf(LabelSet labels) => labels.Fingerprint.ToString("x16", CultureInfo.InvariantCulture);

    public static string NewId() => Guid.NewGuid().ToString("N");
}

/// <summary>Label names with a meaning to alerting.</summary>
public static class AlertLabels
{
    public const string AlertName = "alertname";
    public const string TenantId = "tenant_id";
}

/// <summary>What happened to an alert: its state before (null when it is new) and after.</summary>
public sealed record AlertChange(Alert? Before, Alert After, string Kind, string? Actor = null, string? Comment = null)
{
    public const string Pending = "pending";
    public const string Firing = "firing";
    public const string Resolved = "resolved";
    public const string Updated = "updated";
    public const string Acknowledged = "acknowledged";
    public const string Unacknowledged = "unacknowledged";
}

/// <summary>
/// Told of every alert change after it is stored (state transitions, acknowledgements, manual resolves), in order.
/// The live hub and pages subscribe through this; an observer must be quick (hand work off) and must not throw.
/// </summary>
public interface IAlertObserver
{
    void AlertsChanged(IReadOnlyList<AlertChange> changes);
}
