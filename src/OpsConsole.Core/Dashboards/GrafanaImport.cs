using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpsConsole.Core.Dashboards;

/// <summary>
/// What an import gave: the dashboard (null when it cannot be imported, see <see cref="Errors"/>) and every part of the
/// Grafana document that was not carried over or was changed on the way, each said in a sentence.
/// </summary>
public sealed record GrafanaImportResult(Dashboard? Dashboard, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Dashboard is not null;
}

/// <summary>
/// Maps a Grafana dashboard (the JSON of "Export → Save to file", or the API's <c>{"dashboard": …}</c> wrapper) to the
/// console's model: panels <c>graph</c>/<c>timeseries</c>, <c>stat</c>/<c>singlestat</c>, <c>gauge</c>, <c>bargauge</c>,
/// <c>table</c>, <c>piechart</c>, <c>heatmap</c> and <c>text</c>; their Prometheus targets with <c>expr</c>,
/// <c>legendFormat</c> and <c>refId</c>; unit, decimals, min, max, thresholds and the options the console has; rows
/// (collapsed or not, and the old <c>rows</c> layout); <c>gridPos</c>; templating variables <c>query</c>
/// (<c>label_values(…)</c>), <c>custom</c> and <c>constant</c>; the time range. Anything else is named in
/// <see cref="GrafanaImportResult.Warnings"/> — nothing is dropped silently. A panel whose queries the console cannot
/// read is left out with its reasons.
/// </summary>
public static partial class GrafanaImport
{
    private const int GridColumns = 24;

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*):(?<format>[^}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex FormattedVariable();

    [GeneratedRegex("^#[0-9a-fA-F]{6}$|^#[0-9a-fA-F]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexColor();

    [GeneratedRegex(@"^rgba?\(\s*(?<r>\d{1,3})\s*,\s*(?<g>\d{1,3})\s*,\s*(?<b>\d{1,3})\s*(,\s*[\d.]+\s*)?\)$", RegexOptions.CultureInvariant)]
    private static partial Regex RgbColor();

    private static readonly Dictionary<string, string> PanelTypeMap = new(StringComparer.Ordinal)
    {
        ["graph"] = "timeseries",
        ["timeseries"] = "timeseries",
        ["stat"] = "stat",
        ["singlestat"] = "stat",
        ["gauge"] = "gauge",
        ["bargauge"] = "bar",
        ["table"] = "table",
        ["table-old"] = "table",
        ["piechart"] = "pie",
        ["grafana-piechart-panel"] = "pie",
        ["heatmap"] = "heatmap",
        ["text"] = "text",
    };

    private static readonly Dictionary<string, string> ReduceMap = new(StringComparer.Ordinal)
    {
        ["lastNotNull"] = "last",
        ["last"] = "last",
        ["current"] = "last",
        ["mean"] = "mean",
        ["avg"] = "mean",
        ["max"] = "max",
        ["min"] = "min",
    };

    private static readonly HashSet<string> HandledPanelKeys = new(StringComparer.Ordinal)
    {
        "id", "title", "type", "description", "gridPos", "targets", "datasource", "fieldConfig", "options", "pluginVersion",
        "collapsed", "panels", "span", "height", "content", "mode", "format", "decimals", "thresholds", "legend", "lines",
        "bars", "fill", "linewidth", "stack", "yaxes", "xaxis", "valueName", "sparkline", "gauge", "colors", "colorBackground",
        "colorValue", "transparent", "interval", "maxDataPoints", "aliasColors", "dashes", "nullPointMode", "percentage",
        "pointradius", "points", "renderer", "seriesOverrides", "spaceLength", "steppedLine", "timeFrom", "timeShift",
        "tooltip", "timeRegions", "yaxis", "fillGradient", "hiddenSeries", "dashLength", "links", "repeat", "repeatDirection",
        "transformations", "alert", "libraryPanel", "hideTimeOverride", "cacheTimeout", "heatmap", "dataFormat", "color",
        "cards", "yBucketBound", "reverseYBuckets", "xBucketSize", "yBucketSize", "xBucketNumber", "yBucketNumber",
        "highlightCards", "hideZeroBuckets", "styles", "columns", "scroll", "showHeader", "sort", "transform", "fontSize",
        "pieType", "valueMaxDecimals", "legendType", "strokeWidth",
    };

    private static readonly HashSet<string> HandledTargetKeys = new(StringComparer.Ordinal)
    {
        "refId", "expr", "legendFormat", "datasource", "hide", "interval", "editorMode", "range", "instant", "format", "exemplar", "key", "queryType",
    };

    /// <summary>Imports <paramref name="json"/>. Bad JSON, or a document that is not a Grafana dashboard, gives errors only.</summary>
    public static GrafanaImportResult Import(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            return Failed($"The file is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("dashboard", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
            {
                root = wrapped;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return Failed("A Grafana dashboard is a JSON object with a title and panels.");
            }

            if (!root.TryGetProperty("panels", out _) && !root.TryGetProperty("rows", out _))
            {
                return Failed("This is not a Grafana dashboard: it has neither \"panels\" nor \"rows\".");
            }

            return new Mapper().Map(root);
        }
    }

    private static GrafanaImportResult Failed(string error) => new(null, [], [error]);

    private sealed class Mapper
    {
        private readonly List<string> _warnings = [];
        private readonly HashSet<string> _variables = new(StringComparer.Ordinal);

        public GrafanaImportResult Map(JsonElement root)
        {
            var title = String(root, "title")?.Trim();
            if (string.IsNullOrEmpty(title))
            {
                title = "Imported dashboard";
                _warnings.Add("The dashboard has no title; it is called \"Imported dashboard\".");
            }

            var uid = Uid(String(root, "uid"), title);
            var variables = Variables(root);
            var rows = root.TryGetProperty("panels", out var panels) && panels.ValueKind == JsonValueKind.Array
                ? RowsFromPanels(panels)
                : RowsFromLegacyRows(root.GetProperty("rows"));
            var (from, to) = Time(root);
            var refresh = Refresh(root);
            Unsupported(root, "annotations", a => a.TryGetProperty("list", out var list) && list.EnumerateArray().Any(x => !Bool(x, "builtIn")),
                "Annotation queries are not imported (alert annotations come from the console's own alerts).");
            Unsupported(root, "links", l => l.ValueKind == JsonValueKind.Array && l.GetArrayLength() > 0, "Dashboard links are not imported.");

            var dashboard = new Dashboard
            {
                Uid = uid,
                Title = title,
                Description = String(root, "description"),
                Tags = root.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                    ? [.. tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)]
                    : [],
                Time = new DashboardTime { From = from, To = to },
                Refresh = refresh,
                Variables = variables,
                Rows = [.. rows.Where(r => r.Panels.Count > 0)],
            };
            foreach (var empty in rows.Where(r => r.Panels.Count == 0 && r.Title is not null))
            {
                _warnings.Add($"Row \"{empty.Title}\" has no panel the console can show; it is left out.");
            }

            var errors = DashboardValidator.Validate(dashboard);
            return errors.Count > 0
                ? new GrafanaImportResult(null, _warnings, errors)
                : new GrafanaImportResult(DashboardValidator.WithPanelIds(dashboard), _warnings, []);
        }

        private string Uid(string? uid, string title)
        {
            var source = string.IsNullOrWhiteSpace(uid) ? title : uid;
            var slug = new string(source.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-', '_');
            while (slug.Contains("--", StringComparison.Ordinal))
            {
                slug = slug.Replace("--", "-", StringComparison.Ordinal);
            }

            slug = slug.Length > 64 ? slug[..64].TrimEnd('-', '_') : slug;
            if (slug.Length == 0)
            {
                slug = "imported";
            }

            if (uid is null)
            {
                _warnings.Add($"The dashboard has no uid; it gets \"{slug}\" from its title.");
            }
            else if (slug != uid)
            {
                _warnings.Add($"The uid \"{uid}\" becomes \"{slug}\" (lower-case letters, digits, '-' and '_').");
            }

            return slug;
        }

        private (string From, string To) Time(JsonElement root)
        {
            if (!root.TryGetProperty("time", out var time) || time.ValueKind != JsonValueKind.Object)
            {
                return ("now-1h", "now");
            }

            var from = String(time, "from");
            var to = String(time, "to");
            if (DashboardValidator.ParseRelative(from) is > 0 && to == "now")
            {
                return (from!, "now");
            }

            _warnings.Add($"The time range {from} to {to} is not \"the last …\" up to now; the dashboard opens on the last hour.");
            return ("now-1h", "now");
        }

        private string Refresh(JsonElement root)
        {
            var refresh = root.TryGetProperty("refresh", out var r) ? r : default;
            if (refresh.ValueKind == JsonValueKind.String && refresh.GetString() is { Length: > 0 } every)
            {
                _warnings.Add($"Grafana refreshed every {every}; here the server pushes new points as they arrive (live), so there is no refresh interval.");
            }

            return "live";
        }

        private List<DashboardVariable> Variables(JsonElement root)
        {
            var result = new List<DashboardVariable>();
            if (!root.TryGetProperty("templating", out var templating) || !templating.TryGetProperty("list", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            foreach (var v in list.EnumerateArray())
            {
                var name = String(v, "name") ?? "";
                var type = String(v, "type") ?? "";
                var label = String(v, "label");
                var includeAll = Bool(v, "includeAll");
                var allValue = String(v, "allValue") is { Length: > 0 } all ? all : ".*";
                if (Bool(v, "multi"))
                {
                    _warnings.Add($"Variable ${name} allowed several values at once; here it takes one value (or All).");
                }

                DashboardVariable? mapped = type switch
                {
                    "query" => QueryVariable(v, name),
                    "custom" => new DashboardVariable
                    {
                        Name = name, Type = "custom",
                        Options = CustomOptions(v),
                    },
                    "constant" => new DashboardVariable { Name = name, Type = "constant", Options = [QueryText(v) ?? ""] },
                    _ => null,
                };
                if (mapped is null)
                {
                    if (type != "query")
                    {
                        _warnings.Add($"Variable ${name} of type \"{type}\" is not supported (only query, custom and constant are); it is left out, and panels using it are left out too.");
                    }

                    continue;
                }

                var current = v.TryGetProperty("current", out var c) && c.ValueKind == JsonValueKind.Object ? String(c, "value") : null;
                if (current == "$__all")
                {
                    current = DashboardVariables.All;
                }

                mapped = mapped with
                {
                    Label = string.IsNullOrWhiteSpace(label) ? null : label,
                    IncludeAll = includeAll && mapped.Type != "constant",
                    AllValue = allValue,
                    Default = mapped.Type == "custom" && current is not null && !mapped.Options.Contains(current, StringComparer.Ordinal) && current != DashboardVariables.All ? null : current,
                };
                if (mapped.Type == "constant")
                {
                    mapped = mapped with { Default = null };
                }

                result.Add(mapped);
                _variables.Add(name);
            }

            return result;
        }

        private DashboardVariable? QueryVariable(JsonElement v, string name)
        {
            var query = QueryText(v);
            if (DashboardValidator.ParseLabelValues(query) is not { } parsed)
            {
                _warnings.Add($"Variable ${name} uses the query \"{query}\"; only label_values(…) queries are supported, so it is left out, and panels using it are left out too.");
                return null;
            }

            if (v.TryGetProperty("regex", out var regex) && regex.ValueKind == JsonValueKind.String && regex.GetString() is { Length: > 0 } r)
            {
                _warnings.Add($"Variable ${name}'s regex filter {r} is not applied; every value of the label is offered.");
            }

            return parsed.Label == DashboardVariables.TenantLabel && parsed.Selector is null
                ? new DashboardVariable { Name = name, Type = "tenant" }
                : new DashboardVariable { Name = name, Type = "query", Query = query };
        }

        private static string? QueryText(JsonElement v)
        {
            if (!v.TryGetProperty("query", out var q))
            {
                return String(v, "definition");
            }

            return q.ValueKind switch
            {
                JsonValueKind.String => q.GetString(),
                JsonValueKind.Object => String(q, "query") ?? String(v, "definition"),
                _ => String(v, "definition"),
            };
        }

        private static List<string> CustomOptions(JsonElement v)
        {
            if (v.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Array && options.GetArrayLength() > 0)
            {
                var values = options.EnumerateArray().Select(o => String(o, "value")).OfType<string>().Where(o => o != "$__all").ToList();
                if (values.Count > 0)
                {
                    return values;
                }
            }

            return [.. (QueryText(v) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(o => o.Contains(" : ", StringComparison.Ordinal) ? o[(o.IndexOf(" : ", StringComparison.Ordinal) + 3)..] : o)];
        }

        private List<DashboardRow> RowsFromPanels(JsonElement panels)
        {
            var rows = new List<(string? Title, int Y, List<DashboardPanel> Panels)> { (null, 0, []) };
            foreach (var p in panels.EnumerateArray())
            {
                if (String(p, "type") == "row")
                {
                    var rowY = GridOf(p)?.Y ?? 0;
                    var row = (String(p, "title"), rowY + 1, new List<DashboardPanel>());
                    rows.Add(row);
                    if (Bool(p, "collapsed") && p.TryGetProperty("panels", out var inner) && inner.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var child in inner.EnumerateArray())
                        {
                            AddPanel(row.Item3, child, row.Item2);
                        }
                    }

                    if (p.TryGetProperty("repeat", out var repeat) && repeat.ValueKind == JsonValueKind.String && repeat.GetString() is { Length: > 0 } over)
                    {
                        _warnings.Add($"Row \"{row.Item1}\" repeated for each value of ${over}; it is shown once.");
                    }

                    continue;
                }

                var current = rows[^1];
                AddPanel(current.Panels, p, current.Y);
            }

            return [.. rows.Select(r => new DashboardRow { Title = string.IsNullOrWhiteSpace(r.Title) ? null : r.Title, Panels = r.Panels })];
        }

        private List<DashboardRow> RowsFromLegacyRows(JsonElement rows)
        {
            var result = new List<DashboardRow>();
            if (rows.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            foreach (var row in rows.EnumerateArray())
            {
                var panels = new List<DashboardPanel>();
                var x = 0;
                var y = 0;
                var height = row.TryGetProperty("height", out var h) ? LegacyHeight(h) : 8;
                if (row.TryGetProperty("panels", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var p in list.EnumerateArray())
                    {
                        var span = p.TryGetProperty("span", out var s) && s.TryGetDouble(out var sv) ? (int)Math.Round(sv * 2) : 12;
                        span = Math.Clamp(span, 1, GridColumns);
                        if (x + span > GridColumns)
                        {
                            x = 0;
                            y += height;
                        }

                        AddPanel(panels, p, 0, new GridPos(x, y, span, height));
                        x += span;
                    }
                }

                result.Add(new DashboardRow { Title = Bool(row, "showTitle") || String(row, "title") is { Length: > 0 } ? String(row, "title") : null, Panels = panels });
            }

            return result;
        }

        private static int LegacyHeight(JsonElement h)
        {
            var px = h.ValueKind == JsonValueKind.Number ? h.GetDouble()
                : double.TryParse((h.GetString() ?? "").Replace("px", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 250;
            return Math.Clamp((int)Math.Round(px / 30), 2, 40);
        }

        private static GridPos? GridOf(JsonElement p)
        {
            if (!p.TryGetProperty("gridPos", out var g) || g.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new GridPos(Int(g, "x") ?? 0, Int(g, "y") ?? 0, Int(g, "w") ?? 12, Int(g, "h") ?? 8);
        }

        private void AddPanel(List<DashboardPanel> panels, JsonElement p, int rowY, GridPos? legacy = null)
        {
            var title = String(p, "title") is { Length: > 0 } t ? t : $"Panel {Int(p, "id")?.ToString(CultureInfo.InvariantCulture) ?? (panels.Count + 1).ToString(CultureInfo.InvariantCulture)}";
            var grafanaType = String(p, "type") ?? "";
            var name = $"Panel \"{title}\"";
            if (!PanelTypeMap.TryGetValue(grafanaType, out var type))
            {
                _warnings.Add($"{name} is a \"{grafanaType}\" panel, which the console does not draw; it is left out.");
                return;
            }

            var grid = legacy ?? GridOf(p) ?? new GridPos(0, 0, 12, 8);
            grid = grid with { Y = Math.Max(0, grid.Y - rowY), H = Math.Clamp(grid.H, 1, 40) };
            if (grid.X + grid.W > GridColumns)
            {
                grid = grid with { W = Math.Max(1, GridColumns - grid.X) };
            }

            var defaults = p.TryGetProperty("fieldConfig", out var fc) && fc.TryGetProperty("defaults", out var d) ? d : default;
            var options = p.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
            var panel = new DashboardPanel
            {
                Title = title,
                Type = type,
                Description = String(p, "description") is { Length: > 0 } desc ? desc : null,
                GridPos = grid,
            };

            if (type == "text")
            {
                var content = String(options, "content") ?? String(p, "content") ?? "";
                var mode = String(options, "mode") ?? String(p, "mode") ?? "markdown";
                if (mode is "markdown" or "html")
                {
                    _warnings.Add($"{name}: its {mode} is shown as plain text.");
                }

                if (string.IsNullOrWhiteSpace(content))
                {
                    _warnings.Add($"{name} is an empty text panel; it is left out.");
                    return;
                }

                Add(panels, panel with { Content = content }, name);
                return;
            }

            var targets = Targets(p, name);
            if (targets.Count == 0)
            {
                _warnings.Add($"{name} has no Prometheus query the console can run; it is left out.");
                return;
            }

            if (type is "stat" or "gauge" && targets.Count > 1)
            {
                _warnings.Add($"{name} has {targets.Count} queries; a {type} shows one, so only query {targets[0].RefId ?? "A"} is kept.");
                targets = [targets[0]];
            }

            panel = panel with
            {
                Targets = targets,
                Unit = Unit(p, defaults),
                Decimals = Int(defaults, "decimals") ?? Int(p, "decimals"),
                Min = Double(defaults, "min"),
                Max = Double(defaults, "max"),
                Thresholds = Thresholds(p, defaults, name),
                Options = Options(p, grafanaType, type, defaults, options, name),
            };
            if (panel.Min is { } min && panel.Max is { } max && min >= max)
            {
                _warnings.Add($"{name}: min {min} is not below max {max}; both are dropped.");
                panel = panel with { Min = null, Max = null };
            }

            if (panel.Decimals is < 0 or > 10)
            {
                _warnings.Add($"{name}: {panel.Decimals} decimals is out of range; the default is used.");
                panel = panel with { Decimals = null };
            }

            Extras(p, fc, name);
            Add(panels, panel, name);
        }

        /// <summary>Adds the panel if the console can read it (its queries parse, its variables exist); otherwise says why not.</summary>
        private void Add(List<DashboardPanel> panels, DashboardPanel panel, string name)
        {
            var probe = new Dashboard
            {
                Uid = "probe",
                Title = "probe",
                Variables = [.. _variables.Select(v => new DashboardVariable { Name = v, Type = "constant", Options = ["x"] })],
                Rows = [new DashboardRow { Panels = [panel with { Id = "probe", GridPos = panel.GridPos with { X = 0, Y = 0, W = Math.Min(panel.GridPos.W, GridColumns) } }] }],
            };
            var errors = DashboardValidator.Validate(probe);
            if (errors.Count > 0)
            {
                _warnings.Add($"{name} is left out: {string.Join("; ", errors.Select(e => e.Replace("panel '" + panel.Title + "' (rows[0].panels[0]) ", "", StringComparison.Ordinal).Replace("panel '" + panel.Title + "' (rows[0].panels[0])", "it", StringComparison.Ordinal)))}.");
                return;
            }

            var overlap = panels.FirstOrDefault(q => Overlaps(q.GridPos, panel.GridPos));
            if (overlap is not null)
            {
                var below = panels.Max(q => q.GridPos.Y + q.GridPos.H);
                _warnings.Add($"{name} overlapped \"{overlap.Title}\" on the grid; it is moved below the others.");
                panel = panel with { GridPos = panel.GridPos with { Y = below } };
            }

            panels.Add(panel);
        }

        private static bool Overlaps(GridPos a, GridPos b) =>
            a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;

        private List<PanelTarget> Targets(JsonElement p, string name)
        {
            var result = new List<PanelTarget>();
            if (!p.TryGetProperty("targets", out var targets) || targets.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            var panelSource = DatasourceType(p);
            foreach (var t in targets.EnumerateArray())
            {
                var refId = String(t, "refId");
                var label = $"{name} query {refId ?? (result.Count + 1).ToString(CultureInfo.InvariantCulture)}";
                var source = DatasourceType(t) ?? panelSource;
                if (source is not null && source != "prometheus" && !source.StartsWith("$", StringComparison.Ordinal) && source != "-- Mixed --")
                {
                    _warnings.Add($"{label} reads the \"{source}\" data source, not Prometheus; it is left out.");
                    continue;
                }

                if (Bool(t, "hide"))
                {
                    _warnings.Add($"{label} was hidden in Grafana; it is left out.");
                    continue;
                }

                var expr = String(t, "expr");
                if (string.IsNullOrWhiteSpace(expr))
                {
                    _warnings.Add($"{label} has no PromQL expression; it is left out.");
                    continue;
                }

                if (FormattedVariable().IsMatch(expr))
                {
                    _warnings.Add($"{label}: variable formats such as ${{name:format}} are not supported; the plain value is used.");
                    expr = FormattedVariable().Replace(expr, m => "${" + m.Groups["name"].Value + "}");
                }

                if (String(t, "interval") is { Length: > 0 } interval)
                {
                    _warnings.Add($"{label}: the minimum interval {interval} is not applied.");
                }

                var unknownTarget = t.EnumerateObject().Select(x => x.Name).Where(k => !HandledTargetKeys.Contains(k)).ToList();
                if (unknownTarget.Count > 0)
                {
                    _warnings.Add($"{label}: the setting(s) {string.Join(", ", unknownTarget)} are not imported.");
                }

                var legend = String(t, "legendFormat");
                if (legend is "__auto" or "")
                {
                    legend = null;
                }

                result.Add(new PanelTarget { Expr = expr, LegendFormat = legend, RefId = refId });
            }

            return result;
        }

        private static string? DatasourceType(JsonElement e)
        {
            if (!e.TryGetProperty("datasource", out var ds))
            {
                return null;
            }

            return ds.ValueKind switch
            {
                JsonValueKind.Object => String(ds, "type"),
                _ => null, // a name only ("Prometheus", "${DS_PROMETHEUS}"): nothing says it is not Prometheus
            };
        }

        private string? Unit(JsonElement p, JsonElement defaults)
        {
            if (String(defaults, "unit") is { Length: > 0 } unit)
            {
                return unit;
            }

            if (String(p, "format") is { Length: > 0 } format)
            {
                return format;
            }

            if (p.TryGetProperty("yaxes", out var yaxes) && yaxes.ValueKind == JsonValueKind.Array && yaxes.GetArrayLength() > 0)
            {
                return String(yaxes[0], "format");
            }

            return null;
        }

        private List<PanelThreshold> Thresholds(JsonElement p, JsonElement defaults, string name)
        {
            var result = new List<PanelThreshold>();
            if (defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty("thresholds", out var th) && th.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array)
            {
                if (String(th, "mode") == "percentage")
                {
                    _warnings.Add($"{name}: its thresholds are percentages of the range in Grafana; here they are taken as values.");
                }

                foreach (var step in steps.EnumerateArray())
                {
                    var value = step.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null;
                    result.Add(new PanelThreshold(result.Count == 0 ? null : value, Color(String(step, "color"), name)));
                }
            }
            else if (String(p, "thresholds") is { Length: > 0 } legacy)
            {
                // singlestat: "80,90" with colors [ok, warn, critical]
                var colors = p.TryGetProperty("colors", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().Select(x => x.GetString()).ToList() : [];
                var values = legacy.Split(',', StringSplitOptions.TrimEntries).Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (double?)null).ToList();
                result.Add(new PanelThreshold(null, Color(colors.ElementAtOrDefault(0), name)));
                for (var i = 0; i < values.Count; i++)
                {
                    if (values[i] is { } value)
                    {
                        result.Add(new PanelThreshold(value, Color(colors.ElementAtOrDefault(i + 1), name)));
                    }
                }
            }

            // Thresholds must ascend; drop any that do not (and say so).
            var ascending = new List<PanelThreshold>();
            foreach (var t in result)
            {
                if (ascending.Count > 0 && t.Value is { } v && ascending[^1].Value is { } last && v <= last)
                {
                    _warnings.Add($"{name}: threshold {v} does not follow {last} upwards; it is dropped.");
                    continue;
                }

                if (ascending.Count > 0 && t.Value is null)
                {
                    _warnings.Add($"{name}: a threshold without a value after the base colour is dropped.");
                    continue;
                }

                ascending.Add(t);
            }

            return ascending;
        }

        private string Color(string? color, string name)
        {
            if (string.IsNullOrWhiteSpace(color))
            {
                return "green";
            }

            var c = color.Trim();
            if (HexColor().IsMatch(c))
            {
                return c;
            }

            if (RgbColor().Match(c) is { Success: true } rgb)
            {
                return "#" + string.Concat(new[] { "r", "g", "b" }.Select(k => Math.Clamp(int.Parse(rgb.Groups[k].Value, CultureInfo.InvariantCulture), 0, 255).ToString("x2", CultureInfo.InvariantCulture)));
            }

            foreach (var prefix in new[] { "super-light-", "semi-dark-", "light-", "dark-" })
            {
                if (c.StartsWith(prefix, StringComparison.Ordinal))
                {
                    c = c[prefix.Length..];
                    break;
                }
            }

            if (c is "gray")
            {
                c = "grey";
            }

            if (DashboardValidator.ColorNames.Contains(c, StringComparer.Ordinal))
            {
                return c;
            }

            _warnings.Add($"{name}: colour \"{color}\" is not known here; blue is used.");
            return "blue";
        }

        private PanelOptions Options(JsonElement p, string grafanaType, string type, JsonElement defaults, JsonElement options, string name)
        {
            var result = new PanelOptions();
            switch (type)
            {
                case "timeseries":
                    var custom = defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty("custom", out var cu) ? cu : default;
                    var stacked = (custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty("stacking", out var st) && String(st, "mode") is "normal" or "percent") || Bool(p, "stack");
                    var fill = (Double(custom, "fillOpacity") ?? 0) > 0 || (grafanaType == "graph" && (Int(p, "fill") ?? 0) > 0 && stacked);
                    result = result with { Stacked = stacked, Style = fill ? "area" : null };
                    if (String(custom, "drawStyle") is "bars" or "points" || Bool(p, "bars"))
                    {
                        _warnings.Add($"{name} was drawn as bars or points; it is drawn as lines here.");
                    }

                    if (custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty("stacking", out var sm) && String(sm, "mode") == "percent")
                    {
                        _warnings.Add($"{name} was stacked as percentages; it is stacked by value here.");
                    }

                    if (custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty("thresholdsStyle", out var ts) && String(ts, "mode") is { } tm && tm != "off")
                    {
                        result = result with { ThresholdLines = true };
                    }

                    break;
                case "stat":
                case "gauge":
                    if (options.ValueKind == JsonValueKind.Object && options.TryGetProperty("reduceOptions", out var ro) && ro.TryGetProperty("calcs", out var calcs) && calcs.ValueKind == JsonValueKind.Array && calcs.GetArrayLength() > 0)
                    {
                        var calc = calcs[0].GetString() ?? "lastNotNull";
                        if (ReduceMap.TryGetValue(calc, out var reduce))
                        {
                            result = result with { Reduce = reduce == "last" ? null : reduce };
                        }
                        else
                        {
                            _warnings.Add($"{name}: the calculation \"{calc}\" is not supported; the last value is shown.");
                        }
                    }
                    else if (String(p, "valueName") is { } valueName)
                    {
                        if (ReduceMap.TryGetValue(valueName, out var reduce))
                        {
                            result = result with { Reduce = reduce == "last" ? null : reduce };
                        }
                        else
                        {
                            _warnings.Add($"{name}: the calculation \"{valueName}\" is not supported; the last value is shown.");
                        }
                    }

                    if (type == "stat" && (String(options, "graphMode") == "area" || (p.TryGetProperty("sparkline", out var sp) && Bool(sp, "show"))))
                    {
                        result = result with { Sparkline = true };
                    }

                    break;
                case "bar":
                    result = result with { Horizontal = String(options, "orientation") != "vertical" };
                    break;
                case "pie":
                    result = result with { Donut = String(options, "pieType") == "donut" || String(p, "pieType") == "donut" };
                    break;
                case "table":
                    if (p.TryGetProperty("transformations", out var tr) && tr.ValueKind == JsonValueKind.Array && tr.GetArrayLength() > 0)
                    {
                        _warnings.Add($"{name}: its {tr.GetArrayLength()} transformation(s) are not applied; the table shows each query's series and latest value.");
                    }

                    break;
                case "heatmap":
                    if (String(p, "dataFormat") is { } format && format != "tsbuckets")
                    {
                        _warnings.Add($"{name}: the heatmap's data format \"{format}\" is not supported; each series is drawn as a row of the heatmap.");
                    }

                    break;
            }

            return result;
        }

        private void Extras(JsonElement p, JsonElement fieldConfig, string name)
        {
            if (p.TryGetProperty("repeat", out var repeat) && repeat.ValueKind == JsonValueKind.String && repeat.GetString() is { Length: > 0 } over)
            {
                _warnings.Add($"{name} repeated for each value of ${over}; it is shown once.");
            }

            if (fieldConfig.ValueKind == JsonValueKind.Object && fieldConfig.TryGetProperty("overrides", out var overrides) && overrides.ValueKind == JsonValueKind.Array && overrides.GetArrayLength() > 0)
            {
                _warnings.Add($"{name}: {overrides.GetArrayLength()} field override(s) are not applied.");
            }

            if (p.TryGetProperty("seriesOverrides", out var so) && so.ValueKind == JsonValueKind.Array && so.GetArrayLength() > 0)
            {
                _warnings.Add($"{name}: {so.GetArrayLength()} series override(s) are not applied.");
            }

            if (p.TryGetProperty("alert", out _))
            {
                _warnings.Add($"{name} has a legacy Grafana alert; it is not imported (write it as an alerting rule).");
            }

            if (p.TryGetProperty("links", out var links) && links.ValueKind == JsonValueKind.Array && links.GetArrayLength() > 0)
            {
                _warnings.Add($"{name}: its links are not imported.");
            }

            if (String(p, "timeFrom") is { Length: > 0 } timeFrom)
            {
                _warnings.Add($"{name} had its own time range ({timeFrom}); it follows the dashboard's range here.");
            }

            if (String(p, "timeShift") is { Length: > 0 } timeShift)
            {
                _warnings.Add($"{name} was shifted by {timeShift}; it is not shifted here.");
            }

            if (p.TryGetProperty("libraryPanel", out _))
            {
                _warnings.Add($"{name} is a library panel; the copy in this file is imported, not the library's.");
            }

            var unknown = p.EnumerateObject().Select(x => x.Name).Where(k => !HandledPanelKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                _warnings.Add($"{name}: the setting(s) {string.Join(", ", unknown)} are not imported.");
            }
        }

        private void Unsupported(JsonElement root, string property, Func<JsonElement, bool> present, string warning)
        {
            if (root.TryGetProperty(property, out var value) && present(value))
            {
                _warnings.Add(warning);
            }
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? (int)Math.Round(d) : null;

    private static double? Double(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
