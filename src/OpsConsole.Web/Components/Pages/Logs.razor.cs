using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Web.Logs;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Pages;

/// <summary>
/// The log explorer. The query and range live in the URL (<c>/logs?q=…&amp;range=1h</c> or <c>&amp;from=…&amp;to=…</c>),
/// so a search can be shared and the back button works. Searches run off the circuit's thread, are cancelled when a
/// new one starts or the page goes away, and are time-limited by <see cref="LogExplorer"/>. Live tail subscribes to
/// the store's tail: the server pushes matching lines over the circuit as they are stored.
/// </summary>
public partial class Logs
{
    /// <summary>The live tail repaints at most this often.</summary>
    public static readonly TimeSpan TailInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Lines the tail view keeps (the oldest go first).</summary>
    public const int MaxTailLines = 1000;

    public const int PageSize = 100;

    private const string CustomRange = "custom";

    private static readonly (string Key, string Label, TimeSpan Span)[] Ranges =
    [
        ("15m", "Last 15 minutes", TimeSpan.FromMinutes(15)),
        ("1h", "Last hour", TimeSpan.FromHours(1)),
        ("6h", "Last 6 hours", TimeSpan.FromHours(6)),
        ("24h", "Last 24 hours", TimeSpan.FromHours(24)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
    ];

    private readonly List<LogView> _lines = [];
    private readonly List<LogView> _tailLines = [];
    private string _queryText = "";
    private string _parsedText = "";
    private string _range = "1h";
    private DateTimeOffset _from;
    private DateTimeOffset _to;
    private LogMatch? _match;
    private LogQueryParseException? _parseError;
    private string? _error;
    private bool _loading;
    private LogPageView? _page;
    private LogHistogramView? _histogram;
    private LogContextView? _context;
    private CancellationTokenSource? _searchCancellation;
    private IDisposable? _tail;
    private bool _tailing;
    private bool _paused;
    private long _missedWhilePaused;
    private LogTailUpdate? _tailRate;
    private bool _following = true;
    private bool _tailDirty;
    private ElementReference _tailElement;
    private IJSObjectReference? _tailScript;
    private DotNetObjectReference<Logs>? _self;
    private string? _tenantId;

    [Inject] private LogExplorer Explorer { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "q")] public string? Query { get; set; }

