using System.Security.Claims;
using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Alerting;

/// <summary>An alert with why it is muted and where it is routed, as the APIs and pages show it.</summary>
public sealed record AlertView(Alert Alert, MuteStatus Mute, IReadOnlyList<string> Receivers);

/// <summary>
/// What operators do to alerts and silences (acknowledge, unacknowledge, resolve, silence, expire), each written to
/// the audit log with who, when, before and after; and the views the APIs and pages read.
/// </summary>
public sealed class AlertOperations(AlertStore alerts, SilenceStore silences, Notifier notifier, AuditTrail audit, TimeProvider time)
{
    public AlertStore Alerts => alerts;

    public SilenceStore Silences => silences;

    public Notifier Notifier => notifier;

    public AlertView View(Alert alert) => new(alert, notifier.MuteStatusOf(alert, time.GetUtcNow()), notifier.ReceiversOf(alert));

    /// <summary>Active alerts (pending and firing) with their mute status.</summary>
    public IReadOnlyList<AlertView> ActiveViews() => Views(alerts.Active());

    /// <summary>Views of many alerts, their mute status from one look at the firing alerts.</summary>
    public IReadOnlyList<AlertView> Views(IEnumerable<Alert> list)
    {
        var mute = notifier.MuteSnapshot(time.GetUtcNow());
        return [.. list.Select(a => new AlertView(a, mute(a), notifier.ReceiversOf(a)))];
    }

    /// <summary>The active alerts a silence with these matchers would mute (the preview before saving).</summary>
    public IReadOnlyList<Alert> Preview(IReadOnlyList<LabelMatcher> matchers) =>
        [.. alerts.Active().Where(a => Matchers.MatchesAll(matchers, a.Labels)).OrderBy(a => a.Name, StringComparer.Ordinal)];

    public Task<AlertActionResult> AcknowledgeAsync(string id, ClaimsPrincipal user, string? comment, string? remote, CancellationToken ct) =>
        AuditedAsync(alerts.AcknowledgeAsync(id, user.GetActor(), comment, ct), user, "alerts.acknowledge", comment, remote, ct);

    public Task<AlertActionResult> UnacknowledgeAsync(string id, ClaimsPrincipal user, string? comment, string? remote, CancellationToken ct) =>
        AuditedAsync(alerts.UnacknowledgeAsync(id, user.GetActor(), comment, ct), user, "alerts.unacknowledge", comment, remote, ct);

    public Task<AlertActionResult> ResolveAsync(string id, ClaimsPrincipal user, string? comment, string? remote, CancellationToken ct) =>
        AuditedAsync(alerts.ResolveAsync(id, user.GetActor(), comment, ct), user, "alerts.resolve", comment, remote, ct);

    public async Task<SilenceResult> SetSilenceAsync(SilenceRequest request, ClaimsPrincipal user, string? remote, CancellationToken ct)
    {
        var result = await silences.SetAsync(request, ct);
        if (result.Silence is not null && result.Outcome is SilenceOutcome.Created or SilenceOutcome.Updated or SilenceOutcome.Replaced)
        {
            var action = result.Outcome switch
            {
                SilenceOutcome.Created => "silences.create",
                SilenceOutcome.Updated => "silences.update",
                _ => "silences.replace",
            };
            await audit.RecordAsync(user, action, "silence", result.Silence.Id,
                before: result.Previous is null ? null : Snapshot(result.Previous), after: Snapshot(result.Silence), remoteAddress: remote, ct: ct);
        }

        return result;
    }

    public async Task<SilenceResult> ExpireSilenceAsync(string id, ClaimsPrincipal user, string? remote, CancellationToken ct)
    {
        var result = await silences.ExpireAsync(id, ct);
        if (result.Outcome == SilenceOutcome.Expired)
        {
            await audit.RecordAsync(user, "silences.expire", "silence", id, before: Snapshot(result.Previous!), after: Snapshot(result.Silence!), remoteAddress: remote, ct: ct);
        }

        return result;
    }

    private async Task<AlertActionResult> AuditedAsync(Task<AlertActionResult> action, ClaimsPrincipal user, string name, string? comment, string? remote, CancellationToken ct)
    {
        var result = await action;
        if (result.Outcome == AlertActionOutcome.Done)
        {
            await audit.RecordAsync(user, name, "alert", result.Alert!.Id, tenantId: result.Alert.TenantId,
                before: Snapshot(result.Before!), after: Snapshot(result.Alert, comment), remoteAddress: remote, ct: ct);
        }

        return result;
    }

    private static object Snapshot(Alert a, string? comment = null) => new
    {
        alert = a.Labels.ToString(),
        fingerprint = a.Fingerprint,
        state = a.State.ToString().ToLowerInvariant(),
        acknowledgedBy = a.Acknowledgement?.By,
        acknowledgedAt = a.Acknowledgement?.At,
        resolvedBy = a.ResolvedBy,
        comment,
    };

    private static object Snapshot(Silence s) => new
    {
        matchers = s.Matchers.Select(m => m.ToString()).ToList(),
        startsAt = s.StartsAt,
        endsAt = s.EndsAt,
        createdBy = s.CreatedBy,
        comment = s.Comment,
    };
}
