using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;

namespace OpsConsole.Web.Dashboards;

/// <summary>
/// New points for a panel's series: points at or after <see cref="ReplaceFromMs"/> are replaced by these, and the window
/// slides to [<see cref="XMinMs"/>, <see cref="XMaxMs"/>]. <see cref="IngestedAtMs"/> is when the batch that triggered the
/// update was stored (the chart records it, so the delay from ingest to the point on screen can be measured).
/// </summary>
public sealed record LiveAppend(IReadOnlyList<PanelSeries> Series, long ReplaceFromMs, long XMinMs, long XMaxMs, long? IngestedAtMs = null);

/// <summary>A panel on screen that takes live updates.</summary>
public interface ILivePanel
{
    DashboardPanel Panel { get; }

    /// <summary>Time series, heatmaps and stat sparklines: only the newest points.</summary>
    Task AppendAsync(LiveAppend update);

    /// <summary>Stats, gauges, bars, pies and tables: the new result (small; the panel redraws itself).</summary>
    Task UpdateAsync(PanelResult result, QueryWindow window);
}

/// <summary>
/// What is on screen: the dashboard's panels, variable values, the viewer's engine options (limits and tenant scope,
/// from <c>PromQlQueries.EngineOptions(user)</c>), the range and the end of the last evaluated step.
/// </summary>
public sealed record LiveView(IReadOnlyList<ILivePanel> Panels, VariableValues Values, PromQlOptions Engine, QueryWindow Window);

