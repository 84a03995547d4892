using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Core.Query.PromQl;

namespace OpsConsole.Core.Dashboards;

/// <summary>Checks a dashboard; every message names the panel (title and position) or variable it is about.</summary>
public static partial class DashboardValidator
{
    public const int GridColumns = 24;
    public const int MaxPanelHeight = 60;
    public static IReadOnlyList<string> VariableTypes { get; } = ["tenant", "query", "custom", "constant"];
    public static IReadOnlyList<string> ReduceNames { get; } = ["last", "mean", "max", "min"];

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex UidPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", RegexOptions.CultureInvariant)]
    private static partial Regex HexColor();

    [GeneratedRegex(@"^\s*label_values\(\s*(?:(?<selector>.+?)\s*,\s*)?(?<label>[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValuesPattern();

    /// <summary>Threshold colour names (mapped to the theme's status colours); <c>#rgb</c> and <c>#rrggbb</c> are also accepted.</summary>
    public static IReadOnlyList<string> ColorNames { get; } = ["green", "yellow", "orange", "red", "blue", "purple", "grey", "text"];

    /// <summary>Parses a <c>label_values(…)</c> variable query into its selector (may be null) and label name.</summary>
    public static (string? Selector, string Label)? ParseLabelValues(string? query)
    {
        var m = query is null ? null : LabelValuesPattern().Match(query);
        return m is { Success: true } ? (m.Groups["selector"].Success ? m.Groups["selector"].Value : null, m.Groups["label"].Value) : null;
    }

    /// <summary>A relative time such as <c>now-6h</c> as milliseconds before now (0 for <c>now</c>); null when it is not one.</summary>
    public static long? ParseRelative(string? text)
    {
        if (text == "now")
        {
            return 0;
        }

        return text is not null && text.StartsWith("now-", StringComparison.Ordinal) && PromQlDuration.TryParseMs(text[4..]) is { } ms and > 0 ? ms : null;
    }

    public static IReadOnlyList<string> Validate(Dashboard d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var errors = new List<string>();
        if (d.SchemaVersion != 1)
        {
            errors.Add($"schemaVersion {d.SchemaVersion} is not supported; this console reads version 1");
        }

        if (string.IsNullOrWhiteSpace(d.Uid) || !UidPattern().IsMatch(d.Uid))
        {
            errors.Add($"uid '{d.Uid}' must be 1–64 lower-case letters, digits, '-' or '_', starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(d.Title))
        {
            errors.Add("title is required");
        }

        if (ParseRelative(d.Time?.From) is not > 0)
        {
            errors.Add($"time.from '{d.Time?.From}' must be 'now-' and a duration, e.g. 'now-1h'");
        }

        if (d.Time?.To != "now")
        {
            errors.Add($"time.to '{d.Time?.To}' must be 'now'");
        }

        if (d.Refresh is not ("live" or "off"))
        {
            errors.Add($"refresh '{d.Refresh}' must be 'live' or 'off'");
        }

        ValidateVariables(d, errors);
        var sampleValues = SampleValues(d);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 0; r < d.Rows.Count; r++)
        {
            var row = d.Rows[r];
            if (row is null)
            {
                errors.Add($"rows[{r}] is null");
                continue;
            }

            var placed = new List<(DashboardPanel Panel, string Where)>();
            for (var p = 0; p < row.Panels.Count; p++)
            {
                var panel = row.Panels[p];
                var where = $"rows[{r}].panels[{p}]";
                if (panel is null)
                {
                    errors.Add($"{where} is null");
                    continue;
                }

                var name = $"panel '{panel.Title}' ({where})";
                ValidatePanel(panel, name, sampleValues, errors);
                var id = PanelId(panel, r, p);
                if (!ids.TryAdd(id, name))
                {
                    errors.Add($"{name}: id '{id}' is also the id of {ids[id]}; give one of them another id");
                }

                if (panel.GridPos is { } g)
                {
                    foreach (var (other, otherWhere) in placed)
                    {
                        var o = other.GridPos;
                        if (g.X < o.X + o.W && o.X < g.X + g.W && g.Y < o.Y + o.H && o.Y < g.Y + g.H)
                        {
                            errors.Add($"{name} overlaps panel '{other.Title}' ({otherWhere}) on the grid");
                        }
                    }

                    placed.Add((panel, where));
                }
            }
        }

        return errors;
    }

    /// <summary>The dashboard with every panel's <see cref="DashboardPanel.Id"/> filled in (from its title when not given).</summary>
    public static Dashboard WithPanelIds(Dashboard d) => d with
    {
        Rows = d.Rows.Select((row, r) => row with { Panels = row.Panels.Select((p, i) => p with { Id = PanelId(p, r, i) }).ToList() }).ToList(),
    };

    private static string PanelId(DashboardPanel panel, int row, int index)
    {
        if (!string.IsNullOrWhiteSpace(panel.Id))
        {
            return panel.Id;
        }

        var slug = new string(panel.Title.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        return slug.Length > 0 ? slug : $"panel-{row}-{index}";
    }

    private static void ValidateVariables(Dashboard d, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in d.Variables)
        {
            if (v is null)
            {
                errors.Add("a variable is null");
                continue;
            }

            var name = $"variable '{v.Name}'";
            if (!NamePattern().IsMatch(v.Name ?? "") || v.Name!.StartsWith("__", StringComparison.Ordinal))
            {
                errors.Add($"{name}: a name is letters, digits and '_', not starting with a digit or '__'");
            }
            else if (!names.Add(v.Name))
            {
                errors.Add($"{name} is defined twice");
            }

            switch (v.Type)
            {
                case "tenant":
                    break;
                case "query":
                    if (ParseLabelValues(v.Query) is not { } q)
                    {
                        errors.Add($"{name}: query '{v.Query}' must be label_values(label) or label_values(metric{{…}}, label)");
                    }
                    else if (q.Selector is { } selector)
                    {
                        try
                        {
                            if (PromQlParser.Parse(selector) is not VectorSelector)
                            {
                                errors.Add($"{name}: '{selector}' in label_values must be a metric selector such as http_requests_total{{job=\"api\"}}");
                            }
                        }
                        catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException)
                        {
                            errors.Add($"{name}: '{selector}' is not a valid selector: {e.Message}");
                        }
                    }

                    break;
                case "custom":
                    if (v.Options.Count == 0)
                    {
                        errors.Add($"{name}: a custom variable needs at least one entry in options");
                    }

                    if (v.Default is { } def && !v.Options.Contains(def) && !(v.IncludeAll && def == "All"))
                    {
                        errors.Add($"{name}: default '{def}' is not one of its options");
                    }

                    break;
                case "constant":
                    if (v.Options.Count != 1)
                    {
                        errors.Add($"{name}: a constant needs exactly one entry in options (its value)");
                    }

                    break;
                default:
                    errors.Add($"{name}: type '{v.Type}' must be one of {string.Join(", ", VariableTypes)}");
                    break;
            }
        }
    }

    /// <summary>A value per variable to try the queries with (validation only checks that they parse).</summary>
    private static Dictionary<string, string> SampleValues(Dashboard d)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in d.Variables.Where(v => v is not null && !string.IsNullOrEmpty(v.Name)))
        {
            values[v.Name] = v.Options.FirstOrDefault() ?? "sample";
        }

        return values;
    }

