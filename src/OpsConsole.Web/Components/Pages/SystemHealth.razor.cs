using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Core.Health;
using OpsConsole.Core.Live;
using OpsConsole.Core.Storage;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Web.Components.Shared;
using OpsConsole.Data;
using OpsConsole.Web.Observability;

namespace OpsConsole.Web.Components.Pages;

/// <summary>
/// The console's own health. Subscribes to the self-monitor's feed and re-renders when the server pushes a new
/// sample over the circuit; the browser runs no timer.
/// </summary>
public partial class SystemHealth
{
    /// <summary>At most this often per page, whatever the sampling rate.</summary>
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromMilliseconds(250);

    private IDisposable? _subscription;
    private IDisposable? _activitySubscription;
    private IDisposable? _scrapeSubscription;
    private ProcessSnapshot? _snapshot;
    private TelemetryActivity? _activity;
    private StoreStats? _spans;
    private StoreStats? _logs;
    private StoreStats? _samples;
    private IReadOnlyList<ServiceRow> _services = [];
    private int _updates;

    [Inject] private LiveFeed<ProcessSnapshot> Feed { get; set; } = default!;
    [Inject] private ResolvedStorage Storage { get; set; } = default!;
    [Inject] private TelemetryStores Stores { get; set; } = default!;
    [Inject] private HealthCheckStore Health { get; set; } = default!;
    [Inject] private ScrapeLoop Scrapes { get; set; } = default!;

    protected override void OnInitialized()
    {
        _snapshot = Feed.Latest;
        _subscription = Feed.Subscribe(OnSampleAsync, UpdateInterval);
        _activitySubscription = Stores.Events.Subscribe(_ => InvokeAsync(RefreshTelemetry), UpdateInterval);
        _scrapeSubscription = Scrapes.StatusFeed.Subscribe(_ => InvokeAsync(RefreshTelemetry), UpdateInterval);
        RefreshTelemetry();
    }

    /// <summary>Pulls what changed after a push: rates, what the stores hold, and the services' states.</summary>
    private void RefreshTelemetry()
    {
        _activity = Stores.Events.Latest;
        _spans = Stores.Spans.Stats();
        _logs = Stores.Logs.Stats();
        _samples = Stores.Series.Stats();
        _services = ServiceOverview.Build(Stores, Health, Scrapes, tenantId: null);
        StateHasChanged();
    }

    private static string Rate(double? perSecond) => perSecond is { } r ? $"{r:0.#} /s" : "0 /s";

    private static string Held(StoreStats? stats, string noun) => stats is null || stats.Items == 0
        ? $"none held yet"
        : $"{stats.Items:N0} {noun} held ({Units.Bytes(stats.EstimatedBytes)}) since {stats.Oldest?.ToLocalTime():MMM d HH:mm}" + (stats.Evicted > 0 ? $"; {stats.Evicted:N0} older ones left memory" : "");

    private static string Signals(ServiceRow row) =>
        string.Join(", ", new[] { row.SendsTraces ? "traces" : null, row.Scraped ? "metrics" : null, row.Checks > 0 ? $"{row.Checks} check(s)" : null }.Where(x => x is not null));

    private static Color StateColor(ServiceState state) => state switch
    {
        ServiceState.Up => Color.Success,
        ServiceState.Degraded => Color.Warning,
        ServiceState.Down => Color.Error,
        _ => Color.Default,
    };

    private static string StateLabel(ServiceState state) => state switch
    {
        ServiceState.Up => "Up",
        ServiceState.Degraded => "Degraded",
        ServiceState.Down => "Down",
        _ => "Seen",
    };

    private Task OnSampleAsync(ProcessSnapshot snapshot) => InvokeAsync(() =>
    {
        _snapshot = snapshot;
        _updates++;
        StateHasChanged();
    });

    private static string FormatUptime(TimeSpan t) => t.TotalDays >= 1
        ? $"{(int)t.TotalDays}d {t.Hours}h {t.Minutes}m"
        : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes}m {t.Seconds}s" : $"{t.Minutes}m {t.Seconds}s";

    public void Dispose()
    {
        _subscription?.Dispose();
        _activitySubscription?.Dispose();
        _scrapeSubscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
