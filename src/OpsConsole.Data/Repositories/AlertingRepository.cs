using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Alerting;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Repositories;

/// <summary>Alerting in the database: alerts and their history, silences, notification state and deliveries.</summary>
public sealed class AlertingRepository(IDbContextFactory<OpsDbContext> factory) : IAlertingRepository
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<AlertingSnapshot> LoadAsync(DateTimeOffset resolvedSince, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var alerts = await db.Alerts.AsNoTracking().Where(a => a.State != "resolved" || a.ResolvedAt >= resolvedSince).ToListAsync(ct);
        var silences = await db.Silences.AsNoTracking().Where(s => s.EndsAt >= resolvedSince).ToListAsync(ct);
        var groups = await db.NotificationGroups.AsNoTracking().ToListAsync(ct);
        return new AlertingSnapshot([.. alerts.Select(ToAlert)], [.. silences.Select(ToSilence)], [.. groups.Select(ToGroup)]);
    }

    public async Task SaveAlertChangesAsync(IReadOnlyList<AlertChange> changes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = changes.Select(c => c.After.Id).Distinct().ToList();
        var rows = await db.Alerts.Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, StringComparer.Ordinal, ct);
        foreach (var change in changes)
        {
            var alert = change.After;
            if (change.Kind == AlertStore.Inactive)
            {
                if (rows.Remove(alert.Id, out var gone))
                {
                    db.Alerts.Remove(gone);
                }

                await db.AlertHistory.Where(h => h.AlertId == alert.Id).ExecuteDeleteAsync(ct);
                continue;
            }

            if (!rows.TryGetValue(alert.Id, out var row))
            {
                row = new AlertEntity { Id = alert.Id, Fingerprint = "", TenantId = "", Origin = "", State = "", Labels = "", Annotations = "" };
                db.Alerts.Add(row);
                rows[alert.Id] = row;
            }

            Fill(row, alert);
            db.AlertHistory.Add(new AlertHistoryEntity
            {
                AlertId = alert.Id,
                At = alert.UpdatedAt,
                Kind = change.Kind,
                Actor = change.Actor,
                Comment = change.Comment,
                State = State(alert.State),
            });
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task SaveSilencesAsync(IReadOnlyList<Silence> silences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(silences);
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = silences.Select(s => s.Id).ToList();
        var rows = await db.Silences.Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, StringComparer.Ordinal, ct);
        foreach (var silence in silences)
        {
            if (!rows.TryGetValue(silence.Id, out var row))
            {
                row = new SilenceEntity { Id = silence.Id, Matchers = "", CreatedBy = "", Comment = "" };
                db.Silences.Add(row);
            }

            row.Matchers = JsonSerializer.Serialize(silence.Matchers.Select(m => new StoredMatcher(m.Name, Op(m.Type), m.Value)), Json);
            row.StartsAt = silence.StartsAt;
            row.EndsAt = silence.EndsAt;
            row.CreatedBy = silence.CreatedBy;
            row.Comment = silence.Comment;
            row.UpdatedAt = silence.UpdatedAt;
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task SaveNotificationGroupAsync(NotificationGroupState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.NotificationGroups.FirstOrDefaultAsync(g => g.GroupKey == state.GroupKey, ct);
        if (row is null)
        {
            row = new NotificationGroupEntity { GroupKey = state.GroupKey, Route = "", GroupLabels = "", NotifiedFiring = "" };
            db.NotificationGroups.Add(row);
        }

        row.Route = state.Route;
        row.GroupLabels = JsonSerializer.Serialize(state.GroupLabels, Json);
        row.FirstSeenAt = state.FirstSeenAt;
        row.LastFlushAt = state.LastFlushAt;
        row.LastNotifiedAt = state.LastNotifiedAt;
        row.NotifiedFiring = JsonSerializer.Serialize(state.NotifiedFiring, Json);
        row.EscalationStep = state.EscalationStep;
        row.EscalationStartedAt = state.EscalationStartedAt;
        row.AcknowledgeSent = state.AcknowledgeSent;
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteNotificationGroupAsync(string groupKey, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.NotificationGroups.Where(g => g.GroupKey == groupKey).ExecuteDeleteAsync(ct);
    }

    public async Task AppendDeliveryAsync(DeliveryRecord delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.NotificationDeliveries.Add(new NotificationDeliveryEntity
        {
            At = delivery.At,
            GroupKey = delivery.GroupKey,
            Channel = delivery.Channel,
            ChannelType = delivery.ChannelType,
            Event = delivery.Event,
            Attempt = delivery.Attempt,
            Status = delivery.Status,
            StatusCode = delivery.StatusCode,
            Error = delivery.Error is { Length: > 2000 } e ? e[..2000] : delivery.Error,
            DurationMs = delivery.Duration.TotalMilliseconds,
            Alerts = string.Join(",", delivery.Alerts),
        });
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<DeliveryRecord>> DeliveriesAsync(IReadOnlyCollection<string>? fingerprints, int limit, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = new List<NotificationDeliveryEntity>();
        if (fingerprints is null)
        {
            rows.AddRange(await db.NotificationDeliveries.AsNoTracking().OrderByDescending(d => d.Id).Take(limit).ToListAsync(ct));
        }
        else
        {
            foreach (var fingerprint in fingerprints.Distinct())
            {
                rows.AddRange(await db.NotificationDeliveries.AsNoTracking().Where(d => d.Alerts.Contains(fingerprint)).OrderByDescending(d => d.Id).Take(limit).ToListAsync(ct));
            }
        }

        return [.. rows.DistinctBy(r => r.Id).OrderByDescending(r => r.Id).Take(limit).Select(r => new DeliveryRecord
        {
            Id = r.Id,
            At = r.At,
            GroupKey = r.GroupKey,
            Channel = r.Channel,
            ChannelType = r.ChannelType,
            Event = r.Event,
            Attempt = r.Attempt,
            Status = r.Status,
            StatusCode = r.StatusCode,
            Error = r.Error,
            Duration = TimeSpan.FromMilliseconds(r.DurationMs),
            Alerts = r.Alerts.Length == 0 ? [] : r.Alerts.Split(','),
        })];
    }

    public async Task<IReadOnlyList<AlertHistoryEntry>> HistoryAsync(string alertId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.AlertHistory.AsNoTracking().Where(h => h.AlertId == alertId).OrderBy(h => h.Id).ToListAsync(ct);
        return [.. rows.Select(h => new AlertHistoryEntry(h.AlertId, h.At, h.Kind, h.Actor, h.Comment, h.State))];
    }

    public async Task<Alert?> FindAlertAsync(string id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        return row is null ? null : ToAlert(row);
    }

    private static void Fill(AlertEntity row, Alert alert)
    {
        row.Fingerprint = alert.Fingerprint;
        row.TenantId = alert.TenantId;
        row.Origin = alert.Origin == AlertOrigin.Rule ? "rule" : "external";
        row.State = State(alert.State);
        row.Labels = JsonSerializer.Serialize(alert.Labels.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal), Json);
        row.Annotations = JsonSerializer.Serialize(alert.Annotations, Json);
        row.Value = double.IsNaN(alert.Value) ? null : alert.Value;
        row.RuleGroup = alert.RuleGroup;
        row.RuleKey = alert.RuleKey;
        row.Expression = alert.Expression;
        row.GeneratorUrl = alert.GeneratorUrl;
        row.ActiveAt = alert.ActiveAt;
        row.FiredAt = alert.FiredAt;
        row.ResolvedAt = alert.ResolvedAt;
        row.EndsAt = alert.EndsAt;
        row.LastSeenAt = alert.LastSeenAt;
        row.UpdatedAt = alert.UpdatedAt;
        row.AcknowledgedBy = alert.Acknowledgement?.By;
        row.AcknowledgedAt = alert.Acknowledgement?.At;
        row.AcknowledgeComment = alert.Acknowledgement?.Comment;
        row.ResolvedBy = alert.ResolvedBy;
    }

    private static Alert ToAlert(AlertEntity row) => new()
    {
        Id = row.Id,
        Labels = LabelSet.From(JsonSerializer.Deserialize<Dictionary<string, string>>(row.Labels, Json) ?? []),
        Annotations = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Annotations, Json) ?? [],
        State = row.State switch { "pending" => AlertState.Pending, "firing" => AlertState.Firing, _ => AlertState.Resolved },
        Origin = row.Origin == "rule" ? AlertOrigin.Rule : AlertOrigin.External,
        ActiveAt = row.ActiveAt,
        FiredAt = row.FiredAt,
        ResolvedAt = row.ResolvedAt,
        EndsAt = row.EndsAt,
        LastSeenAt = row.LastSeenAt,
        UpdatedAt = row.UpdatedAt,
        Value = row.Value ?? double.NaN,
        RuleGroup = row.RuleGroup,
        RuleKey = row.RuleKey,
        Expression = row.Expression,
        GeneratorUrl = row.GeneratorUrl,
        TenantId = row.TenantId,
        Acknowledgement = row.AcknowledgedBy is null || row.AcknowledgedAt is null ? null : new Acknowledgement(row.AcknowledgedBy, row.AcknowledgedAt.Value, row.AcknowledgeComment),
        ResolvedBy = row.ResolvedBy,
    };

    private static Silence ToSilence(SilenceEntity row) => new(
        row.Id,
        [.. (JsonSerializer.Deserialize<List<StoredMatcher>>(row.Matchers, Json) ?? []).Select(m => LabelMatcher.Create(m.Name, FromOp(m.Op), m.Value))],
        row.StartsAt, row.EndsAt, row.CreatedBy, row.Comment, row.UpdatedAt);

    private static NotificationGroupState ToGroup(NotificationGroupEntity row) => new()
    {
        GroupKey = row.GroupKey,
        Route = row.Route,
        GroupLabels = JsonSerializer.Deserialize<Dictionary<string, string>>(row.GroupLabels, Json) ?? [],
        FirstSeenAt = row.FirstSeenAt,
        LastFlushAt = row.LastFlushAt,
        LastNotifiedAt = row.LastNotifiedAt,
        NotifiedFiring = JsonSerializer.Deserialize<List<string>>(row.NotifiedFiring, Json) ?? [],
        EscalationStep = row.EscalationStep,
        EscalationStartedAt = row.EscalationStartedAt,
        AcknowledgeSent = row.AcknowledgeSent,
    };

    private static string State(AlertState state) => state switch
    {
        AlertState.Pending => "pending",
        AlertState.Firing => "firing",
        _ => "resolved",
    };

    private static string Op(LabelMatchType type) => type switch
    {
        LabelMatchType.Equal => "=",
        LabelMatchType.NotEqual => "!=",
        LabelMatchType.Regex => "=~",
        _ => "!~",
    };

    private static LabelMatchType FromOp(string op) => op switch
    {
        "=" => LabelMatchType.Equal,
        "!=" => LabelMatchType.NotEqual,
        "=~" => LabelMatchType.Regex,
        _ => LabelMatchType.NotRegex,
    };

    private sealed record StoredMatcher(string Name, string Op, string Value);
}
