using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Web.Api;
using OpsConsole.Web.Components.Charts;

namespace OpsConsole.Web.Components.Alerting;

/// <summary>
/// A rule alert's expression graphed around its time (an hour either side of when it became active, up to now),
/// over the alert's tenant only and within the viewer's own tenant scope. A comparison with a number
/// (<c>x &gt; 0.5</c>) graphs its left side with the number as a threshold line, so the crossing shows; the moments
/// it went pending (threshold crossed), fired (after <c>for</c>) and resolved are marked.
/// </summary>
public sealed partial class AlertGraph : IDisposable
{
    /// <summary>How far either side of the alert's active time the graph reaches.</summary>
    public static readonly TimeSpan Around = TimeSpan.FromHours(1);

    /// <summary>The most series drawn (the alert's own series come first).</summary>
    public const int MaxSeries = 8;

    private CancellationTokenSource? _loading;
    private string? _shownFor;
    private string _state = "none";
    private string? _error;
    private string? _query;
    private double? _threshold;
    private BinaryOp _op;
    private ChartSpec? _spec;
    private DateTimeOffset _from;
    private DateTimeOffset _to;

    [Parameter, EditorRequired] public Alert Alert { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    [Inject] private PromQlQueries Queries { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    private string Op => BinaryExpr.Symbol(_op);

    protected override async Task OnParametersSetAsync()
    {
        // Redraw when another alert is shown or this one changed state (not on every live refresh).
        var key = $"{Alert.Id}/{Alert.State}/{Alert.FiredAt?.ToUnixTimeMilliseconds()}/{Alert.ResolvedAt?.ToUnixTimeMilliseconds()}";
        if (key == _shownFor)
        {
            return;
        }

        _shownFor = key;
        _spec = null;
        _error = null;
        if (Alert.Expression is not { Length: > 0 } expression)
        {
            _state = "none";
            return;
        }

        _loading?.Cancel();
        _loading?.Dispose();
        _loading = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var token = _loading.Token;
        _state = "loading";
        var user = AuthState is null ? new ClaimsPrincipal() : (await AuthState).User;
        var now = Time.GetUtcNow();
        _from = Alert.ActiveAt - Around;
        var end = Alert.ActiveAt + Around;
        if (Alert.ResolvedAt is { } resolved && resolved + TimeSpan.FromMinutes(10) > end)
        {
            end = resolved + TimeSpan.FromMinutes(10);
        }

        _to = end > now ? now : end;
        if (_to <= _from)
        {
            _to = _from + TimeSpan.FromMinutes(1);
        }

        try
        {
            (_query, _threshold, _op) = Split(expression);
            var engine = Queries.Engine(user);
            var fromMs = _from.ToUnixTimeMilliseconds();
            var toMs = _to.ToUnixTimeMilliseconds();
            var stepMs = Math.Max(15_000, (toMs - fromMs) / 240 / 1000 * 1000);
            var query = _query;
            var tenant = Alert.TenantId;
            var matrix = await Task.Run(() => engine.Range(query, fromMs, toMs, stepMs, tenant, token), token);
            if (token.IsCancellationRequested)
            {
                return;
            }

            _spec = Build(matrix, fromMs, toMs);
            _state = _spec is null ? "empty" : "data";
        }
        catch (OperationCanceledException)
        {
            _error = "The graph's query took too long and was stopped.";
            _state = "error";
        }
        catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException or PromQlEvaluationException or PromQlBadQueryException)
        {
            _error = "The expression cannot be graphed: " + e.Message;
            _state = "error";
        }
    }

    /// <summary>A comparison with a number graphs its other side with the number as the threshold; anything else as written.</summary>
    internal static (string Query, double? Threshold, BinaryOp Op) Split(string expression)
    {
        var expr = PromQlParser.Parse(expression);
        return expr switch
        {
            BinaryExpr { IsComparison: true, ReturnBool: false, Right: NumberLiteral n } b when b.Left.Type == PromQlType.InstantVector => (b.Left.ToString(), n.Value, b.Op),
            BinaryExpr { IsComparison: true, ReturnBool: false, Left: NumberLiteral n } b when b.Right.Type == PromQlType.InstantVector => (b.Right.ToString(), n.Value, b.Op),
            _ => (expression, null, BinaryOp.Gt),
        };
    }

    private ChartSpec? Build(RangeMatrix matrix, long fromMs, long toMs)
    {
        if (matrix.Series.Count == 0)
        {
            return null;
        }

        // The alert's own series: every label it has (but the metric name) is one of the alert's labels.
        var mine = matrix.Series.Where(s => s.Labels.Labels.All(l => l.Key == "__name__" || Alert.Labels.Get(l.Key) == l.Value)).ToList();
        var shown = mine.Concat(matrix.Series.Except(mine)).Take(MaxSeries).ToList();
        var series = shown.Select(s => new ChartSeries(
            (mine.Contains(s) ? "this alert " : "") + Describe(s.Labels),
            [.. s.Points.Select(p => ChartPoint.Of(p.TimestampMs, p.Value))])).ToList();

        var annotations = new List<ChartAnnotation> { new(Alert.ActiveAt.ToUnixTimeMilliseconds(), Alert.Expression == _query ? "active" : "threshold crossed", "#ff9800") };
        if (Alert.FiredAt is { } fired)
        {
            annotations.Add(new(fired.ToUnixTimeMilliseconds(), fired == Alert.ActiveAt ? "firing" : "firing (for elapsed)", "#f44336"));
        }

        if (Alert.ResolvedAt is { } resolved)
        {
            annotations.Add(new(resolved.ToUnixTimeMilliseconds(), "resolved", "#4caf50"));
        }

        return new ChartSpec
        {
            Kind = ChartKind.Line,
            Series = series,
            XMin = fromMs,
            XMax = toMs,
            Thresholds = _threshold is { } t ? [new ChartThreshold(t, "#f44336", $"threshold {Op} {t:G6}")] : [],
            Annotations = annotations,
            Height = 220,
            Legend = series.Count > 1,
        };
    }

    private static string Describe(Domain.Telemetry.LabelSet labels)
    {
        var text = string.Join(", ", labels.Labels.Where(l => l.Key != "__name__").Select(l => $"{l.Key}=\"{l.Value}\""));
        return text.Length == 0 ? "{}" : "{" + text + "}";
    }

    public void Dispose()
    {
        _loading?.Cancel();
        _loading?.Dispose();
    }
}
