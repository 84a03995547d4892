using System.Data.Common;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Traces;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Security;
using OpsConsole.Web.Traces;

namespace OpsConsole.Web.Components.Pages;

/// <summary>
/// One trace: the waterfall and the selected span's details. The tree is built off the render path (TraceTree), and the
/// page notices spans that arrive after it was opened (late spans) and offers to reload, which merges them in.
/// </summary>
public partial class TraceDetail : IDisposable
{
    private CancellationTokenSource? _load;
    private IDisposable? _arrivals;
    private TraceTree? _tree;
    private TraceNode? _selected;
    private TraceId _traceId;
    private string? _tenant;
    private string? _failure;
    private bool _invalid;
    private int _arrived;

    [Parameter] public string TraceIdText { get; set; } = "";

    [Inject] private TraceExplorer Explorer { get; set; } = default!;
    [Inject] private TelemetryStores Stores { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private string Short => TraceIdText.Length > 8 ? TraceIdText[..8] : TraceIdText;

    protected override async Task OnParametersSetAsync()
    {
        _tenant = AuthenticationState is null ? null : (await AuthenticationState).User.GetTenantId();
        _invalid = !TraceId.TryParse(TraceIdText.ToLowerInvariant(), out _traceId);
        if (_invalid)
        {
            return;
        }

        _arrivals ??= Stores.Events.Subscribe(_ => InvokeAsync(CheckArrivals), TimeSpan.FromSeconds(1));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (_load is not null)
        {
            await _load.CancelAsync();
            _load.Dispose();
        }

        _load = new CancellationTokenSource();
        var token = _load.Token;
        _failure = null;
        try
        {
            var spans = await Explorer.GetTraceAsync(_tenant, _traceId, token);
            var tree = await Task.Run(() => TraceTree.Build(spans), token);
            var selectedId = _selected?.Span.SpanId ?? RequestedSpan();
            _tree = tree;
            _selected = selectedId is { } id ? tree.Nodes.FirstOrDefault(n => n.Span.SpanId == id) : null;
            _arrived = 0;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // replaced by a newer load, or the page closed
        }
        catch (Exception ex) when (ex is TraceSearchTimeoutException or DbException or TimeoutException)
        {
            _failure = "The trace could not be read from the database right now; try again in a few seconds.";
        }
    }

    /// <summary>A span named in the URL (<c>?span=</c>, from a span link), selected on open.</summary>
    private SpanId? RequestedSpan()
    {
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        return query.TryGetValue("span", out var v) && SpanId.TryParse(v.ToString(), out var id) ? id : null;
    }

    private void Select(TraceNode node) => _selected = ReferenceEquals(_selected, node) ? null : node;

    /// <summary>After new telemetry arrives: how many spans of this trace are held now that the view does not show.</summary>
    private void CheckArrivals()
    {
        if (_tree is null)
        {
            return;
        }

        var held = Stores.Spans.GetTrace(_tenant, _traceId).Count;
        var arrived = Math.Max(held - _tree.Nodes.Count, 0);
        if (arrived != _arrived)
        {
            _arrived = arrived;
            StateHasChanged();
        }
    }

    public void Dispose()
    {
        _arrivals?.Dispose();
        _load?.Cancel();
        _load?.Dispose();
        GC.SuppressFinalize(this);
    }
}
