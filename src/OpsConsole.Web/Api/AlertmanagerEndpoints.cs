using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>A matcher as Alertmanager's API v2 writes it.</summary>
public sealed record AmMatcher(string? Name, string? Value, bool? IsRegex, bool? IsEqual);

/// <summary>Alertmanager's <c>postableSilence</c>.</summary>
public sealed record AmPostableSilence(string? Id, List<AmMatcher>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? CreatedBy, string? Comment);

/// <summary>Alertmanager's <c>postableAlert</c>.</summary>
public sealed record AmPostableAlert(Dictionary<string, string>? Labels, Dictionary<string, string>? Annotations, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? GeneratorURL);

/// <summary>
/// Alertmanager's API v2, field for field, so that Prometheus can send its alerts here and amtool can list alerts and
/// manage silences: <c>/api/v2/alerts</c> (GET, POST), <c>/api/v2/alerts/groups</c>, <c>/api/v2/silences</c>
/// (GET, POST), <c>/api/v2/silence/{id}</c> (GET, DELETE), <c>/api/v2/status</c>. Reading needs ViewOperations,
/// changing needs Operate. Bad input is a 400 with the reason, and changes nothing.
/// </summary>
public static class AlertmanagerEndpoints
{
    private static readonly DateTimeOffset Started = DateTimeOffset.UtcNow;

    public static IEndpointRouteBuilder MapAlertmanagerApi(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/api/v2").WithTags("Alertmanager").DisableAntiforgery();
        v2.MapGet("/alerts", GetAlerts).RequireAuthorization(Policies.ViewOperations);
        v2.MapPost("/alerts", PostAlertsAsync).RequireAuthorization(Policies.Operate);
        v2.MapGet("/alerts/groups", GetGroups).RequireAuthorization(Policies.ViewOperations);
        v2.MapGet("/silences", GetSilences).RequireAuthorization(Policies.ViewOperations);
        v2.MapPost("/silences", PostSilenceAsync).RequireAuthorization(Policies.Operate);
        v2.MapGet("/silence/{id}", GetSilence).RequireAuthorization(Policies.ViewOperations);
        v2.MapDelete("/silence/{id}", DeleteSilenceAsync).RequireAuthorization(Policies.Operate);
        v2.MapGet("/status", GetStatus).RequireAuthorization(Policies.ViewOperations);
        v2.MapGet("/receivers", (AlertOperations ops) => Results.Json(ops.Notifier.Policy.Receivers.Select(r => new { name = r.Name })))
            .RequireAuthorization(Policies.ViewOperations);
        return app;
    }

    private static IResult GetAlerts(HttpContext http, AlertOperations ops, TimeProvider time)
    {
        if (AlertFilter.Read(http.Request.Query, out var filter) is { } bad)
        {
            return bad;
        }

        var now = time.GetUtcNow();
        var alerts = ops.Views(ops.Alerts.Firing()).Where(filter.Includes).OrderBy(v => v.Alert.Fingerprint, StringComparer.Ordinal);
        return Results.Json(alerts.Select(v => Gettable(v, ops, now)));
    }

    private static IResult GetGroups(HttpContext http, AlertOperations ops, TimeProvider time)
    {
        if (AlertFilter.Read(http.Request.Query, out var filter) is { } bad)
        {
            return bad;
        }

        var now = time.GetUtcNow();
        var views = ops.Views(ops.Alerts.Firing()).Where(filter.Includes).ToDictionary(v => v.Alert.Id);
        var groups = ops.Notifier.Groups(views.Values.Select(v => v.Alert))
            .Where(g => filter.Receiver is null || filter.Receiver.IsMatch(g.Route.Receiver))
            .Select(g => new Dictionary<string, object>
            {
                ["labels"] = g.Labels,
                ["receiver"] = new { name = g.Route.Receiver },
                ["alerts"] = g.Alerts.OrderBy(a => a.Fingerprint, StringComparer.Ordinal).Select(a => Gettable(views[a.Id], ops, now)).ToList(),
            });
        return Results.Json(groups);
    }

