using System.Data.Common;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Data.Telemetry;
using OpsConsole.Web.Security;
using OpsConsole.Web.Traces;

namespace OpsConsole.Web.Components.Pages;

/// <summary>
/// Trace search. The form lives in the URL (the API's parameters, <see cref="TraceSearchParameters"/>), so a search can
/// be shared and the back button works; a search in flight is cancelled when a new one starts or the page closes.
/// </summary>
public partial class Traces : IDisposable
{
    private static readonly (string Value, string Label)[] Ranges =
        [("15m", "Last 15 minutes"), ("1h", "Last hour"), ("6h", "Last 6 hours"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("", "Custom")];

    private static readonly int[] Limits = [20, 50, 100, 500, 1000];

    private const int TelemetryReaderCap = TelemetryReader.MaxCandidateTraces;

    private readonly SearchForm _form = new();
    private CancellationTokenSource? _search;
    private IReadOnlyList<string> _serviceOptions = [];
    private Dictionary<string, string[]> _errors = [];
    private TraceSearchResult? _result;
    private TraceQuery? _query;
    private string? _failure;
    private string? _tenant;
    private bool _isAdminScope;
    private bool _loading;
    private string? _lastUrl;

    [Inject] private TraceExplorer Explorer { get; set; } = default!;
    [Inject] private TelemetryStores Stores { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The time range part of the current search, for the tab to the service map.</summary>
    private string RangeQuery => _form.Range != "" ? "?range=" + Uri.EscapeDataString(_form.Range) : "";

    protected override async Task OnInitializedAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _tenant = user?.GetTenantId();
        _isAdminScope = _tenant is null;
        _serviceOptions = Stores.Spans.Services(_tenant);
        Navigation.LocationChanged += OnLocationChanged;
        await SearchFromUrlAsync();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(async () =>
    {
        if (new Uri(e.Location).AbsolutePath == "/traces")
        {
            await SearchFromUrlAsync();
            StateHasChanged();
        }
    });

    private async Task SearchFromUrlAsync()
    {
        var uri = new Uri(Navigation.Uri);
        if (uri.ToString() == _lastUrl)
        {
            return;
        }

        _lastUrl = uri.ToString();
        var query = QueryHelpers.ParseQuery(uri.Query);
        var parameters = TraceSearchParameters.Read(name => query.TryGetValue(name, out var v) ? v : default);
        if (parameters.From is null && parameters.Range is null)
        {
            parameters = parameters with { Range = "1h" };
        }

        _form.Load(parameters);
        if (parameters.Service is { } s && !_serviceOptions.Contains(s))
        {
            _serviceOptions = [.. _serviceOptions, s];
        }

        await RunAsync(parameters);
    }

    private async Task SubmitAsync()
    {
        var parameters = _form.ToParameters();
        var url = "/traces?" + parameters.ToQueryString();
        _lastUrl = Navigation.ToAbsoluteUri(url).ToString();
        Navigation.NavigateTo(url);
        await RunAsync(parameters);
    }

    private async Task RunAsync(TraceSearchParameters parameters)
    {
        _failure = null;
        var (query, errors) = parameters.ToQuery(_tenant, Now);
        _errors = errors;
        if (errors.Count > 0)
        {
            _result = null;
            return;
        }

        if (_search is not null)
        {
            await _search.CancelAsync();
            _search.Dispose();
        }

        _search = new CancellationTokenSource();
        var token = _search.Token;
        _query = query;
        _loading = true;
        StateHasChanged();
        try
        {
            _result = await Explorer.SearchAsync(query, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return; // a newer search (or leaving the page) replaced this one
        }
        catch (Exception ex) when (ex is TraceSearchTimeoutException or DbException or TimeoutException)
        {
            _result = null;
            _failure = ex is TraceSearchTimeoutException
                ? ex.Message
                : "The database could not be read right now, so traces older than what memory holds cannot be searched. Try again in a few seconds, or search a more recent range.";
        }

        _loading = false;
    }

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        _search?.Cancel();
        _search?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The form's fields as the user edits them.</summary>
    private sealed class SearchForm
    {
        public string? Service { get; set; } = "";
        public string? Operation { get; set; }
        public string? TagsText { get; set; }
        public string? ServicesText { get; set; }
        public string? MinDuration { get; set; }
        public string? MaxDuration { get; set; }
        public bool ErrorsOnly { get; set; }
        public string? Tenant { get; set; }
        public string Range { get; set; } = "1h";
        public string? From { get; set; }
        public string? To { get; set; }
        public string Sort { get; set; } = "start";
        public int Limit { get; set; } = TraceQuery.DefaultLimit;

        public void Load(TraceSearchParameters p)
        {
            Service = p.Service ?? "";
            Operation = p.Operation;
            TagsText = string.Join('\n', p.Tags);
            ServicesText = string.Join(", ", p.Services);
            MinDuration = p.MinDuration;
            MaxDuration = p.MaxDuration;
            ErrorsOnly = p.ErrorsOnly;
            Tenant = p.Tenant;
            Range = p.From is not null ? "" : p.Range ?? "1h";
            From = p.From;
            To = p.To;
            Sort = p.Sort ?? "start";
            Limit = p.Limit ?? TraceQuery.DefaultLimit;
        }

        public TraceSearchParameters ToParameters() => new()
        {
            Service = Blank(Service),
            Operation = Blank(Operation),
            Tags = [.. (TagsText ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Services = [.. (ServicesText ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            MinDuration = Blank(MinDuration),
            MaxDuration = Blank(MaxDuration),
            ErrorsOnly = ErrorsOnly,
            Tenant = Blank(Tenant),
            Range = Range == "" ? null : Range,
            From = Range == "" ? Blank(From) : null,
            To = Range == "" ? Blank(To) : null,
            Sort = Sort == "start" ? null : Sort,
            Limit = Limit == TraceQuery.DefaultLimit ? null : Limit,
        };

        private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
    }
}
