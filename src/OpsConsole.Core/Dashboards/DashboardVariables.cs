using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Dashboards;

/// <summary>A variable with its choices now and the value in use.</summary>
public sealed record ResolvedVariable(DashboardVariable Definition, IReadOnlyList<string> Options, string Selected, bool Fixed, string? Problem)
{
    public string Name => Definition.Name;

    public string Label => Definition.Label ?? Definition.Name;

    public bool IsAll => Definition.IncludeAll && Selected == DashboardVariables.All;
}

/// <summary>The values of a label among the series matching the matchers (the tenant scope is already among them).</summary>
public delegate Task<IReadOnlyList<string>> LabelValuesLookup(string label, IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken);

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
    /// user (<paramref name="tenantScope"/> not null) has the tenant variable fixed to their own tenant, and every
    /// label-value lookup of a query variable is limited to series with <c>tenant_id="&lt;tenant&gt;"</c>, as the
    /// PromQL engine limits their queries.
    /// </summary>
    public static async Task<IReadOnlyList<ResolvedVariable>> ResolveAsync(
        Dashboard dashboard, LabelValuesLookup labelValues, string? tenantScope, IReadOnlyDictionary<string, string> requested, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(labelValues);
        ArgumentNullException.ThrowIfNull(requested);
        var scope = new PromQlOptions { TenantScope = tenantScope };
        var result = new List<ResolvedVariable>();
        foreach (var v in dashboard.Variables)
        {
            requested.TryGetValue(v.Name, out var asked);
            if (v.Type == "tenant" && tenantScope is not null)
            {
                var problem = asked is not null && asked != tenantScope ? $"The tenant is fixed to yours ({tenantScope}); '{asked}' was not applied." : null;
                result.Add(new ResolvedVariable(v, [tenantScope], tenantScope, Fixed: true, problem));
                continue;
            }

            var options = await OptionsAsync(v, labelValues, scope, cancellationToken);
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

    /// <summary><see cref="ResolveAsync"/> over the hot <paramref name="series"/> store (every stored tenant, limited by the scope label).</summary>
    public static IReadOnlyList<ResolvedVariable> Resolve(Dashboard dashboard, SeriesStore series, string? tenantScope, IReadOnlyDictionary<string, string> requested)
    {
        ArgumentNullException.ThrowIfNull(series);
        return ResolveAsync(dashboard, (label, matchers, _) => Task.FromResult(series.LabelValues(null, label, matchers)), tenantScope, requested)
            .GetAwaiter().GetResult();
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

    private static async Task<List<string>> OptionsAsync(DashboardVariable v, LabelValuesLookup labelValues, PromQlOptions scope, CancellationToken ct)
    {
        switch (v.Type)
        {
            case "custom":
            case "constant":
                return [.. v.Options];
            case "tenant" when v.Query is null:
                return [.. await labelValues(TenantLabel, scope.Scoped([]), ct)];
            default:
                if (DashboardValidator.ParseLabelValues(v.Query) is not { } q)
                {
                    return [];
                }

                IReadOnlyList<LabelMatcher> matchers = q.Selector is { } s && PromQlParser.Parse(s) is VectorSelector selector ? selector.Matchers : [];
                return [.. await labelValues(q.Label, scope.Scoped(matchers), ct)];
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
