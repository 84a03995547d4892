using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage.Series;

namespace OpsConsole.Core.Dashboards;

/// <summary>A variable with its choices now and the value in use.</summary>
public sealed record ResolvedVariable(DashboardVariable Definition, IReadOnlyList<string> Options, string Selected, bool Fixed, string? Problem)
{
    public string Name => Definition.Name;

    public string Label => Definition.Label ?? Definition.Name;

    public bool IsAll => Definition.IncludeAll && Selected == DashboardVariables.All;
}

/// <summary>Works out each variable's choices (from the data, for tenant and query variables) and the value to use.</summary>
public static class DashboardVariables
{
    /// <summary>The choice that stands for every value (interpolated as the variable's <see cref="DashboardVariable.AllValue"/>).</summary>
    public const string All = "All";

    /// <summary>The label that names a series' tenant (TELEMETRY.md), used by <c>tenant</c> variables without a query.</summary>
    public const string TenantLabel = "tenant_id";

    /// <summary>
    /// Resolves every variable. <paramref name="requested"/> holds the values asked for (from the URL); one that is not
    /// among the choices is not used: the default is, and <see cref="ResolvedVariable.Problem"/> says so. A tenant's
    /// user (<paramref name="tenantId"/> not null) has the tenant variable fixed to their own tenant.
    /// </summary>
    public static IReadOnlyList<ResolvedVariable> Resolve(Dashboard dashboard, SeriesStore series, string? tenantId, IReadOnlyDictionary<string, string> requested)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(requested);
        var result = new List<ResolvedVariable>();
        foreach (var v in dashboard.Variables)
        {
            requested.TryGetValue(v.Name, out var asked);
            if (v.Type == "tenant" && tenantId is not null)
            {
                var problem = asked is not null && asked != tenantId ? $"The tenant is fixed to yours ({tenantId}); '{asked}' was not applied." : null;
                result.Add(new ResolvedVariable(v, [tenantId], tenantId, Fixed: true, problem));
                continue;
            }

            var options = Options(v, series, tenantId);
            var fallback = Default(v, options);
            if (asked is null)
            {
                result.Add(new ResolvedVariable(v, options, fallback, Fixed: v.Type == "constant", null));
            }
            else if (options.Contains(asked, StringComparer.Ordinal) || (v.IncludeAll && asked == All))
            {
                result.Add(new ResolvedVariable(v, options, asked, Fixed: v.Type == "constant", null));
            }
            else
            {
                var shown = fallback.Length == 0 ? "nothing" : $"'{fallback}'";
                result.Add(new ResolvedVariable(v, options, fallback, Fixed: v.Type == "constant",
                    $"'{asked}' is not a value of ${v.Name}; showing {shown} instead."));
            }
        }

        return result;
    }

    /// <summary>The values to interpolate: "All" becomes the variable's all-value, inserted unescaped.</summary>
    public static VariableValues ToValues(IReadOnlyList<ResolvedVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var raw = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in variables)
        {
            if (v.IsAll)
            {
                values[v.Name] = v.Definition.AllValue;
                raw.Add(v.Name);
            }
            else
            {
                values[v.Name] = v.Selected;
            }
        }

        return new VariableValues(values, raw);
    }

    private static List<string> Options(DashboardVariable v, SeriesStore series, string? tenantId)
    {
        switch (v.Type)
        {
            case "custom":
            case "constant":
                return [.. v.Options];
            case "tenant" when v.Query is null:
                return [.. series.LabelValues(tenantId, TenantLabel)];
            default:
                if (DashboardValidator.ParseLabelValues(v.Query) is not { } q)
                {
                    return [];
                }

                var matchers = q.Selector is { } s && PromQlParser.Parse(s) is VectorSelector selector ? selector.Matchers : [];
                return [.. series.LabelValues(tenantId, q.Label, matchers)];
        }
    }

    private static string Default(DashboardVariable v, List<string> options)
    {
        if (v.Default is { } d && (options.Contains(d, StringComparer.Ordinal) || (v.IncludeAll && d == All)))
        {
            return d;
        }

        return v.IncludeAll ? All : options.FirstOrDefault() ?? "";
    }
}
