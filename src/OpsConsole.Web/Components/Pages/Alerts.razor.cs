using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Components.Alerting;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Pages;

/// <summary>Which list of the triage screen is shown.</summary>
public enum AlertTab
{
    Firing,
    Pending,
    Acknowledged,
    Suppressed,
    Resolved,
}

/// <summary>
/// The triage screen: alerts by tab with counts, filters, sort, acknowledge and silence (single and bulk) and the
/// detail of one alert. Live: an <see cref="AlertFeed"/> subscription re-reads the store when alerts change.
/// </summary>
public partial class Alerts : IAsyncDisposable
{
    /// <summary>At most this often per page, however fast alerts change.</summary>
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Where the sound/notification module is served (wwwroot/js/alert-sound.js).</summary>
    public const string SoundModule = "./js/alert-sound.js";

    private static readonly string[] SeverityOrder = ["critical", "error", "warning", "info"];

    private IDisposable? _subscription;
    private IJSObjectReference? _keys;
    private IJSObjectReference? _sound;
    private bool _soundOn;
    private HashSet<string>? _criticalSeen;
    private DotNetObjectReference<Alerts>? _self;
    private ClaimsPrincipal _user = new();
    private bool _canOperate;
    private AlertTab _tab = AlertTab.Firing;
    private Dictionary<AlertTab, List<AlertView>> _byTab = [];
    private List<AlertView> _rows = [];
    private readonly HashSet<string> _selected = new(StringComparer.Ordinal);
    private string? _cursor;
    private string _text = "";
    private string? _severity;
    private string? _service;
    private string? _tenant;
    private string _labelFilter = "";
    private string? _labelError;
    private string _sort = "newest";
    private bool _showHelp;
    private string? _message;
    private AlertView? _detail;
    private IReadOnlyList<AlertHistoryEntry> _history = [];
    private IReadOnlyList<DeliveryRecord> _deliveries = [];
    private IReadOnlyList<string> _services = [];
    private IReadOnlyList<string> _tenants = [];

