using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>An operator action on an alert: <c>acknowledge</c>, <c>unacknowledge</c> or <c>resolve</c> (external alerts), with a comment.</summary>
public sealed record AlertActionRequest(string? Action, string? Comment);

/// <summary>A silence as the native API takes it: matcher texts, an end (or a duration from the start), a comment; the author is the caller.</summary>
public sealed record SilenceCreateRequest(string? Id, List<string>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Duration, string? Comment);

/// <summary>Matcher texts whose alerts a silence would mute.</summary>
public sealed record SilencePreviewRequest(List<string>? Matchers);

/// <summary>
/// The native alerting API: alerts with their operator states (<c>/api/v1/monitoring/alerts</c>, PATCH to acknowledge,
/// unacknowledge or resolve), silences with a preview, notification deliveries and test notifications.
/// </summary>
public static class AlertEndpoints
{
    private const int MaxCommentLength = 2000;

    public static IEndpointRouteBuilder MapAlertApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/monitoring").WithTags("Alerts").DisableAntiforgery();
        api.MapGet("/alerts", ListAlerts).RequireAuthorization(Policies.ViewOperations);
        api.MapPost("/alerts", (List<AmPostableAlert?>? body, HttpContext http, AlertOperations ops, CancellationToken ct) =>
            PostAsync(body, http, ops, ct)).RequireAuthorization(Policies.Operate);
        api.MapGet("/alerts/{id}", GetAlertAsync).RequireAuthorization(Policies.ViewOperations);
        api.MapPatch("/alerts/{id}", ActAsync).RequireAuthorization(Policies.Operate);
        api.MapGet("/silences", (AlertOperations ops, TimeProvider time) =>
            Results.Json(ops.Silences.List().Select(s => AlertmanagerEndpoints.Gettable(s, time.GetUtcNow())))).RequireAuthorization(Policies.ViewOperations);
        api.MapPost("/silences", CreateSilenceAsync).RequireAuthorization(Policies.Operate);
        api.MapPost("/silences/preview", Preview).RequireAuthorization(Policies.ViewOperations);
        api.MapDelete("/silences/{id}", async (string id, HttpContext http, AlertOperations ops, CancellationToken ct) =>
            (await ops.ExpireSilenceAsync(id, http.User, http.Connection.RemoteIpAddress?.ToString(), ct)).Outcome switch
            {
                SilenceOutcome.Expired => Results.NoContent(),
                SilenceOutcome.NotFound => Results.Problem(statusCode: 404, title: "Not found", detail: $"No silence with id {id}."),
                _ => Results.Problem(statusCode: 409, title: "Already expired", detail: $"Silence {id} has already expired."),
            }).RequireAuthorization(Policies.Operate);
        api.MapGet("/notifications/deliveries", async (string? alert, AlertOperations ops, IAlertingRepository repository, CancellationToken ct) =>
        {
            var fingerprints = alert is null ? null : ops.Alerts.Get(alert) is { } a ? new[] { a.Fingerprint } : (await repository.FindAlertAsync(alert, ct)) is { } stored ? [stored.Fingerprint] : null;
            if (alert is not null && fingerprints is null)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"No alert with id {alert}.");
            }

