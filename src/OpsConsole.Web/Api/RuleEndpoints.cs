using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Rules;
using OpsConsole.Web.Rules;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// Rules in Prometheus's shape (<c>GET /api/v1/rules</c>), importing rule files (<c>POST /api/v1/rules</c>, YAML,
/// <c>?dryRun=true</c> to validate only), deleting a group (<c>DELETE /api/v1/rules/groups/{name}</c>), and the
/// query-explain endpoint (<c>/api/v1/query/explain</c>: the parsed expression tree).
/// </summary>
public static class RuleEndpoints
{
    /// <summary>The largest rule file the API takes.</summary>
    public const int MaxRuleFileBytes = 1024 * 1024;

    private static readonly string[] YamlMediaTypes = ["application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml"];

    public static IEndpointRouteBuilder MapRuleApi(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/api/v1").WithTags("Rules").DisableAntiforgery();
        rules.MapGet("/rules", ListRules).RequireAuthorization(Policies.ViewOperations);
        rules.MapPost("/rules", ImportAsync).RequireAuthorization(Policies.Admin);
        rules.MapDelete("/rules/groups/{**name}", DeleteAsync).RequireAuthorization(Policies.Admin);
        rules.MapMethods("/query/explain", ["GET", "POST"], ExplainAsync).RequireAuthorization(Policies.ViewDashboards)
            .WithMetadata(new RequiresQueryParametersAttribute());
        return app;
    }

    private static IResult ListRules(HttpContext http, RuleScheduler scheduler)
    {
        var query = http.Request.Query;
        var type = query["type"].ToString();
        if (type is not ("" or "alert" or "record"))
        {
            return Results.Json(new PrometheusResponse("error", ErrorType: "bad_data", Error: $"invalid query parameter type=\"{type}\": use alert or record"),
                statusCode: StatusCodes.Status400BadRequest);
        }

        var groupNames = Set(query["rule_group[]"]);
        var ruleNames = Set(query["rule_name[]"]);
        var files = Set(query["file[]"]);
        var groups = new List<object>();
        foreach (var status in scheduler.Statuses())
        {
            var loaded = status.Loaded;
            if ((groupNames is not null && !groupNames.Contains(loaded.Name)) || (files is not null && !files.Contains(loaded.File)))
            {
                continue;
            }

            var shown = status.Rules
                .Where(r => type == "" || (type == "alert") == (r.Rule.Kind == RuleKind.Alerting))
                .Where(r => ruleNames is null || ruleNames.Contains(r.Rule.Name))
                .Select(r => Rule(r, scheduler.AlertsOf(loaded.Name, status.Rules.ToList().IndexOf(r))))
                .ToList();
            if ((type != "" || ruleNames is not null) && shown.Count == 0)
            {
                continue; // as Prometheus: a filter that leaves a group empty leaves the group out
            }

            groups.Add(new Dictionary<string, object?>
            {
                ["name"] = loaded.Name,
                ["file"] = loaded.File,
                ["interval"] = status.IntervalMs / 1000.0,
                ["queryOffset"] = loaded.Group.QueryOffsetMs / 1000.0,
                ["limit"] = loaded.Group.Limit,
                ["labels"] = loaded.Group.Labels,
                ["rules"] = shown,
                ["evaluationTime"] = status.EvaluationTime.TotalSeconds,
                ["lastEvaluation"] = Rfc3339(status.LastEvaluation),
                ["nextEvaluation"] = status.NextEvaluation is null ? null : Rfc3339(status.NextEvaluation),
                ["source"] = loaded.Source == RuleGroupSource.Provisioned ? "provisioned" : "api",
                ["readOnly"] = loaded.Source == RuleGroupSource.Provisioned,
                ["updatedAt"] = Rfc3339(loaded.UpdatedAt),
                ["updatedBy"] = loaded.UpdatedBy,
            });
        }

        return Results.Json(new PrometheusResponse("success", new { groups }));
    }

    private static Dictionary<string, object?> Rule(RuleStatus status, IReadOnlyList<OpsConsole.Core.Alerting.Alert> alerts)
    {
        var rule = status.Rule;
        var result = new Dictionary<string, object?>
        {
            ["name"] = rule.Name,
            ["query"] = rule is AlertingRule conditioned ? conditioned.Condition : rule.Expr,
            ["labels"] = rule.Labels,
            ["health"] = status.Health.ToString().ToLowerInvariant(),
            ["lastError"] = status.LastError ?? "",
            ["evaluationTime"] = status.EvaluationTime.TotalSeconds,
            ["lastEvaluation"] = Rfc3339(status.LastEvaluation),
            ["type"] = rule.Kind == RuleKind.Alerting ? "alerting" : "recording",
        };
        if (rule is AlertingRule alert)
        {
            // As Prometheus: the rule's state is its most advanced alert's (firing, then pending, else inactive).
            result["state"] = alerts.Any(a => a.State == OpsConsole.Core.Alerting.AlertState.Firing) ? "firing"
                : alerts.Count > 0 ? "pending" : "inactive";
            if (alert.Logs is { } logs)
            {
                // OpsConsole extension: the log-based rule's condition, field by field.
                result["logCondition"] = new Dictionary<string, object?>
                {
                    ["query"] = logs.Query, ["window"] = logs.WindowMs / 1000.0, ["op"] = logs.OperatorText, ["threshold"] = logs.Threshold,
                };
            }
            else if (alert.Health is { } health)
            {
                result["healthCondition"] = new Dictionary<string, object?> { ["service"] = health.Service, ["check"] = health.Check };
            }

            result["duration"] = alert.ForMs / 1000.0;
            result["keepFiringFor"] = alert.KeepFiringForMs / 1000.0;
            result["annotations"] = alert.Annotations;
            result["alerts"] = alerts.OrderBy(a => a.Fingerprint, StringComparer.Ordinal).Select(a => new Dictionary<string, object?>
            {
                ["labels"] = a.Labels.Labels.ToDictionary(l => l.Key, l => l.Value),
                ["annotations"] = a.Annotations,
                ["state"] = a.State == OpsConsole.Core.Alerting.AlertState.Firing ? "firing" : "pending",
                ["activeAt"] = Rfc3339(a.ActiveAt),
                ["value"] = OpsConsole.Core.Query.PromQl.PromQlFormat.SampleValue(a.Value),
            }).ToList();
        }
        else
        {
            result["seriesCount"] = status.SeriesCount;
        }

        return result;
    }

