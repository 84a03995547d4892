using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Dashboards;
using OpsConsole.Web.Api;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Dashboards;

/// <summary>
/// Renders a dashboard from the catalog: variables and the time range come from the URL (<c>from</c>, <c>to</c>,
/// <c>var-NAME</c>, <c>live=off</c>) so a view can be shared; changing them updates the URL and redraws. Panels load
/// off the circuit's thread and appear one by one; while the range is relative and live is on, a
/// <see cref="DashboardLiveSession"/> pushes new points as data arrives.
/// </summary>
public sealed partial class DashboardView
{
    private const string VariablePrefix = "var-";

    private static readonly (string Key, string Label)[] Presets =
    [
        ("5m", "Last 5 minutes"), ("15m", "Last 15 minutes"), ("1h", "Last 1 hour"), ("6h", "Last 6 hours"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"),
    ];

    private readonly Dictionary<string, PanelView> _panelRefs = new(StringComparer.Ordinal);
    private Dictionary<string, PanelResult> _results = new(StringComparer.Ordinal);
    private DashboardEntry? _entry;
    private IReadOnlyList<Alert> _alerts = [];
    private string? _tenant;
    private IReadOnlyList<ResolvedVariable> _variables = [];
    private List<string> _problems = [];
    private DashboardRange _range = new("now-1h", "now");
    private QueryWindow _window = new(0, 1, 1000);
    private bool _paused;
    private int _generation;
    private string? _loadedUri;
    private CancellationTokenSource? _loading;
    private bool _customOpen;
    private string? _customFrom;
    private string? _customTo;
    private string? _customError;

    [Parameter, EditorRequired] public string Uid { get; set; } = "";

    /// <summary>A dashboard to show instead of the catalog's (the editor's live preview): no page title, no edit or export buttons.</summary>
    [Parameter] public Dashboard? Preview { get; set; }

    [Inject] private IDashboardCatalog Catalog { get; set; } = default!;

    [Inject] private PromQlQueries Queries { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private DashboardLiveSession Live { get; set; } = default!;

    /// <summary>For the alert store, when the host has alerting (pages rendered in tests may not).</summary>
    [Inject] private IServiceProvider Services { get; set; } = default!;

    [Inject] private SharedPanelEvaluations Shared { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>True while new points are being pushed (a relative range, live not paused, the dashboard live).</summary>
    public bool IsLiveNow => _entry?.Dashboard.IsLive == true && _range.IsRelative && !_paused;

    /// <summary>The window the panels were last evaluated over.</summary>
    public QueryWindow Window => _window;

    private string RangeLabel => _range.Describe();

    protected override void OnInitialized() => Navigation.LocationChanged += OnLocationChanged;

    protected override async Task OnParametersSetAsync() => await LoadAsync();

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(LoadAsync);

    /// <summary>Reads the URL, resolves variables and evaluates every panel (again when the URL changed).</summary>
    private async Task LoadAsync()
    {
        var uri = Navigation.Uri;
        if (uri == _loadedUri && _entry?.Dashboard.Uid == Uid && (Preview is null || ReferenceEquals(_entry.Dashboard, Preview)))
        {
            return;
        }

        _loadedUri = uri;
        Live.Stop();
        _loading?.Cancel();
        _loading?.Dispose();
        _loading = new CancellationTokenSource();
        _entry = Preview is null ? Catalog.Find(Uid) : new DashboardEntry(Preview, "preview");
        if (_entry is null)
        {
            return;
        }

        var dashboard = _entry.Dashboard;
        var query = QueryHelpers.ParseQuery(new Uri(uri).Query);
        _problems = [];
        var defaultRange = new DashboardRange(dashboard.Time.From, dashboard.Time.To);
        if (query.ContainsKey("from") || query.ContainsKey("to"))
        {
            _range = DashboardRange.TryParse(query.GetValueOrDefault("from").FirstOrDefault(), query.GetValueOrDefault("to").FirstOrDefault(), out var error) ?? defaultRange;
            if (error is not null)
            {
                _problems.Add($"The range in the address was not used ({error}); showing {defaultRange.Describe()}.");
            }
        }
        else
        {
            _range = defaultRange;
        }

        _paused = string.Equals(query.GetValueOrDefault("live").FirstOrDefault(), "off", StringComparison.Ordinal);
        // A tenant admin's queries are scoped by the engine (tenant_id="<tenant>" on every selector), over the
        // database-backed source the PromQL API reads, so old ranges come from the database.
        var user = AuthenticationState is null ? new System.Security.Claims.ClaimsPrincipal() : (await AuthenticationState).User;
        var tenant = user.GetTenantId();
        var engine = Queries.EngineOptions(user);
        var requested = query.Where(q => q.Key.StartsWith(VariablePrefix, StringComparison.Ordinal))
            .ToDictionary(q => q.Key[VariablePrefix.Length..], q => q.Value.FirstOrDefault() ?? "", StringComparer.Ordinal);
        _window = _range.Window(Time.GetUtcNow().ToUnixTimeMilliseconds());
        _tenant = tenant;
        _alerts = Services.GetService(typeof(AlertStore)) is AlertStore alerts ? [.. alerts.Active(), .. alerts.Resolved()] : [];
        var lookupWindow = _window;
        _variables = await DashboardVariables.ResolveAsync(dashboard,
            (label, matchers, ct) => Queries.Source.LabelValuesAsync(label, matchers, lookupWindow.FromMs, lookupWindow.ToMs, ct), tenant, requested, _loading.Token);
        _problems.AddRange(_variables.Where(v => v.Problem is not null).Select(v => v.Problem!));
        var values = DashboardVariables.ToValues(_variables);

        _generation++;
        _results = new Dictionary<string, PanelResult>(StringComparer.Ordinal);
        _panelRefs.Clear();
        StateHasChanged();

        if (!RendererInfo.IsInteractive)
        {
            return; // prerendering: show the skeletons now; the circuit evaluates the panels
        }

        var generation = _generation;
        var window = _window;
        var token = _loading.Token;
        try
        {
            foreach (var panel in dashboard.Panels.Where(p => p.Kind != PanelType.Text))
            {
                // Shared with every circuit opening this view within the same step (the window is step-aligned).
                var result = await Shared.EvaluateAsync(panel, values, engine, window, rangeOnly: false, token);
                if (generation != _generation)
                {
                    return;
                }

                _results[panel.Id!] = result;
                StateHasChanged();
            }
        }
        catch (OperationCanceledException)
        {
            return; // a newer load took over
        }

        if (IsLiveNow && generation == _generation)
        {
            // Let the panels render their charts before the first appends arrive.
            await Task.Yield();
            var panels = dashboard.Panels.Where(p => p.Kind != PanelType.Text)
                .Select(p => _panelRefs.GetValueOrDefault(p.Id!)).OfType<ILivePanel>().ToList();
            Live.Start(new LiveView(panels, values, engine, window));
        }
    }

    private void Navigate(IReadOnlyDictionary<string, object?> changes) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(changes));

    private void SetRange(string from, string to)
    {
        _customOpen = false;
        Navigate(new Dictionary<string, object?> { ["from"] = from, ["to"] = to });
    }

    private void SetVariable(string name, string value) =>
        Navigate(new Dictionary<string, object?> { [VariablePrefix + name] = value });

    private void ToggleLive() =>
        Navigate(new Dictionary<string, object?> { ["live"] = _paused ? null : "off" });

    private void ZoomTo(ChartRange range)
    {
        var r = DashboardRange.Absolute(range.FromMs, range.ToMs);
        SetRange(r.From, r.To);
    }

    private void OpenCustom()
    {
        _customOpen = true;
        _customError = null;
        var format = "yyyy-MM-ddTHH:mm";
        _customFrom = DateTimeOffset.FromUnixTimeMilliseconds(_window.ToMs - _window.RangeMs).UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
        _customTo = DateTimeOffset.FromUnixTimeMilliseconds(_window.ToMs).UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>Applies the custom range, or says what is wrong with it and changes nothing.</summary>
    private void ApplyCustom()
    {
        if (!TryParseUtc(_customFrom, out var from) || !TryParseUtc(_customTo, out var to))
        {
            _customError = "Enter both times as date and time (UTC).";
            return;
        }

        var range = DashboardRange.Absolute(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        if (DashboardRange.TryParse(range.From, range.To, out var error) is null)
        {
            _customError = $"That range cannot be shown: {error}.";
            return;
        }

        SetRange(range.From, range.To);
    }

    private static bool TryParseUtc(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        _loading?.Cancel();
        _loading?.Dispose();
        Live.Stop();
    }
}
