using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>The dashboards API: <c>POST /api/v1/dashboards/import/grafana</c> (Admin).</summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/dashboards").WithTags("Dashboards").DisableAntiforgery();
        group.MapPost("/import/grafana", ImportGrafanaAsync).RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>
    /// Imports the Grafana dashboard JSON in the body (as exported, or wrapped as <c>{"dashboard": …}</c>). 201 with the
    /// new dashboard's uid, URL and the warnings (what was not carried over); 400 with the errors when it cannot be
    /// imported; 409 when its uid is taken; 413 over 5 MiB; 415 unless the body is JSON.
    /// </summary>
    private static async Task<IResult> ImportGrafanaAsync(HttpContext http, GrafanaImporter importer, CancellationToken ct)
    {
        if (!http.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the Grafana dashboard as JSON with Content-Type: application/json, not \"{http.Request.ContentType}\".");
        }

        if (http.Request.ContentLength > GrafanaImporter.MaxBytes)
        {
            return TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > GrafanaImporter.MaxBytes)
            {
                return TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        var json = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var result = await importer.ImportAsync(json, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome switch
        {
            DashboardImportOutcome.Imported => Results.Json(new
            {
                uid = result.Dashboard!.Uid,
                title = result.Dashboard.Title,
                url = $"/dashboards/{result.Dashboard.Uid}",
                panels = result.Dashboard.Panels.Count(),
                warnings = result.Warnings,
            }, statusCode: StatusCodes.Status201Created),
            DashboardImportOutcome.UidTaken => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Uid taken", detail: result.Errors[0],
                extensions: new Dictionary<string, object?> { ["errors"] = result.Errors, ["warnings"] = result.Warnings }),
            _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not importable",
                detail: $"The dashboard cannot be imported; nothing was changed. {result.Errors[0]}",
                extensions: new Dictionary<string, object?> { ["errors"] = result.Errors, ["warnings"] = result.Warnings }),
        };
    }

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
            detail: $"A Grafana dashboard may be at most {GrafanaImporter.MaxBytes / 1024 / 1024} MiB.");
}