/// <summary>
/// Keeps an open dashboard current, one per circuit (scoped). Ingestion announces stored batches through
/// <see cref="TelemetryEvents"/>; at most once per <see cref="MinInterval"/>, when new metric samples arrived, the
/// session re-evaluates only the newest step(s) of each time series (from the last step it evaluated to now) and
/// pushes those points to the panel (<see cref="ILivePanel.AppendAsync"/>), and re-evaluates instant panels at now.
/// The browser runs no timer. Queries go through <paramref name="shared"/> (over the database-backed
/// <c>HistorySeriesSource</c> in the console, as the PromQL API) under the view's engine options — a tenant admin's
/// queries get the <c>tenant_id</c> matcher from the engine — and are evaluated at the ingest time of the batch that
/// triggered the update, so every circuit showing the same view is served by one evaluation.
/// </summary>
public sealed class DashboardLiveSession(TelemetryStores stores, SharedPanelEvaluations shared, TimeProvider time, ILogger<DashboardLiveSession> logger) : IDisposable
{
    /// <summary>
    /// At most this often per open dashboard. Scrapes arrive in bursts (every target at once): the first batch of a
    /// burst is pushed at once, the rest after this interval — so it bounds the ingest-to-screen delay of those. Half
    /// a second keeps that delay under a second with 100 circuits open (README, Performance); the evaluations are
    /// shared between circuits, so a shorter interval costs little.
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private IDisposable? _subscription;
    private CancellationTokenSource? _cts;
    private LiveView? _view;
    private long _lastStepEnd;
    private long _samplesSeen = -1;

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _view is not null;
            }
        }
    }

    /// <summary>Raised after each live update, with its time (the live badge shows it).</summary>
    public event Action<DateTimeOffset>? Updated;

    /// <summary>Updates pushed since <see cref="Start"/>.</summary>
    public int Updates { get; private set; }

    /// <summary>From the ingest of the batch that triggered the last update to the points being handed to the panels.</summary>
    public TimeSpan? LastDelay { get; private set; }

    /// <summary>Starts (or restarts) updating <paramref name="view"/>; its window's end is the last step already drawn.</summary>
    public void Start(LiveView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        Stop();
        lock (_gate)
        {
            _view = view;
            _lastStepEnd = view.Window.ToMs;
            _samplesSeen = stores.Events.Latest?.SamplesTotal ?? 0;
            _cts = new CancellationTokenSource();
            var token = _cts.Token;
            _subscription = stores.Events.Subscribe(a => OnActivityAsync(a, token), MinInterval);
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _subscription?.Dispose();
            _subscription = null;
            _cts?.Cancel();
            _cts?.Dispose();
            _cts = null;
            _view = null;
            Updates = 0;
        }
    }

    private async Task OnActivityAsync(TelemetryActivity activity, CancellationToken token)
    {
        if (token.IsCancellationRequested || activity.SamplesTotal == Interlocked.Read(ref _samplesSeen))
        {
            return; // only spans or logs arrived: no panel can have changed
        }

        Interlocked.Exchange(ref _samplesSeen, activity.SamplesTotal);
        await TickAsync(token, activity.At.ToUnixTimeMilliseconds());
        LastDelay = time.GetUtcNow() - activity.At;
    }

    /// <summary>
    /// Brings every panel up to <paramref name="ingestedAtMs"/> — the time the batch that triggered the update was
    /// stored — or, without it, up to now (called on new samples; public for tests).
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default, long? ingestedAtMs = null)
    {
        LiveView? view;
        lock (_gate)
        {
            view = _view;
        }

        if (view is null)
        {
            return;
        }

        // At the ingest time rather than the clock: sessions woken by the same batch ask for the same evaluations.
        var now = Math.Min(ingestedAtMs ?? long.MaxValue, time.GetUtcNow().ToUnixTimeMilliseconds());
        var w = view.Window;
        var stepEnd = now / w.StepMs * w.StepMs;
        var from = Math.Min(_lastStepEnd, stepEnd);
        var full = w with { FromMs = now - w.RangeMs, ToMs = now };
        foreach (var live in view.Panels)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await UpdatePanelAsync(live, view, w, from, stepEnd, now, full, ingestedAtMs, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
#pragma warning disable CA1031 // one panel whose circuit call fails must not stop the others
            catch (Exception e)
            {
                logger.LogDebug(e, "Live update of panel {Panel} failed", live.Panel.Id);
            }
#pragma warning restore CA1031
        }

        _lastStepEnd = stepEnd;
        Updates++;
        Updated?.Invoke(DateTimeOffset.FromUnixTimeMilliseconds(now));
    }

    private async Task UpdatePanelAsync(ILivePanel live, LiveView view, QueryWindow w, long from, long stepEnd, long now, QueryWindow full, long? ingestedAtMs, CancellationToken ct)
    {
        var panel = live.Panel;
        var hasSeries = panel.Kind is PanelType.TimeSeries or PanelType.Heatmap || (panel.Kind == PanelType.Stat && panel.Options.Sparkline);
        if (panel.Kind != PanelType.TimeSeries && panel.Kind != PanelType.Heatmap && panel.Kind != PanelType.Text)
        {
            var instantPanel = panel.Options.Sparkline ? panel with { Options = panel.Options with { Sparkline = false } } : panel;
            await live.UpdateAsync(await shared.EvaluateAsync(instantPanel, view.Values, view.Engine, full, rangeOnly: false, ct), full);
        }

        if (!hasSeries)
        {
            return;
        }

        // The steps since the last one drawn (that one again: late samples may have changed it) and a point at now.
        var steps = await shared.EvaluateAsync(panel, view.Values, view.Engine, w.Slice(from, stepEnd), rangeOnly: true, ct);
        if (steps.Error is not null)
        {
            return; // the full evaluation on the next range change shows the error; keep what is drawn
        }

        var series = steps.Series;
        if (now > stepEnd)
        {
            var head = await shared.EvaluateAsync(panel, view.Values, view.Engine, w.Slice(now, now), rangeOnly: true, ct);
            if (head.Error is null && head.Series.Count > 0)
            {
                series = Merge(series, head.Series);
            }
        }

        await live.AppendAsync(new LiveAppend(series, from, now - w.RangeMs, now, ingestedAtMs));
    }

    private static List<PanelSeries> Merge(IReadOnlyList<PanelSeries> steps, IReadOnlyList<PanelSeries> head)
    {
        var merged = steps.ToDictionary(s => s.Name, s => s, StringComparer.Ordinal);
        var order = steps.Select(s => s.Name).ToList();
        foreach (var h in head)
        {
            if (merged.TryGetValue(h.Name, out var s))
            {
                merged[h.Name] = s with { Points = [.. s.Points, .. h.Points] };
            }
            else
            {
                merged[h.Name] = h;
                order.Add(h.Name);
            }
        }

        return order.Select(n => merged[n]).ToList();
    }

    public void Dispose() => Stop();
}
