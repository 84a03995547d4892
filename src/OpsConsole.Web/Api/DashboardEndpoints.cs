using System.Text;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using OpsConsole.Core.Dashboards;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// The dashboards API. Read (dashboard viewers): list, one dashboard, its versions, one version, export. Change (Admin):
/// create, save a new version (naming the version it was made on), delete, restore a version, reset to the provisioned
/// file, import from Grafana. Every change is audited; an invalid document is a 400 naming the field or panel.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The largest dashboard document accepted.</summary>
    public const int MaxDashboardBytes = 5 * 1024 * 1024;

    private static readonly string[] SaveFields = ["dashboard", "version", "message"];

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/dashboards").WithTags("Dashboards").DisableAntiforgery();
        group.MapPost("/import/grafana", ImportGrafanaAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("", List).RequireAuthorization(Policies.ViewDashboards);
        group.MapPost("", CreateAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("/{uid}", Get).RequireAuthorization(Policies.ViewDashboards);
        group.MapPut("/{uid}", SaveAsync).RequireAuthorization(Policies.Admin);
        group.MapDelete("/{uid}", DeleteAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("/{uid}/export", Export).RequireAuthorization(Policies.ViewDashboards);
        group.MapGet("/{uid}/versions", VersionsAsync).RequireAuthorization(Policies.ViewDashboards);
        group.MapGet("/{uid}/versions/{version:int}", VersionAsync).RequireAuthorization(Policies.ViewDashboards);
        group.MapPost("/{uid}/versions/{version:int}/restore", RestoreAsync).RequireAuthorization(Policies.Admin);
        group.MapPost("/{uid}/reset", ResetAsync).RequireAuthorization(Policies.Admin);
        return app;
    }

    private static object Summary(DashboardEntry e) => new
    {
        uid = e.Dashboard.Uid,
        title = e.Dashboard.Title,
        tags = e.Dashboard.Tags,
        url = $"/dashboards/{e.Dashboard.Uid}",
        panels = e.Dashboard.Panels.Count(),
        version = e.Version,
        provisioned = e.Provisioned,
        edited = e.Edited,
        source = e.Source,
        updatedBy = e.UpdatedBy,
        updatedAt = e.UpdatedAt,
    };

    private static IResult List(IDashboardCatalog catalog) => Results.Json(catalog.List().Select(Summary));

    private static IResult Get(string uid, IDashboardCatalog catalog) => catalog.Find(uid) is { } e
        ? Results.Json(new { meta = Summary(e), dashboard = Document(e.Dashboard) })
        : NotFound(uid);

    /// <summary>The dashboard's JSON as a download (the same document the dashboards folder and the editor take).</summary>
    private static IResult Export(string uid, IDashboardCatalog catalog, HttpContext http)
    {
        if (catalog.Find(uid) is not { } e)
        {
            return NotFound(uid);
        }

        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName($"{e.Dashboard.Uid}.json");
        http.Response.Headers.ContentDisposition = disposition.ToString();
        return Results.Text(DashboardJson.Serialize(e.Dashboard), "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> VersionsAsync(string uid, DashboardStore store, CancellationToken ct)
    {
        if (store.Find(uid) is null)
        {
            return NotFound(uid);
        }

        var versions = await store.VersionsAsync(uid, ct);
        return Results.Json(versions.Select(v => new { version = v.Version, savedBy = v.SavedBy, savedAt = v.SavedAt, message = v.Message }));
    }

    private static async Task<IResult> VersionAsync(string uid, int version, DashboardStore store, CancellationToken ct)
    {
        if (await store.VersionAsync(uid, version, ct) is not { } v)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Dashboard '{uid}' has no version {version}.");
        }

        using var doc = JsonDocument.Parse(v.Json);
        return Results.Json(new { version = v.Version, savedBy = v.SavedBy, savedAt = v.SavedAt, message = v.Message, dashboard = doc.RootElement.Clone() });
    }

    /// <summary>Body: <c>{"dashboard": {…}, "message": "…"}</c>. 201 with the new dashboard's uid, URL and version 1.</summary>
    private static async Task<IResult> CreateAsync(HttpContext http, DashboardStore store, CancellationToken ct)
    {
        var (request, problem) = await ReadSaveRequestAsync(http, requireVersion: false, ct);
        if (problem is not null)
        {
            return problem;
        }

        var result = await store.CreateAsync(request!.Dashboard, request.Message, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome == DashboardChangeOutcome.Saved
            ? Results.Json(Saved(result.Entry!), statusCode: StatusCodes.Status201Created)
            : Failure(result);
    }

    /// <summary>Body: <c>{"dashboard": {…}, "version": n, "message": "…"}</c> where n is the version the edit was made on; 409 when it is not the latest.</summary>
    private static async Task<IResult> SaveAsync(string uid, HttpContext http, DashboardStore store, CancellationToken ct)
    {
        if (store.Find(uid) is null)
        {
            return NotFound(uid);
        }

        var (request, problem) = await ReadSaveRequestAsync(http, requireVersion: true, ct);
        if (problem is not null)
        {
            return problem;
        }

        var result = await store.SaveAsync(uid, request!.Dashboard, request.Version!.Value, request.Message, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome == DashboardChangeOutcome.Saved ? Results.Json(Saved(result.Entry!)) : Failure(result);
    }

    private static async Task<IResult> DeleteAsync(string uid, HttpContext http, DashboardStore store, CancellationToken ct)
    {
        var result = await store.DeleteAsync(uid, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome == DashboardChangeOutcome.Deleted ? Results.NoContent() : Failure(result);
    }

    private static async Task<IResult> RestoreAsync(string uid, int version, HttpContext http, DashboardStore store, CancellationToken ct)
    {
        if (store.Find(uid) is null)
        {
            return NotFound(uid);
        }

        var result = await store.RestoreAsync(uid, version, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome == DashboardChangeOutcome.Saved ? Results.Json(Saved(result.Entry!)) : Failure(result);
    }

    private static async Task<IResult> ResetAsync(string uid, HttpContext http, DashboardStore store, CancellationToken ct)
    {
        var result = await store.ResetToProvisionedAsync(uid, http.User, http.Connection.RemoteIpAddress?.ToString(), ct);
        return result.Outcome == DashboardChangeOutcome.Saved ? Results.Json(Saved(result.Entry!)) : Failure(result);
    }

    private static object Saved(DashboardEntry e) => new { uid = e.Dashboard.Uid, title = e.Dashboard.Title, version = e.Version, url = $"/dashboards/{e.Dashboard.Uid}" };

    private static JsonElement Document(Dashboard d)
    {
        using var doc = JsonDocument.Parse(DashboardJson.Serialize(d));
        return doc.RootElement.Clone();
    }

    private static IResult NotFound(string uid) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no dashboard '{uid}'.");

    private static IResult Failure(DashboardChange result) => result.Outcome switch
    {
        DashboardChangeOutcome.Invalid => Invalid(result.Errors),
        DashboardChangeOutcome.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        DashboardChangeOutcome.Conflict => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Version conflict", detail: result.Detail,
            extensions: new Dictionary<string, object?> { ["currentVersion"] = result.Entry?.Version, ["updatedBy"] = result.Entry?.UpdatedBy }),
        DashboardChangeOutcome.UidTaken => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Uid taken", detail: result.Detail),
        DashboardChangeOutcome.Provisioned => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Provisioned dashboard", detail: result.Detail),
        DashboardChangeOutcome.NotProvisioned => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not provisioned", detail: result.Detail),
        _ => throw new InvalidOperationException($"not a failure: {result.Outcome}"),
    };

    private static IResult Invalid(IReadOnlyList<string> errors) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid dashboard",
        detail: $"{errors.Count} problem{(errors.Count == 1 ? "" : "s")} in the dashboard; nothing was changed. {errors[0]}",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private sealed record SaveRequest(Dashboard Dashboard, int? Version, string? Message);

    /// <summary>Reads <c>{"dashboard": {…}, "version": n, "message": "…"}</c>; a problem result says what is wrong with it.</summary>
    private static async Task<(SaveRequest? Request, IResult? Problem)> ReadSaveRequestAsync(HttpContext http, bool requireVersion, CancellationToken ct)
    {
        if (!http.Request.HasJsonContentType())
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the dashboard as JSON with Content-Type: application/json, not \"{http.Request.ContentType}\"."));
        }

        var body = await ReadBodyAsync(http, MaxDashboardBytes, ct);
        if (body is null)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"A dashboard may be at most {MaxDashboardBytes / 1024 / 1024} MiB."));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            return (null, Invalid([$"the body is not valid JSON (line {(e.LineNumber ?? 0) + 1}): expected {{\"dashboard\": {{…}}{(requireVersion ? ", \"version\": n" : "")}}}"]));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, Invalid([$"the body must be an object {{\"dashboard\": {{…}}{(requireVersion ? ", \"version\": n" : "")}, \"message\": \"…\"}}"]));
            }

            var errors = root.EnumerateObject().Where(p => !SaveFields.Contains(p.Name))
                .Select(p => $"unknown field '{p.Name}' in the body: it takes dashboard, version and message").ToList();
            int? version = null;
            if (root.TryGetProperty("version", out var v))
            {
                if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 1)
                {
                    version = n;
                }
                else
                {
                    errors.Add($"version must be the whole number of the version the change was made on (1 or more), not {v.GetRawText()}");
                }
            }
            else if (requireVersion)
            {
                errors.Add("version is required: the version of the dashboard this change was made on (GET the dashboard: meta.version)");
            }

            string? message = null;
            if (root.TryGetProperty("message", out var m))
            {
                if (m.ValueKind == JsonValueKind.String)
                {
                    message = string.IsNullOrWhiteSpace(m.GetString()) ? null : m.GetString()!.Trim();
                }
                else if (m.ValueKind != JsonValueKind.Null)
                {
                    errors.Add("message must be a string");
                }
            }

            Dashboard? dashboard = null;
            if (!root.TryGetProperty("dashboard", out var d) || d.ValueKind != JsonValueKind.Object)
            {
                errors.Add("dashboard is required: the dashboard document as an object");
            }
            else
            {
                var (parsed, invalid) = DashboardStore.Validate(d.GetRawText());
                dashboard = parsed;
                errors.AddRange(invalid.Select(e => "dashboard: " + e));
            }

            return errors.Count > 0 || dashboard is null
                ? (null, Invalid(errors))
                : (new SaveRequest(dashboard, version, message), null);
        }
    }

    private static async Task<string?> ReadBodyAsync(HttpContext http, int max, CancellationToken ct)
    {
        if (http.Request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
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