    [Parameter] public string? Fingerprint { get; set; }

    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    [Inject] private AlertOperations Ops { get; set; } = default!;
    [Inject] private AlertFeed Feed { get; set; } = default!;
    [Inject] private IAlertingRepository Repository { get; set; } = default!;
    [Inject] private IAuthorizationService Authorization { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    public static IReadOnlyList<AlertTab> Tabs { get; } = Enum.GetValues<AlertTab>();

    protected override async Task OnInitializedAsync()
    {
        _user = AuthState is null ? new ClaimsPrincipal() : (await AuthState).User;
        _canOperate = (await Authorization.AuthorizeAsync(_user, Policies.Operate)).Succeeded;
        Reload();
        _criticalSeen = [.. FiringCritical().Select(v => v.Alert.Id)];
        _subscription = Feed.Feed.Subscribe(_ => InvokeAsync(OnLiveAsync), UpdateInterval);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (Fingerprint is not null && _detail?.Alert.Fingerprint != Fingerprint)
        {
            var alert = Ops.Alerts.ActiveByFingerprint(Fingerprint) ?? Ops.Alerts.Resolved().FirstOrDefault(a => a.Fingerprint == Fingerprint);
            if (alert is null)
            {
                _message = $"No alert with fingerprint {Fingerprint} is held (active or recently resolved).";
            }
            else
            {
                await OpenDetailAsync(Ops.View(alert));
            }
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            _keys = await Js.InvokeAsync<IJSObjectReference?>("import", "./js/alert-keys.js");
            _self = DotNetObjectReference.Create(this);
            if (_keys is not null)
            {
                await _keys.InvokeVoidAsync("attach", _self);
            }

            _sound = await Js.InvokeAsync<IJSObjectReference?>("import", SoundModule);
            if (_sound is not null && await _sound.InvokeAsync<bool>("isEnabled"))
            {
                _soundOn = true;
                StateHasChanged();
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone.
        }
    }

    private async Task OnLiveAsync()
    {
        Reload();
        await AnnounceNewCriticalAsync();
        if (_detail is not null)
        {
            var current = Ops.Alerts.Get(_detail.Alert.Id);
            if (current is not null)
            {
                _detail = Ops.View(current);
            }
        }

        StateHasChanged();
    }

    /// <summary>Critical alerts firing (not silenced, inhibited or acknowledged) now.</summary>
    private IEnumerable<AlertView> FiringCritical() =>
        (_byTab.GetValueOrDefault(AlertTab.Firing) ?? []).Where(v => string.Equals(v.Alert.Severity, "critical", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// With the sound on, announces each critical alert that started firing since the last look (the ones there when
    /// the page opened are not new); each alert once.
    /// </summary>
    private async Task AnnounceNewCriticalAsync()
    {
        var now = FiringCritical().ToList();
        var seen = _criticalSeen;
        _criticalSeen = [.. now.Select(v => v.Alert.Id)];
        if (seen is null || !_soundOn || _sound is null)
        {
            return;
        }

        var fresh = now.Where(v => !seen.Contains(v.Alert.Id)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var first = fresh[0].Alert;
        var title = fresh.Count == 1 ? $"Critical: {first.Name}" : $"{fresh.Count} new critical alerts";
        var body = string.Join("; ", fresh.Take(5).Select(v => v.Alert.Annotations.GetValueOrDefault("summary") is { } s ? $"{v.Alert.Name} — {s}" : v.Alert.Name));
        try
        {
            await _sound.InvokeVoidAsync("announce", title, body, $"/alerts/{first.Fingerprint}");
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone.
        }
    }

    private async Task SetSoundAsync(bool on)
    {
        _soundOn = on;
        try
        {
            _sound ??= await Js.InvokeAsync<IJSObjectReference?>("import", SoundModule); // toggled before the page finished loading it
        }
        catch (JSDisconnectedException)
        {
            return;
        }

        if (_sound is not null)
        {
            try
            {
                var permission = await _sound.InvokeAsync<string?>("setEnabled", on);
                _message = on && permission == "denied" ? "Sound is on; this browser blocks notifications for the console, so only the sound plays." : _message;
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone.
            }
        }
    }

    /// <summary>Re-reads the store: every tab's alerts, the filter choices, and the rows of the current tab.</summary>
    private void Reload()
    {
        var active = Ops.ActiveViews();
        var resolved = Ops.Views(Ops.Alerts.Resolved(Ops.Alerts.Options.ResolvedInMemory)).ToList();
        _byTab = new Dictionary<AlertTab, List<AlertView>>
        {
            [AlertTab.Firing] = [.. active.Where(v => v.Alert.State == AlertState.Firing && !v.Mute.IsMuted && v.Alert.Acknowledgement is null)],
            [AlertTab.Pending] = [.. active.Where(v => v.Alert.State == AlertState.Pending)],
            [AlertTab.Acknowledged] = [.. active.Where(v => v.Alert.Acknowledgement is not null)],
            [AlertTab.Suppressed] = [.. active.Where(v => v.Mute.IsMuted)],
            [AlertTab.Resolved] = resolved,
        };
        _services = [.. active.Concat(resolved).Select(v => v.Alert.Labels.Get("service")).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        _tenants = [.. active.Concat(resolved).Select(v => v.Alert.TenantId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        ApplyFilter();
    }

    private void ApplyFilter()
    {
        IReadOnlyList<LabelMatcher> matchers = [];
        _labelError = null;
        if (!string.IsNullOrWhiteSpace(_labelFilter))
        {
            try
            {
                matchers = Matchers.Parse(_labelFilter);
            }
            catch (MatcherFormatException e)
            {
                _labelError = "Label filter: " + e.Message + " (write e.g. service=\"rag\" or team=~\"ml.*\")";
            }
        }

        IEnumerable<AlertView> rows = _byTab.GetValueOrDefault(_tab) ?? [];
        if (!string.IsNullOrWhiteSpace(_text))
        {
            var text = _text.Trim();
            rows = rows.Where(v => v.Alert.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
                || v.Alert.Labels.Labels.Any(l => l.Value.Contains(text, StringComparison.OrdinalIgnoreCase))
                || v.Alert.Annotations.Values.Any(a => a.Contains(text, StringComparison.OrdinalIgnoreCase)));
        }

        if (_severity is not null)
        {
            rows = rows.Where(v => string.Equals(v.Alert.Severity, _severity, StringComparison.OrdinalIgnoreCase));
        }

        if (_service is not null)
        {
            rows = rows.Where(v => v.Alert.Labels.Get("service") == _service);
        }

        if (_tenant is not null)
        {
            rows = rows.Where(v => v.Alert.TenantId == _tenant);
        }

        if (_labelError is null && matchers.Count > 0)
        {
            rows = rows.Where(v => Matchers.MatchesAll(matchers, v.Alert.Labels));
        }

        rows = _sort switch
        {
            "oldest" => rows.OrderBy(v => v.Alert.StartsAt),
            "severity" => rows.OrderBy(v => SeverityRank(v.Alert.Severity)).ThenByDescending(v => v.Alert.StartsAt),
            "name" => rows.OrderBy(v => v.Alert.Name, StringComparer.Ordinal).ThenByDescending(v => v.Alert.StartsAt),
            _ => rows.OrderByDescending(v => v.Alert.ResolvedAt ?? v.Alert.StartsAt),
        };
        _rows = [.. rows];
        var visible = _rows.Select(r => r.Alert.Id).ToHashSet(StringComparer.Ordinal);
        _selected.IntersectWith(visible);
        if (_cursor is not null && !visible.Contains(_cursor))
        {
            _cursor = null;
        }
    }

    private int Count(AlertTab tab) => _byTab.GetValueOrDefault(tab)?.Count ?? 0;

    private void SelectTab(AlertTab tab)
    {
        _tab = tab;
        _selected.Clear();
        ApplyFilter();
    }

    private void OnText(string value)
    {
        _text = value;
        ApplyFilter();
    }

    private void OnSeverity(string? value)
    {
        _severity = string.IsNullOrEmpty(value) ? null : value;
        ApplyFilter();
    }

    private void OnService(string? value)
    {
        _service = string.IsNullOrEmpty(value) ? null : value;
        ApplyFilter();
    }

    private void OnTenant(string? value)
    {
        _tenant = string.IsNullOrEmpty(value) ? null : value;
        ApplyFilter();
    }

    private void OnLabel(string value)
    {
        _labelFilter = value;
        ApplyFilter();
    }

    private void OnSort(string value)
    {
        _sort = value;
        ApplyFilter();
    }

    private void Toggle(string id, bool on)
    {
        if (on)
        {
            _selected.Add(id);
        }
        else
        {
            _selected.Remove(id);
        }
    }

    private void ToggleAll(bool on)
    {
        _selected.Clear();
        if (on)
        {
            _selected.UnionWith(_rows.Where(r => r.Alert.IsActive).Select(r => r.Alert.Id));
        }
    }

    private async Task AcknowledgeAsync(IReadOnlyList<AlertView> targets)
    {
        var candidates = targets.Where(t => t.Alert.IsActive && t.Alert.Acknowledgement is null).ToList();
        if (!_canOperate || candidates.Count == 0)
        {
            _message = candidates.Count == 0 ? "Nothing to acknowledge: the chosen alerts are already acknowledged or resolved." : _message;
            return;
        }

        var parameters = new DialogParameters<AcknowledgeDialog> { { d => d.Alerts, candidates } };
        var dialog = await Dialogs.ShowAsync<AcknowledgeDialog>(candidates.Count == 1 ? "Acknowledge alert" : $"Acknowledge {candidates.Count} alerts", parameters);
        var result = await dialog.Result;
        if (result is null || result.Canceled || result.Data is not string comment)
        {
            return;
        }

        var done = 0;
        var failed = new List<string>();
        foreach (var target in candidates)
        {
            var outcome = await Ops.AcknowledgeAsync(target.Alert.Id, _user, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), null, CancellationToken.None);
            if (outcome.Outcome == AlertActionOutcome.Done)
            {
                done++;
            }
            else
            {
                failed.Add($"{target.Alert.Name}: {outcome.Message ?? outcome.Outcome.ToString()}");
            }
        }

        _message = $"Acknowledged {done} alert(s)." + (failed.Count > 0 ? " Not acknowledged: " + string.Join("; ", failed) : "");
        _selected.Clear();
        Reload();
    }

    private async Task SilenceAsync(IReadOnlyList<AlertView> targets)
    {
        if (!_canOperate || targets.Count == 0)
        {
            return;
        }

        var parameters = new DialogParameters<SilenceDialog> { { d => d.Matchers, SilenceDialog.PrefillFor([.. targets.Select(t => t.Alert)]) }, { d => d.User, _user } };
        var dialog = await Dialogs.ShowAsync<SilenceDialog>("Silence alerts", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        var result = await dialog.Result;
        if (result is null || result.Canceled || result.Data is not Silence silence)
        {
            return;
        }

        _message = $"Silence {silence.Id[..8]} created until {silence.EndsAt.ToLocalTime():MMM d HH:mm}; it mutes {Ops.Preview(silence.Matchers).Count} active alert(s).";
        _selected.Clear();
        Feed.Touch();
        Reload();
    }

    private Task AcknowledgeSelectedAsync() => AcknowledgeAsync([.. _rows.Where(r => _selected.Contains(r.Alert.Id))]);

    private Task SilenceSelectedAsync() => SilenceAsync([.. _rows.Where(r => _selected.Contains(r.Alert.Id))]);

    private async Task OpenDetailAsync(AlertView view)
    {
        _detail = view;
        _cursor = view.Alert.Id;
        _history = await Repository.HistoryAsync(view.Alert.Id, CancellationToken.None);
        _deliveries = await Repository.DeliveriesAsync([view.Alert.Fingerprint], 50, CancellationToken.None);
    }

    private void CloseDetail()
    {
        _detail = null;
        if (Fingerprint is not null)
        {
            Navigation.NavigateTo("/alerts");
        }
    }

    /// <summary>Keyboard shortcuts from alert-keys.js (it ignores keys typed into inputs, except Escape).</summary>
    [JSInvokable]
    public async Task OnShortcut(string key)
    {
        var current = _rows.FindIndex(r => r.Alert.Id == _cursor);
        switch (key)
        {
            case "j":
                _cursor = _rows.Count == 0 ? null : _rows[Math.Min(current + 1, _rows.Count - 1)].Alert.Id;
                break;
            case "k":
                _cursor = _rows.Count == 0 ? null : _rows[Math.Max(current - 1, 0)].Alert.Id;
                break;
            case "a" when current >= 0:
                await AcknowledgeAsync(_selected.Count > 0 ? [.. _rows.Where(r => _selected.Contains(r.Alert.Id))] : [_rows[current]]);
                break;
            case "s" when current >= 0:
                await SilenceAsync(_selected.Count > 0 ? [.. _rows.Where(r => _selected.Contains(r.Alert.Id))] : [_rows[current]]);
                break;
            case "Enter" when current >= 0:
                await OpenDetailAsync(_rows[current]);
                break;
            case "?":
                _showHelp = !_showHelp;
                break;
            case "Escape":
                _showHelp = false;
                break;
            default:
                return;
        }

        StateHasChanged();
    }

    private static int SeverityRank(string? severity)
    {
        var i = Array.FindIndex(SeverityOrder, s => string.Equals(s, severity, StringComparison.OrdinalIgnoreCase));
        return i < 0 ? SeverityOrder.Length : i;
    }

    internal static Color SeverityColor(string? severity) => severity?.ToLowerInvariant() switch
    {
        "critical" or "page" => Color.Error,
        "error" => Color.Secondary,
        "warning" => Color.Warning,
        "info" => Color.Info,
        _ => Color.Default,
    };

    private static string TabLabel(AlertTab tab) => tab.ToString();

    private static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var d = now - at;
        return d.TotalSeconds < 60 ? $"{Math.Max(0, (int)d.TotalSeconds)}s ago"
            : d.TotalMinutes < 60 ? $"{(int)d.TotalMinutes}m ago"
            : d.TotalHours < 48 ? $"{(int)d.TotalHours}h ago"
            : $"{(int)d.TotalDays}d ago";
    }

    /// <summary>The alert's window for the trace and log links: from 15 min before it started to its end (or now).</summary>
    private (DateTimeOffset From, DateTimeOffset To) Window(Alert a) =>
        (a.StartsAt - TimeSpan.FromMinutes(15), (a.ResolvedAt ?? Time.GetUtcNow()) + TimeSpan.FromMinutes(5));

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    private string TracesLink(Alert a, string service)
    {
        var (from, to) = Window(a);
        return $"/traces?service={Uri.EscapeDataString(service)}&from={Iso(from)}&to={Iso(to)}";
    }

    private string LogsLink(Alert a, string service)
    {
        var (from, to) = Window(a);
        return $"/logs?q={Uri.EscapeDataString("service:" + service)}&from={Iso(from)}&to={Iso(to)}";
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        if (_keys is not null)
        {
            try
            {
                await _keys.InvokeVoidAsync("detach");
                await _keys.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone.
            }
        }

        if (_sound is not null)
        {
            try
            {
                await _sound.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone.
            }
        }

        _self?.Dispose();
        GC.SuppressFinalize(this);
    }
}