    private static async Task<IResult> PostAlertsAsync(List<AmPostableAlert?>? body, HttpContext http, AlertOperations ops, CancellationToken ct)
    {
        if (body is null)
        {
            return Bad("The body must be a JSON array of alerts: [{\"labels\":{\"alertname\":\"…\"},\"annotations\":{},\"startsAt\":\"…\",\"endsAt\":\"…\",\"generatorURL\":\"…\"}].");
        }

        var posted = body.Select(a => new PostedAlert(a?.Labels ?? [], a?.Annotations, a?.StartsAt, a?.EndsAt, a?.GeneratorURL)).ToList();
        var errors = AlertStore.Validate(posted);
        if (errors.Count > 0)
        {
            return Bad($"{errors.Count} invalid alert{(errors.Count == 1 ? "" : "s")}; none was taken: {string.Join("; ", errors)}", errors);
        }

        await ops.Alerts.ReceiveAsync(posted, http.User.GetTenantId() ?? Domain.Tenancy.TenantIds.Default, ct);
        return Results.Ok();
    }

    private static IResult GetSilences(HttpContext http, AlertOperations ops, TimeProvider time)
    {
        var filters = new List<LabelMatcher>();
        foreach (var text in http.Request.Query["filter"])
        {
            try
            {
                filters.AddRange(Matchers.Parse(text ?? ""));
            }
            catch (MatcherFormatException e)
            {
                return Bad("filter: " + e.Message);
            }
        }

        var now = time.GetUtcNow();
        // As Alertmanager: a silence is listed when the filter matches the labels its equality matchers describe.
        var silences = ops.Silences.List().Where(s => filters.Count == 0 || Matchers.MatchesAll(filters,
            LabelSet.From(s.Matchers.Where(m => m.Type == LabelMatchType.Equal).Select(m => new KeyValuePair<string, string>(m.Name, m.Value)))));
        return Results.Json(silences.Select(s => Gettable(s, now)));
    }

    private static IResult GetSilence(string id, AlertOperations ops, TimeProvider time) =>
        ops.Silences.Get(id) is { } s ? Results.Json(Gettable(s, time.GetUtcNow())) : NotFound(id);

