using System.Text.Json;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// <c>GET/PUT /api/v1/alerting/config</c> (Admin): the alerting configuration document in force (routes, receivers,
/// escalations, inhibition rules, channels; secrets masked) and saving a new version of it, applied without a restart.
/// <c>GET /api/v1/alerting/config/versions</c>: who saved which version when.
/// </summary>
public static class AlertingConfigEndpoints
{
    public static IEndpointRouteBuilder MapAlertingConfigApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/alerting").WithTags("Alerting configuration").DisableAntiforgery().RequireAuthorization(Policies.Admin);
        api.MapGet("/config", (AlertingConfigService config) => Results.Json(View(config.Current)));
        api.MapPut("/config", PutAsync);
        api.MapGet("/config/versions", async (AlertingConfigService config, CancellationToken ct) =>
            Results.Json((await config.HistoryAsync(100, ct)).Select(v => new { version = v.Version, savedAt = v.At, savedBy = v.By })));
        return app;
    }

    private static object View(AlertingConfigVersion v) =>
        new { version = v.Version, savedAt = v.At, savedBy = v.By, config = AlertingConfigService.Masked(v.Document) };

    private static async Task<IResult> PutAsync(HttpContext http, AlertingConfigService config, long? version, CancellationToken ct)
    {
        AlertingConfigDocument? document;
        try
        {
            document = await http.Request.ReadFromJsonAsync<AlertingConfigDocument>(JsonSerializerOptions.Web, ct);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, title: "Bad request", detail: $"The body is not an alerting configuration document: {e.Message}");
        }
        catch (InvalidOperationException e) when (!http.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: $"Send the document as application/json ({e.Message}).");
        }

        var result = await config.SaveAsync(document, http.User, version, http.Connection.RemoteIpAddress?.ToString(), ct);
        if (result.Saved is { } saved)
        {
            return Results.Json(View(saved));
        }

        var detail = string.Join("; ", result.Errors.Select(e => (e.Key.Length == 0 ? "" : e.Key + ": ") + string.Join(", ", e.Value)));
        return result.Conflict
            ? Results.Problem(statusCode: 409, title: "Conflict", detail: detail)
            : Results.ValidationProblem(result.Errors, detail: detail, title: "The alerting configuration is not valid");
    }
}