            return Results.Json((await repository.DeliveriesAsync(fingerprints, 200, ct)).Select(Delivery));
        }).RequireAuthorization(Policies.ViewOperations);
        api.MapPost("/notifications/channels/{name}/test", async (string name, HttpContext http, AlertOperations ops, Auditing.AuditTrail audit, CancellationToken ct) =>
        {
            if (!ops.Notifier.Channels.ContainsKey(name))
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"No channel named \"{name}\"; the channels are: {string.Join(", ", ops.Notifier.Channels.Keys)}.");
            }

            var delivered = await ops.Notifier.SendTestAsync(name, http.User.GetActor(), ct);
            await audit.RecordAsync(http.User, "notifications.test", "channel", name, after: new { delivered }, remoteAddress: http.Connection.RemoteIpAddress?.ToString(), ct: ct);
            return Results.Json(new { channel = name, delivered });
        }).RequireAuthorization(Policies.Admin);
        return app;
    }

    private static IResult ListAlerts(string? state, string? filter, AlertOperations ops)
    {
        IReadOnlyList<LabelMatcher> matchers = [];
        if (!string.IsNullOrWhiteSpace(filter))
        {
            try
            {
                matchers = Matchers.Parse(filter);
            }
            catch (MatcherFormatException e)
            {
                return AlertmanagerEndpoints.Bad("filter: " + e.Message);
            }
        }

        IEnumerable<AlertView> views = state switch
        {
            null or "" or "active" => ops.ActiveViews(),
            "firing" => ops.ActiveViews().Where(v => v.Alert.State == AlertState.Firing && !v.Mute.IsMuted && v.Alert.Acknowledgement is null),
            "pending" => ops.ActiveViews().Where(v => v.Alert.State == AlertState.Pending),
            "acknowledged" => ops.ActiveViews().Where(v => v.Alert.Acknowledgement is not null),
            "suppressed" => ops.ActiveViews().Where(v => v.Mute.IsMuted),
            "resolved" => ops.Views(ops.Alerts.Resolved(1000)),
            _ => [],
        };
        if (state is not (null or "" or "active" or "firing" or "pending" or "acknowledged" or "suppressed" or "resolved"))
        {
            return AlertmanagerEndpoints.Bad($"state: \"{state}\" is not one of active, firing, pending, acknowledged, suppressed, resolved.");
        }

        return Results.Json(views.Where(v => Matchers.MatchesAll(matchers, v.Alert.Labels)).Select(Native));
    }

    private static async Task<IResult> GetAlertAsync(string id, AlertOperations ops, IAlertingRepository repository, CancellationToken ct)
    {
        var alert = ops.Alerts.Get(id) ?? await repository.FindAlertAsync(id, ct);
        if (alert is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"No alert with id {id}.");
        }

        var native = Native(ops.View(alert));
        native["history"] = (await repository.HistoryAsync(id, ct)).Select(h => new { at = h.At, kind = h.Kind, actor = h.Actor, comment = h.Comment, state = h.State }).ToList();
        native["deliveries"] = (await repository.DeliveriesAsync([alert.Fingerprint], 100, ct)).Select(Delivery).ToList();
        return Results.Json(native);
    }

    private static async Task<IResult> ActAsync(string id, AlertActionRequest? body, HttpContext http, AlertOperations ops, CancellationToken ct)
    {
        if (body?.Action is not ("acknowledge" or "unacknowledge" or "resolve"))
        {
            return AlertmanagerEndpoints.Bad($"action: \"{body?.Action}\" is not one of acknowledge, unacknowledge, resolve.");
        }

        if (body.Comment is { Length: > MaxCommentLength })
        {
            return AlertmanagerEndpoints.Bad($"comment: at most {MaxCommentLength} characters.");
        }

        var remote = http.Connection.RemoteIpAddress?.ToString();
        var result = body.Action switch
        {
            "acknowledge" => await ops.AcknowledgeAsync(id, http.User, body.Comment, remote, ct),
            "unacknowledge" => await ops.UnacknowledgeAsync(id, http.User, body.Comment, remote, ct),
            _ => await ops.ResolveAsync(id, http.User, body.Comment, remote, ct),
        };
        return result.Outcome switch
        {
            AlertActionOutcome.Done => Results.Json(Native(ops.View(result.Alert!))),
            AlertActionOutcome.NotFound => Results.Problem(statusCode: 404, title: "Not found", detail: $"No alert with id {id}."),
            _ => Results.Problem(statusCode: 409, title: "Conflict", detail: $"Cannot {body.Action}: {result.Message}."),
        };
    }

    private static Task<IResult> PostAsync(List<AmPostableAlert?>? body, HttpContext http, AlertOperations ops, CancellationToken ct) =>
        AlertmanagerPost(body, http, ops, ct);

    private static async Task<IResult> AlertmanagerPost(List<AmPostableAlert?>? body, HttpContext http, AlertOperations ops, CancellationToken ct)
    {
        if (body is null)
        {
            return AlertmanagerEndpoints.Bad("The body must be a JSON array of alerts.");
        }

        var posted = body.Select(a => new PostedAlert(a?.Labels ?? [], a?.Annotations, a?.StartsAt, a?.EndsAt, a?.GeneratorURL)).ToList();
        var errors = AlertStore.Validate(posted);
        if (errors.Count > 0)
        {
            return AlertmanagerEndpoints.Bad($"{errors.Count} invalid alert(s); none was taken: {string.Join("; ", errors)}", errors);
        }

        var changes = await ops.Alerts.ReceiveAsync(posted, http.User.GetTenantId() ?? Domain.Tenancy.TenantIds.Default, ct);
        return Results.Json(new { received = posted.Count, changed = changes.Count });
    }

    private static async Task<IResult> CreateSilenceAsync(SilenceCreateRequest? body, HttpContext http, AlertOperations ops, TimeProvider time, CancellationToken ct)
    {
        if (body is null)
        {
            return AlertmanagerEndpoints.Bad("The body must be {\"matchers\":[\"service=\\\"rag\\\"\"],\"duration\":\"1h\",\"comment\":\"…\"}.");
        }

        if (Parse(body.Matchers, out var matchers) is { } bad)
        {
            return bad;
        }

        var start = body.StartsAt ?? time.GetUtcNow();
        var end = body.EndsAt;
        if (body.Duration is not null)
        {
            var errors = new List<string>();
            end = start + AlertingOptions.Duration(body.Duration, "duration", errors);
            if (errors.Count > 0)
            {
                return AlertmanagerEndpoints.Bad(errors[0]);
            }
        }

        if (end is null)
        {
            return AlertmanagerEndpoints.Bad("Give endsAt or duration (e.g. \"1h\").");
        }

        var result = await ops.SetSilenceAsync(new SilenceRequest(body.Id, matchers, start, end.Value, http.User.GetActor(), body.Comment), http.User,
            http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome switch
        {
            SilenceOutcome.Invalid => AlertmanagerEndpoints.Bad("Invalid silence; nothing was changed: " + string.Join("; ", result.Errors!), [.. result.Errors!]),
            SilenceOutcome.NotFound => Results.Problem(statusCode: 404, title: "Not found", detail: $"No silence with id {body.Id}."),
            _ => Results.Json(new
            {
                outcome = result.Outcome.ToString().ToLowerInvariant(),
                silence = AlertmanagerEndpoints.Gettable(result.Silence!, time.GetUtcNow()),
                replaced = result.Outcome == SilenceOutcome.Replaced ? result.Previous?.Id : null,
                matches = ops.Preview(matchers).Count,
            }, statusCode: result.Outcome == SilenceOutcome.Created || result.Outcome == SilenceOutcome.Replaced ? 201 : 200),
        };
    }

    private static IResult Preview(SilencePreviewRequest? body, AlertOperations ops)
    {
        if (Parse(body?.Matchers, out var matchers) is { } bad)
        {
            return bad;
        }

        var errors = Silence.Validate(matchers, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, "x", "x", DateTimeOffset.MinValue);
        var alerts = ops.Preview(matchers);
        return Results.Json(new { valid = errors.Count == 0, errors, count = alerts.Count, alerts = alerts.Take(100).Select(a => Native(ops.View(a))) });
    }

    private static IResult? Parse(List<string>? texts, out List<LabelMatcher> matchers)
    {
        matchers = [];
        foreach (var text in texts ?? [])
        {
            try
            {
                matchers.AddRange(Matchers.Parse(text));
            }
            catch (MatcherFormatException e)
            {
                return AlertmanagerEndpoints.Bad("matchers: " + e.Message);
            }
        }

        return null;
    }

    internal static Dictionary<string, object?> Native(AlertView v)
    {
        var a = v.Alert;
        return new Dictionary<string, object?>
        {
            ["id"] = a.Id,
            ["fingerprint"] = a.Fingerprint,
            ["name"] = a.Name,
            ["state"] = a.State.ToString().ToLowerInvariant(),
            ["origin"] = a.Origin == AlertOrigin.Rule ? "rule" : "external",
            ["severity"] = a.Severity,
            ["tenantId"] = a.TenantId,
            ["labels"] = a.Labels.Labels.ToDictionary(l => l.Key, l => l.Value),
            ["annotations"] = a.Annotations,
            ["value"] = double.IsNaN(a.Value) ? null : a.Value,
            ["activeAt"] = a.ActiveAt,
            ["firedAt"] = a.FiredAt,
            ["resolvedAt"] = a.ResolvedAt,
            ["updatedAt"] = a.UpdatedAt,
            ["ruleGroup"] = a.RuleGroup,
            ["expression"] = a.Expression,
            ["generatorURL"] = a.GeneratorUrl,
            ["acknowledgement"] = a.Acknowledgement is { } ack ? new { by = ack.By, at = ack.At, comment = ack.Comment } : null,
            ["resolvedBy"] = a.ResolvedBy,
            ["suppressed"] = v.Mute.IsMuted,
            ["silencedBy"] = v.Mute.SilencedBy,
            ["inhibitedBy"] = v.Mute.InhibitedBy,
            ["receivers"] = v.Receivers,
        };
    }

    private static object Delivery(DeliveryRecord d) => new
    {
        id = d.Id,
        at = d.At,
        channel = d.Channel,
        channelType = d.ChannelType,
        @event = d.Event,
        attempt = d.Attempt,
        status = d.Status,
        statusCode = d.StatusCode,
        error = d.Error,
        durationMs = d.Duration.TotalMilliseconds,
        groupKey = d.GroupKey,
        alerts = d.Alerts,
    };
}