    private static async Task<IResult> PostSilenceAsync(AmPostableSilence? body, HttpContext http, AlertOperations ops, CancellationToken ct)
    {
        if (body is null)
        {
            return Bad("The body must be a silence: {\"matchers\":[{\"name\",\"value\",\"isRegex\",\"isEqual\"}],\"startsAt\",\"endsAt\",\"createdBy\",\"comment\"}.");
        }

        if (ReadMatchers(body.Matchers, out var matchers) is { } bad)
        {
            return bad;
        }

        if (body.StartsAt is null || body.EndsAt is null)
        {
            return Bad("startsAt and endsAt are required (RFC 3339 times).");
        }

        var result = await ops.SetSilenceAsync(new SilenceRequest(string.IsNullOrEmpty(body.Id) ? null : body.Id, matchers, body.StartsAt.Value, body.EndsAt.Value, body.CreatedBy, body.Comment),
            http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome switch
        {
            SilenceOutcome.Invalid => Bad("Invalid silence; nothing was changed: " + string.Join("; ", result.Errors!), [.. result.Errors!]),
            SilenceOutcome.NotFound => NotFound(body.Id!),
            _ => Results.Json(new { silenceID = result.Silence!.Id }),
        };
    }

    private static async Task<IResult> DeleteSilenceAsync(string id, HttpContext http, AlertOperations ops, CancellationToken ct)
    {
        var result = await ops.ExpireSilenceAsync(id, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome switch
        {
            SilenceOutcome.Expired => Results.Ok(),
            SilenceOutcome.NotFound => NotFound(id),
            _ => Bad(result.Errors![0]),
        };
    }

    private static IResult GetStatus(AlertOperations ops, TimeProvider time)
    {
        var policy = ops.Notifier.Policy;
        var version = typeof(AlertmanagerEndpoints).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        return Results.Json(new
        {
            cluster = new { name = Environment.MachineName, status = "disabled", peers = Array.Empty<object>() },
            versionInfo = new { version, revision = "opsconsole", branch = "main", buildUser = "opsconsole", buildDate = "", goVersion = "none (OpsConsole, .NET " + Environment.Version + ")" },
            config = new { original = ConfigYaml(policy) },
            uptime = NotificationChannels.Time(Started),
        });
    }

    internal static IResult? ReadMatchers(List<AmMatcher>? list, out List<LabelMatcher> matchers)
    {
        matchers = [];
        foreach (var m in list ?? [])
        {
            var type = (m.IsRegex ?? false, m.IsEqual ?? true) switch
            {
                (false, true) => LabelMatchType.Equal,
                (false, false) => LabelMatchType.NotEqual,
                (true, true) => LabelMatchType.Regex,
                _ => LabelMatchType.NotRegex,
            };
            try
            {
                matchers.Add(Matchers.Create(m.Name ?? "", type, m.Value ?? ""));
            }
            catch (MatcherFormatException e)
            {
                return Bad("Invalid silence; nothing was changed: " + e.Message);
            }
        }

        return null;
    }

    internal static Dictionary<string, object?> Gettable(AlertView v, AlertOperations ops, DateTimeOffset now)
    {
        var a = v.Alert;
        var endsAt = a.Origin == AlertOrigin.External ? a.EndsAt : (a.LastSeenAt ?? a.UpdatedAt) + ops.Alerts.Options.ResolveTimeout;
        return new Dictionary<string, object?>
        {
            ["annotations"] = a.Annotations,
            ["endsAt"] = NotificationChannels.Time(endsAt),
            ["fingerprint"] = a.Fingerprint,
            ["receivers"] = v.Receivers.Select(r => new { name = r }).ToList(),
            ["startsAt"] = NotificationChannels.Time(a.StartsAt),
            ["status"] = new
            {
                inhibitedBy = v.Mute.InhibitedBy,
                silencedBy = v.Mute.SilencedBy,
                state = v.Mute.IsMuted ? "suppressed" : "active",
            },
            ["updatedAt"] = NotificationChannels.Time(a.UpdatedAt > now ? now : a.UpdatedAt),
            ["generatorURL"] = WebhookChannel.Absolute(ops.Notifier.Policy.ExternalUrl, a.GeneratorUrl),
            ["labels"] = a.Labels.Labels.ToDictionary(l => l.Key, l => l.Value),
        };
    }

    internal static Dictionary<string, object?> Gettable(Silence s, DateTimeOffset now) => new()
    {
        ["id"] = s.Id,
        ["status"] = new { state = s.StateAt(now).ToString().ToLowerInvariant() },
        ["updatedAt"] = NotificationChannels.Time(s.UpdatedAt),
        ["comment"] = s.Comment,
        ["createdBy"] = s.CreatedBy,
        ["endsAt"] = NotificationChannels.Time(s.EndsAt),
        ["matchers"] = s.Matchers.Select(m => new
        {
            isEqual = m.Type is LabelMatchType.Equal or LabelMatchType.Regex,
            isRegex = m.Type is LabelMatchType.Regex or LabelMatchType.NotRegex,
            name = m.Name,
            value = m.Value,
        }).ToList(),
        ["startsAt"] = NotificationChannels.Time(s.StartsAt),
    };

    internal static IResult Bad(string detail, List<string>? errors = null) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No silence with id {id}.");

    private static string ConfigYaml(NotificationPolicy policy)
    {
        var sb = new StringBuilder();
        sb.Append("route:\n");
        WriteRoute(sb, policy.Root, "  ");
        sb.Append("receivers:\n");
        foreach (var r in policy.Receivers)
        {
            sb.Append("- name: ").Append(Quote(r.Name)).Append('\n');
        }

        if (policy.InhibitRules.Count > 0)
        {
            sb.Append("inhibit_rules:\n");
            foreach (var rule in policy.InhibitRules)
            {
                sb.Append("- source_matchers: [").AppendJoin(", ", rule.SourceMatchers.Select(m => Quote(m.ToString()))).Append("]\n")
                    .Append("  target_matchers: [").AppendJoin(", ", rule.TargetMatchers.Select(m => Quote(m.ToString()))).Append("]\n")
                    .Append("  equal: [").AppendJoin(", ", rule.Equal.Select(Quote)).Append("]\n");
            }
        }

        return sb.ToString();
    }

    private static void WriteRoute(StringBuilder sb, ResolvedRoute route, string indent)
    {
        sb.Append(indent).Append("receiver: ").Append(Quote(route.Receiver)).Append('\n')
            .Append(indent).Append("group_by: [").AppendJoin(", ", route.GroupBy.Select(Quote)).Append("]\n")
            .Append(indent).Append("group_wait: ").Append(Duration(route.GroupWait)).Append('\n')
            .Append(indent).Append("group_interval: ").Append(Duration(route.GroupInterval)).Append('\n')
            .Append(indent).Append("repeat_interval: ").Append(Duration(route.RepeatInterval)).Append('\n');
        if (route.Matchers.Count > 0)
        {
            sb.Append(indent).Append("matchers: [").AppendJoin(", ", route.Matchers.Select(m => Quote(m.ToString()))).Append("]\n");
        }

        if (route.Continue)
        {
            sb.Append(indent).Append("continue: true\n");
        }

        if (route.Routes.Count > 0)
        {
            sb.Append(indent).Append("routes:\n");
            foreach (var child in route.Routes)
            {
                var lines = new StringBuilder();
                WriteRoute(lines, child, indent + "  ");
                var text = lines.ToString();
                sb.Append(indent).Append("- ").Append(text.AsSpan(indent.Length + 2));
            }
        }
    }

    private static string Duration(TimeSpan t) => Core.Query.PromQl.PromQlDuration.Format((long)t.TotalMilliseconds);

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>The query of <c>GET /api/v2/alerts</c>: active / silenced / inhibited flags, matchers, receiver regex.</summary>
internal sealed record AlertFilter(bool Active, bool Silenced, bool Inhibited, IReadOnlyList<LabelMatcher> Matchers, Regex? Receiver)
{
    public bool Includes(AlertView v)
    {
        var silenced = v.Mute.SilencedBy.Count > 0;
        var inhibited = v.Mute.InhibitedBy.Count > 0;
        return (silenced ? Silenced : true) && (inhibited ? Inhibited : true) && (v.Mute.IsMuted || Active)
            && Core.Alerting.Matchers.MatchesAll(Matchers, v.Alert.Labels)
            && (Receiver is null || v.Receivers.Any(Receiver.IsMatch));
    }

    public static IResult? Read(IQueryCollection query, out AlertFilter filter)
    {
        filter = new AlertFilter(true, true, true, [], null);
        var flags = new Dictionary<string, bool> { ["active"] = true, ["silenced"] = true, ["inhibited"] = true, ["unprocessed"] = true };
        foreach (var name in flags.Keys.ToList())
        {
            var text = query[name].ToString();
            if (text.Length == 0)
            {
                continue;
            }

            if (!bool.TryParse(text, out var value))
            {
                return AlertmanagerEndpoints.Bad($"{name}: \"{text}\" is not true or false.");
            }

            flags[name] = value;
        }

        var matchers = new List<LabelMatcher>();
        foreach (var text in query["filter"])
        {
            try
            {
                matchers.AddRange(Core.Alerting.Matchers.Parse(text ?? ""));
            }
            catch (MatcherFormatException e)
            {
                return AlertmanagerEndpoints.Bad("filter: " + e.Message);
            }
        }

        Regex? receiver = null;
        var receiverText = query["receiver"].ToString();
        if (receiverText.Length > 0)
        {
            try
            {
                receiver = new Regex("^(?:" + receiverText + ")$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                return AlertmanagerEndpoints.Bad($"receiver: \"{receiverText}\" is not a valid regular expression: {e.Message}");
            }
        }

        filter = new AlertFilter(flags["active"], flags["silenced"], flags["inhibited"], matchers, receiver);
        return null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"active={Active} silenced={Silenced} inhibited={Inhibited}");
}
