using Microsoft.AspNetCore.Components;
using OpsConsole.Core.Live;
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
    private ProcessSnapshot? _snapshot;
    private int _updates;

    [Inject] private LiveFeed<ProcessSnapshot> Feed { get; set; } = default!;
    [Inject] private ResolvedStorage Storage { get; set; } = default!;

    protected override void OnInitialized()
    {
        _snapshot = Feed.Latest;
        _subscription = Feed.Subscribe(OnSampleAsync, UpdateInterval);
    }

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
        GC.SuppressFinalize(this);
    }
}