    private static async Task<IResult> ImportAsync(HttpContext http, RuleGroupCatalog catalog, bool? dryRun, CancellationToken ct)
    {
        var contentType = MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var parsed) ? parsed.MediaType.ToString().ToLowerInvariant() : "";
        if (!YamlMediaTypes.Contains(contentType))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the rule file as YAML with Content-Type: application/yaml (or text/yaml), not \"{http.Request.ContentType}\".");
        }

        if (http.Request.ContentLength > MaxRuleFileBytes)
        {
            return TooLarge();
        }

        var body = await ReadBodyAsync(http.Request.Body, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var result = await catalog.ImportAsync(body, http.User, dryRun ?? false, http.Connection.RemoteIpAddress?.ToString(), ct);
        if (!result.IsValid)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid rule file",
                detail: $"{result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")} in the rule file; nothing was changed. " + result.Errors[0],
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = result.Errors.Select(e => e.ToString()).ToList(),
                    ["ruleErrors"] = result.Errors.Select(e => new
                    {
                        group = e.Group,
                        groupIndex = e.GroupIndex,
                        rule = e.RuleIndex,
                        ruleType = e.RuleKind switch { RuleKind.Alerting => "alerting", RuleKind.Recording => "recording", _ => null },
                        ruleName = e.RuleName,
                        field = e.Field,
                        line = e.Line,
                        column = e.Column,
                        message = e.Message,
                    }).ToList(),
                });
        }

        if (result.Conflicts.Count > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Provisioned rule group",
                detail: $"Read-only through the API: {string.Join(", ", result.Conflicts)}. Provisioned groups change with their file in the rules folder "
                    + "(at the next start); import under another name to have a group you can edit here. Nothing was changed.");
        }

        return Results.Json(new PrometheusResponse("success", new
        {
            dryRun = dryRun ?? false,
            groups = result.Changes.Select(c => new { name = c.Name, action = c.Action, rules = c.Rules }),
        }));
    }

    private static async Task<IResult> DeleteAsync(string name, HttpContext http, RuleGroupCatalog catalog, CancellationToken ct)
    {
        var group = catalog.Groups.FirstOrDefault(g => g.Name == name);
        return await catalog.DeleteAsync(name, http.User, http.Connection.RemoteIpAddress?.ToString(), ct) switch
        {
            RuleGroupDeleteResult.Deleted => Results.NoContent(),
            RuleGroupDeleteResult.Provisioned => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Provisioned rule group",
                detail: $"Rule group \"{name}\" is provisioned from {group?.File} and read-only through the API: remove it from that file (it goes at the next start)."),
            _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No rule group named \"{name}\"."),
        };
    }

    private static async Task<IResult> ExplainAsync(HttpContext http, CancellationToken ct)
    {
        string? query = http.Request.Query["query"];
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            if (form.TryGetValue("query", out var fromForm))
            {
                query = fromForm;
            }
        }

        if (string.IsNullOrWhiteSpace(query))
        {
            return Results.Json(new PrometheusResponse("error", ErrorType: "bad_data", Error: "invalid parameter \"query\": the query is empty"),
                statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var expr = PromQlParser.Parse(query);
            return Results.Json(new PrometheusResponse("success", new { query, expr = expr.ToString(), tree = PromQlExplainNode.From(expr) }));
        }
        catch (PromQlParseException e)
        {
            return Results.Json(new { status = "error", errorType = "bad_data", error = e.Message, position = e.Position }, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (PromQlUnsupportedException e)
        {
            return Results.Json(new PrometheusResponse("error", ErrorType: "bad_data", Error: "unsupported: " + e.Message), statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
            detail: $"A rule file may be at most {MaxRuleFileBytes / 1024} KiB; split it into several imports.");

    /// <summary>The body as UTF-8 text; null when it is longer than <see cref="MaxRuleFileBytes"/>.</summary>
    private static async Task<string?> ReadBodyAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxRuleFileBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
    }

    private static HashSet<string>? Set(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 0 ? null : [.. values.Where(v => v is not null).Select(v => v!)];

    /// <summary>RFC 3339 in UTC as Prometheus writes it; the zero time for "never".</summary>
    private static string Rfc3339(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : "0001-01-01T00:00:00Z";

}