    private static void ValidatePanel(DashboardPanel panel, string name, Dictionary<string, string> sampleValues, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(panel.Title))
        {
            errors.Add($"{name}: title is required");
        }

        var kind = PanelTypes.Parse(panel.Type);
        if (kind is null)
        {
            errors.Add($"{name}: type '{panel.Type}' must be one of {string.Join(", ", PanelTypes.Names)}");
        }

        if (panel.GridPos is not { } g)
        {
            errors.Add($"{name}: gridPos is required");
        }
        else
        {
            if (g.X < 0 || g.X >= GridColumns)
            {
                errors.Add($"{name}: gridPos.x {g.X} must be 0–{GridColumns - 1}");
            }

            if (g.W < 1 || g.W > GridColumns)
            {
                errors.Add($"{name}: gridPos.w {g.W} must be 1–{GridColumns}");
            }
            else if (g.X >= 0 && g.X + g.W > GridColumns)
            {
                errors.Add($"{name}: gridPos.x + gridPos.w is {g.X + g.W}, beyond the {GridColumns} columns");
            }

            if (g.Y < 0)
            {
                errors.Add($"{name}: gridPos.y {g.Y} must not be negative");
            }

            if (g.H < 1 || g.H > MaxPanelHeight)
            {
                errors.Add($"{name}: gridPos.h {g.H} must be 1–{MaxPanelHeight}");
            }
        }