    [SupplyParameterFromQuery(Name = "range")] public string? RangeKey { get; set; }

    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _tenantId = (await AuthenticationState).User.GetTenantId();
        _queryText = Query ?? "";
        ResolveRange();
        await SearchAsync();
    }

    /// <summary>The range from the URL: from/to when both are given (RFC 3339 or Unix ms), else a relative one.</summary>
    private void ResolveRange()
    {
        var now = Explorer.Now;
        if (ParseTime(From) is { } from && ParseTime(To) is { } to && from < to)
        {
            (_range, _from, _to) = (CustomRange, from, to);
            return;
        }

        var range = Ranges.FirstOrDefault(r => r.Key == RangeKey);
        range = range.Key is null ? Ranges[1] : range;
        (_range, _from, _to) = (range.Key, now - range.Span, now);
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private async Task SearchAsync()
    {
        _searchCancellation?.Cancel();
        _searchCancellation?.Dispose();
        var cancellation = _searchCancellation = new CancellationTokenSource();
        _parsedText = _queryText;
        _context = null;
        _error = null;
        _match = LogExplorer.ParseQuery(_queryText, out _parseError);
        if (_match is null)
        {
            (_page, _histogram) = (null, null);
            _lines.Clear();
            return;
        }

        if (Explorer.CheckRange(_from, _to) is { } rangeError)
        {
            _error = rangeError;
            return;
        }

        if (_tailing)
        {
            Subscribe();
            return;
        }

        _loading = true;
        StateHasChanged();
        var (match, tenant, from, to) = (_match, _tenantId, _from, _to);
        try
        {
            var page = await Task.Run(() => Explorer.SearchAsync(match, tenant, from, to, PageSize, null, cancellation.Token), cancellation.Token);
            var histogram = await Task.Run(() => Explorer.HistogramAsync(match, tenant, from, to, LogExplorer.ChooseBucket(to - from), cancellation.Token), cancellation.Token);
            (_page, _histogram) = (page, histogram);
            _lines.Clear();
            _lines.AddRange(page.Items);
        }
        catch (LogQueryTimeoutException e)
        {
            _error = e.Message;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // A newer search (or leaving the page) replaced this one.
        }
        finally
        {
            if (cancellation == _searchCancellation)
            {
                _loading = false;
            }
        }
    }

    private async Task LoadOlderAsync()
    {
        if (_page?.NextCursor is not { } cursor || _match is null || !LogRecordId.TryParse(cursor, out var before))
        {
            return;
        }

        _loading = true;
        var token = _searchCancellation?.Token ?? CancellationToken.None;
        var (match, tenant, from, to) = (_match, _tenantId, _from, _to);
        try
        {
            var page = await Task.Run(() => Explorer.SearchAsync(match, tenant, from, to, PageSize, before, token), token);
            _page = page;
            _lines.AddRange(page.Items);
        }
        catch (LogQueryTimeoutException e)
        {
            _error = e.Message;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Replaced by a newer search.
        }
        finally
        {
            _loading = false;
        }
    }

    /// <summary>Puts the query and range into the URL; the page searches when its parameters change.</summary>
    private Task SubmitAsync()
    {
        var parameters = new Dictionary<string, object?>
        {
            ["q"] = string.IsNullOrWhiteSpace(_queryText) ? null : _queryText,
            ["range"] = _range == CustomRange ? null : _range,
            ["from"] = _range == CustomRange ? _from.ToString("O", CultureInfo.InvariantCulture) : null,
            ["to"] = _range == CustomRange ? _to.ToString("O", CultureInfo.InvariantCulture) : null,
        };
        var target = Navigation.GetUriWithQueryParameters(parameters);
        if (target == Navigation.Uri)
        {
            ResolveRange();
            return SearchAsync();
        }

        Navigation.NavigateTo(target);
        return Task.CompletedTask;
    }

    private Task RangeChangedAsync(string range)
    {
        _range = range;
        return SubmitAsync();
    }

    private Task AddToQueryAsync(string clause)
    {
        _queryText = string.IsNullOrWhiteSpace(_queryText) ? clause : _queryText.TrimEnd() + " " + clause;
        return SubmitAsync();
    }

    /// <summary>Narrows the range to one histogram bucket.</summary>
    private Task ZoomAsync(DateTimeOffset start)
    {
        var size = TimeSpan.FromSeconds(_histogram?.BucketSeconds ?? 60);
        (_range, _from, _to) = (CustomRange, start, start + size);
        return SubmitAsync();
    }

    private async Task ShowContextAsync(LogView line)
    {
        if (!LogRecordId.TryParse(line.Id, out var id))
        {
            return;
        }

        var token = _searchCancellation?.Token ?? CancellationToken.None;
        try
        {
            _context = await Task.Run(() => Explorer.ContextAsync(id, _tenantId, 10, 10, token), token);
            _error = _context is null ? "That line is no longer stored (past retention); search again." : null;
        }
        catch (LogQueryTimeoutException e)
        {
            _error = e.Message;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Replaced by a newer search.
        }
    }

    private async Task SetTailAsync(bool on)
    {
        _tailing = on;
        _tail?.Dispose();
        _tail = null;
        if (!on)
        {
            await SearchAsync();
            return;
        }

        _searchCancellation?.Cancel();
        _tailLines.Clear();
        (_paused, _missedWhilePaused, _tailRate, _following) = (false, 0, null, true);
        if (_match is not null)
        {
            Subscribe();
        }
    }

    private void Subscribe()
    {
        _tail?.Dispose();
        _tailLines.Clear();
        _tail = Explorer.Tail.Subscribe(_match!, _tenantId, Explorer.Options.TailMaxLinesPerSecond, TailInterval, OnTailAsync);
    }

    private Task OnTailAsync(LogTailUpdate update) => InvokeAsync(() =>
    {
        _tailRate = update;
        if (_paused)
        {
            _missedWhilePaused += update.Lines.Count;
        }
        else if (update.Lines.Count > 0)
        {
            _tailLines.AddRange(update.Lines.Select(LogView.From));
            if (_tailLines.Count > MaxTailLines)
            {
                _tailLines.RemoveRange(0, _tailLines.Count - MaxTailLines);
            }

            _tailDirty = true;
        }

        StateHasChanged();
    });

    private void Pause() => (_paused, _missedWhilePaused) = (true, 0);

    private void Resume() => _paused = false;

    private async Task FollowAsync()
    {
        _following = true;
        if (_tailScript is not null)
        {
            await _tailScript.InvokeVoidAsync("follow", _tailElement);
        }
    }

    [JSInvokable]
    public Task OnTailFollowChanged(bool following) => InvokeAsync(() =>
    {
        _following = following;
        StateHasChanged();
    });

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_tailing)
        {
            return;
        }

        try
        {
            if (_tailScript is null)
            {
                _tailScript = await Js.InvokeAsync<IJSObjectReference?>("import", "./js/logtail.js");
                _self ??= DotNetObjectReference.Create(this);
                if (_tailScript is not null)
                {
                    await _tailScript.InvokeVoidAsync("attach", _tailElement, _self);
                }
            }
            else if (_tailDirty)
            {
                _tailDirty = false;
                await _tailScript.InvokeVoidAsync("scrollIfFollowing", _tailElement);
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone; the circuit is being torn down.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _searchCancellation?.Cancel();
        _searchCancellation?.Dispose();
        _tail?.Dispose();
        _self?.Dispose();
        if (_tailScript is not null)
        {
            try
            {
                await _tailScript.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // Nothing to clean up in a browser that is gone.
            }
        }

        GC.SuppressFinalize(this);
    }
}
