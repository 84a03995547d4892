using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Dashboards;

/// <summary>The chosen value of each variable; <see cref="Raw"/> names those inserted unescaped ("All" regexes).</summary>
public sealed record VariableValues(IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> Raw)
{
    public static VariableValues None { get; } = new(new Dictionary<string, string>(), new HashSet<string>());
}

/// <summary>A named series of a panel, oldest point first.</summary>
public sealed record PanelSeries(string Name, LabelSet Labels, IReadOnlyList<Sample> Points);

/// <summary>One row of an instant result (bar, pie, table): its name from the legend template, labels and value.</summary>
public sealed record PanelRow(string Name, LabelSet Labels, double Value);

/// <summary>What a panel's queries gave: series (time series, heatmap, sparkline), rows (bar, pie, table) or a value (stat, gauge).</summary>
public sealed record PanelResult
{
    public IReadOnlyList<PanelSeries> Series { get; init; } = [];

    public IReadOnlyList<PanelRow> Rows { get; init; } = [];

    public double? Value { get; init; }

    /// <summary>How many series a stat or gauge query gave (it shows the first).</summary>
    public int ValueSeries { get; init; }

    /// <summary>The query's error (parse, unsupported, evaluation), prefixed with its ref id.</summary>
    public string? Error { get; init; }

    public bool IsEmpty => Error is null && Value is null && Rows.Count == 0 && Series.All(s => s.Points.Count == 0);
}

/// <summary>
/// Evaluates panels with the PromQL engine, scoped to a tenant (all when null): range queries for time series and
/// heatmaps, instant queries at the end of the range for stats, gauges, bars, pies and tables.
/// </summary>
public sealed class PanelEvaluator(ISeriesSource source, PromQlOptions? options = null)
{
    private readonly PromQlEngine _engine = new(source, options);

    public PanelResult Evaluate(DashboardPanel panel, VariableValues values, QueryWindow window, string? tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(window);
        try
        {
            switch (panel.Kind)
            {
                case PanelType.Text:
                    return new PanelResult();
                case PanelType.TimeSeries:
                case PanelType.Heatmap:
                    return new PanelResult { Series = RangeSeries(panel, values, window, tenantId, cancellationToken) };
                case PanelType.Stat:
                case PanelType.Gauge:
                    return Single(panel, values, window, tenantId, cancellationToken);
                default:
                    var rows = InstantRows(panel, values, window, tenantId, cancellationToken);
                    return new PanelResult { Rows = rows };
            }
        }
        catch (QueryFailure f)
        {
            return new PanelResult { Error = f.Message };
        }
    }

    /// <summary>
    /// The series of a time series panel (or a stat's sparkline) over a short window, for live updates: the caller
    /// re-evaluates only the newest step(s). Errors come back as <see cref="PanelResult.Error"/>.
    /// </summary>
    public PanelResult EvaluateRange(DashboardPanel panel, VariableValues values, QueryWindow window, string? tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(panel);
        try
        {
            return new PanelResult { Series = RangeSeries(panel, values, window, tenantId, cancellationToken) };
        }
        catch (QueryFailure f)
        {
            return new PanelResult { Error = f.Message };
        }
    }

    private PanelResult Single(DashboardPanel panel, VariableValues values, QueryWindow window, string? tenantId, CancellationToken ct)
    {
        var reduce = panel.Options.Reduce ?? "last";
        IReadOnlyList<PanelSeries> spark = [];
        if (panel.Options.Sparkline || reduce != "last")
        {
            spark = RangeSeries(panel, values, window, tenantId, ct);
        }

        double? value;
        int count;
        if (reduce == "last")
        {
            var rows = InstantRows(panel, values, window, tenantId, ct, sort: false);
            value = rows.Count > 0 ? rows[0].Value : null;
            count = rows.Count;
        }
        else
        {
            var points = spark.Count > 0 ? spark[0].Points.Where(p => double.IsFinite(p.Value)).Select(p => p.Value).ToList() : [];
            value = points.Count == 0 ? null : reduce switch
            {
                "mean" => points.Average(),
                "max" => points.Max(),
                _ => points.Min(),
            };
            count = spark.Count;
        }

        return new PanelResult { Value = value, ValueSeries = count, Series = panel.Options.Sparkline ? spark : [] };
    }

    private List<PanelSeries> RangeSeries(DashboardPanel panel, VariableValues values, QueryWindow window, string? tenantId, CancellationToken ct)
    {
        var result = new List<PanelSeries>();
        for (var i = 0; i < panel.Targets.Count; i++)
        {
            var target = panel.Targets[i];
            var query = DashboardTemplate.Interpolate(target.Expr, values.Values, window, new HashSet<string>(values.Raw));
            var matrix = Run(target, i, () => _engine.Range(query, window.FromMs, window.ToMs, window.StepMs, tenantId, ct));
            foreach (var s in matrix.Series)
            {
                result.Add(new PanelSeries(DashboardTemplate.Legend(target.LegendFormat, s.Labels), s.Labels, s.Points));
            }
        }

        return result;
    }

    private List<PanelRow> InstantRows(DashboardPanel panel, VariableValues values, QueryWindow window, string? tenantId, CancellationToken ct, bool sort = true)
    {
        var rows = new List<PanelRow>();
        for (var i = 0; i < panel.Targets.Count; i++)
        {
            var target = panel.Targets[i];
            var query = DashboardTemplate.Interpolate(target.Expr, values.Values, window, new HashSet<string>(values.Raw));
            var result = Run(target, i, () => _engine.Instant(query, window.ToMs, tenantId, ct));
            switch (result)
            {
                case InstantVector v:
                    rows.AddRange(v.Samples.Select(s => new PanelRow(DashboardTemplate.Legend(target.LegendFormat, s.Labels), s.Labels, s.Value)));
                    break;
                case ScalarResult s:
                    rows.Add(new PanelRow(target.LegendFormat ?? panel.Title, LabelSet.Empty, s.Value));
                    break;
                default:
                    throw new QueryFailure($"{RefId(target, i)}: the query gives a {(result is RangeMatrix ? "range vector" : "string")}; a panel needs an instant vector or a scalar");
            }
        }

        if (sort)
        {
            rows.Sort((a, b) => b.Value.CompareTo(a.Value));
        }

        return panel.Options.Limit is { } limit && rows.Count > limit ? rows[..limit] : rows;
    }

    private static T Run<T>(PanelTarget target, int index, Func<T> query)
    {
        try
        {
            return query();
        }
        catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException or PromQlEvaluationException)
        {
            throw new QueryFailure($"{RefId(target, index)}: {e.Message}");
        }
    }

    private static string RefId(PanelTarget target, int index) => target.RefId ?? ((char)('A' + index)).ToString();

    private sealed class QueryFailure(string message) : Exception(message);
}