        if (kind == PanelType.Text)
        {
            if (string.IsNullOrWhiteSpace(panel.Content))
            {
                errors.Add($"{name}: a text panel needs content");
            }
        }
        else if (kind is not null)
        {
            if (panel.Targets.Count == 0)
            {
                errors.Add($"{name}: needs at least one target with a PromQL expr");
            }

            if (kind is PanelType.Stat or PanelType.Gauge && panel.Targets.Count > 1)
            {
                errors.Add($"{name}: a {panel.Type} panel shows one query; it has {panel.Targets.Count}");
            }
        }

        var window = new QueryWindow(0, 3_600_000, 15_000);
        for (var t = 0; t < panel.Targets.Count; t++)
        {
            var target = panel.Targets[t];
            var label = $"{name} query {target?.RefId ?? ((char)('A' + t)).ToString()}";
            if (target is null || string.IsNullOrWhiteSpace(target.Expr))
            {
                errors.Add($"{label}: expr is empty");
                continue;
            }

            var unknown = DashboardTemplate.ReferencedVariables(target.Expr)
                .Where(v => !sampleValues.ContainsKey(v) && !DashboardTemplate.BuiltIns.Contains(v)).ToList();
            if (unknown.Count > 0)
            {
                errors.Add($"{label}: uses ${string.Join(", $", unknown)}, which {(unknown.Count == 1 ? "is not a variable" : "are not variables")} of this dashboard");
                continue;
            }

            try
            {
                var expr = PromQlParser.Parse(DashboardTemplate.Interpolate(target.Expr, sampleValues, window));
                if (expr.Type is PromQlType.RangeVector or PromQlType.String)
                {
                    errors.Add($"{label}: the query must give an instant vector or a scalar, not a {(expr.Type == PromQlType.String ? "string" : "range vector")}");
                }
            }
            catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException)
            {
                errors.Add($"{label}: {e.Message}");
            }
        }

        if (panel.Decimals is < 0 or > 10)
        {
            errors.Add($"{name}: decimals {panel.Decimals} must be 0–10");
        }

        if (panel.Min is { } min && panel.Max is { } max && min >= max)
        {
            errors.Add($"{name}: min {min.ToString(CultureInfo.InvariantCulture)} must be below max {max.ToString(CultureInfo.InvariantCulture)}");
        }

        double? previous = null;
        for (var i = 0; i < panel.Thresholds.Count; i++)
        {
            var th = panel.Thresholds[i];
            if (th is null)
            {
                errors.Add($"{name}: thresholds[{i}] is null");
                continue;
            }

            if (!IsColor(th.Color))
            {
                errors.Add($"{name}: thresholds[{i}] colour '{th.Color}' must be one of {string.Join(", ", ColorNames)} or #rrggbb");
            }

            if (th.Value is null && i > 0)
            {
                errors.Add($"{name}: thresholds[{i}] has no value; only the first (the base colour) may leave it out");
            }
            else if (th.Value is { } value)
            {
                if (previous is { } p && value <= p)
                {
                    errors.Add($"{name}: thresholds must ascend; {value.ToString(CultureInfo.InvariantCulture)} follows {p.ToString(CultureInfo.InvariantCulture)}");
                }

                previous = value;
            }
        }

        if (panel.Options?.Reduce is { } reduce && !ReduceNames.Contains(reduce))
        {
            errors.Add($"{name}: options.reduce '{reduce}' must be one of {string.Join(", ", ReduceNames)}");
        }

        if (panel.Options?.Style is { } style && style is not ("line" or "area"))
        {
            errors.Add($"{name}: options.style '{style}' must be line or area");
        }

        if (panel.Options?.Limit is < 1)
        {
            errors.Add($"{name}: options.limit must be at least 1");
        }
    }

    public static bool IsColor(string? color) => color is not null && (ColorNames.Contains(color) || HexColor().IsMatch(color));
}
