using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsConsole.Core.Dashboards;

/// <summary>A dashboard document that cannot be used, with every reason found (each naming the panel or variable).</summary>
public sealed class DashboardValidationException(string source, IReadOnlyList<string> errors)
    : Exception($"{source}: {errors.Count} problem(s): {string.Join("; ", errors)}")
{
    /// <summary>Where the document came from (a file name, "the request body").</summary>
    public string Document { get; } = source;

    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>Reads and writes dashboard JSON (camelCase, unknown fields refused so a typo is reported, not ignored).</summary>
public static class DashboardJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        PropertyNameCaseInsensitive = false,
    };

    /// <summary>Parses and validates; throws <see cref="DashboardValidationException"/> listing what is wrong.</summary>
    public static Dashboard Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        Dashboard? dashboard;
        try
        {
            dashboard = JsonSerializer.Deserialize<Dashboard>(json, Options);
        }
        catch (JsonException e)
        {
            throw new DashboardValidationException(source, [Describe(e)]);
        }

        if (dashboard is null)
        {
            throw new DashboardValidationException(source, ["the document is null; expected a dashboard object"]);
        }

        var errors = DashboardValidator.Validate(dashboard);
        if (errors.Count > 0)
        {
            throw new DashboardValidationException(source, errors);
        }

        return DashboardValidator.WithPanelIds(dashboard);
    }

    public static string Serialize(Dashboard dashboard) => JsonSerializer.Serialize(dashboard, Options);

    private static string Describe(JsonException e)
    {
        var at = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path}";
        var line = e.LineNumber is { } l ? $" (line {l + 1})" : "";
        var message = e.Message;
        // System.Text.Json's messages end with "Path: … | LineNumber: … | BytePositionInLine: …"; we say that ourselves.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var name = e.Path?.Split('.').LastOrDefault() ?? "?";
            return $"unknown field '{name}'{at}{line}: check its spelling (field names are camelCase)";
        }

        return $"not valid dashboard JSON{at}{line}: {message}";
    }
}
