using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace OpsConsole.Web.Components.Charts;

/// <summary>
/// One chart (line/area time series, bar, donut/pie, heatmap) drawn by ApexCharts in the browser. Setting a new
/// <see cref="Spec"/> redraws it; <see cref="AppendAsync"/> sends only new points; zooming a time series reports
/// the selected range through <see cref="OnZoom"/>; the console's dark/light theme is followed.
/// </summary>
public sealed partial class OcChart : IAsyncDisposable
{
    /// <summary>Where the module is served (wwwroot/js/oc-chart.js).</summary>
    public const string ModulePath = "./js/oc-chart.js";

    private ElementReference _element;
    private IJSObjectReference? _module;
    private DotNetObjectReference<OcChart>? _self;
    private ChartSpec? _drawn;
    private bool _drawnDark;
    private bool _created;
    private bool _disposed;
    private readonly List<ChartAppend> _pending = [];

    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Parameter, EditorRequired] public ChartSpec Spec { get; set; } = new();

    /// <summary>Called with the range the user zoomed into (time series only).</summary>
    [Parameter] public EventCallback<ChartRange> OnZoom { get; set; }

    [Parameter] public string? AriaLabel { get; set; }

    [Parameter] public string? TestId { get; set; }

    [Parameter] public string? Class { get; set; }

    /// <summary>The console's theme (cascaded by the main layout); overrides <see cref="ChartSpec.Dark"/>.</summary>
    [CascadingParameter] public ThemeState? Theme { get; set; }

    /// <summary>How many points <see cref="AppendAsync"/> has sent to the browser (for tests and diagnostics).</summary>
    public long PointsAppended { get; private set; }

    private bool Dark => Theme?.Dark ?? Spec.Dark;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_created)
            {
                _module ??= await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
                if (_disposed)
                {
                    return; // the page moved on while the module loaded
                }

                _self ??= DotNetObjectReference.Create(this);
                _drawn = Spec;
                _drawnDark = Dark;
                await _module.InvokeVoidAsync("create", _element, _self, Spec with { Dark = Dark });
                _created = true;
                foreach (var batch in _pending)
                {
                    await SendAsync(batch);
                }

                _pending.Clear();
            }
            else if (!ReferenceEquals(_drawn, Spec))
            {
                _drawn = Spec;
                _drawnDark = Dark;
                await _module!.InvokeVoidAsync("update", _element, Spec with { Dark = Dark });
            }
            else if (_drawnDark != Dark)
            {
                _drawnDark = Dark;
                await _module!.InvokeVoidAsync("setTheme", _element, Dark);
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser went away; the circuit is being torn down.
        }
    }

    /// <summary>
    /// Adds new points to the drawn series without redrawing the component (the browser appends them and slides
    /// the window to <see cref="ChartAppend.XMin"/>..<see cref="ChartAppend.XMax"/>). Before the chart exists, the
    /// points wait and are sent right after it is created.
    /// </summary>
    public async Task AppendAsync(ChartAppend batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_disposed || batch.Points.Count == 0 && batch.XMin is null)
        {
            return;
        }

        if (!_created)
        {
            _pending.Add(batch);
            return;
        }

        try
        {
            await SendAsync(batch);
        }
        catch (JSDisconnectedException)
        {
            // As above.
        }
    }

    private async Task SendAsync(ChartAppend batch)
    {
        await _module!.InvokeAsync<int>("append", _element, batch);
        PointsAppended += batch.Points.Count;
    }

    /// <summary>Called by oc-chart.js when the user zooms a time series.</summary>
    [JSInvokable]
    public Task OnZoomed(long fromMs, long toMs) =>
        toMs > fromMs && OnZoom.HasDelegate ? OnZoom.InvokeAsync(new ChartRange(fromMs, toMs)) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        try
        {
            if (_module is not null)
            {
                if (_created)
                {
                    await _module.InvokeVoidAsync("dispose", _element);
                }

                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // Nothing to release in a browser that is gone.
        }

        _self?.Dispose();
    }
}
