using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.LiveEvents;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.LiveEvents;

/// <summary>
/// <c>/hubs/live</c>: a push channel for clients other than the console's own pages (wall screens, scripts, other
/// tools). Signed-in users and API keys with a dashboard role may connect (cookie or <c>Authorization: Bearer</c>);
/// nothing is accepted from clients. Server-to-client methods: <c>health</c> (<see cref="HealthEvent"/>), <c>ingest</c>
/// (<see cref="IngestRateEvent"/>), <c>alert</c> (<see cref="AlertEvent"/>). A tenant admin's connection joins only
/// their tenant's group and so hears only their tenant's events; everyone else hears all.
/// </summary>
[Authorize(Policy = Policies.ViewDashboards)]
public sealed class LiveHub : Hub
{
    public const string Path = "/hubs/live";

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, LiveGroups.For(Context.User?.GetTenantId()));
        await base.OnConnectedAsync();
    }
}

/// <summary>The hub's groups: <c>all</c> for callers without a tenant, <c>tenant:&lt;id&gt;</c> for a tenant's.</summary>
public static class LiveGroups
{
    public const string All = "all";

    public static string For(string? tenantId) => tenantId is null ? All : "tenant:" + tenantId;
}

/// <summary>The <c>LiveEvents</c> section.</summary>
public sealed class LiveEventOptions
{
    public const string SectionName = "LiveEvents";

    /// <summary>How often ingest rates (and reported health-check changes) are looked at and sent.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Feeds <see cref="LiveHub"/>: alert events as alerting publishes them (<see cref="IAlertEventSource"/>), scrape
/// targets going up or down as the scrape loop reports them, and every <see cref="LiveEventOptions.Interval"/> the
/// ingest rates per signal and tenant and any health check whose status changed. Each event goes to the <c>all</c>
/// group and, when it belongs to a tenant, to that tenant's group.
/// </summary>
public sealed partial class LiveEventBroadcaster(
    IHubContext<LiveHub> hub, IAlertEventSource alerts, ScrapeLoop scrapes, HealthCheckStore checks, IngestTally tally,
    IOptions<LiveEventOptions> options, TimeProvider time, ILogger<LiveEventBroadcaster> logger) : BackgroundService
{
    private readonly Dictionary<ScrapeTargetKey, ScrapeHealth> _targets = [];
    private readonly Dictionary<(string Tenant, string Service, string Check), HealthStatus> _checks = [];
    private readonly Lock _gate = new();
    private Dictionary<(string Signal, string Tenant), long> _lastTotals = [];
    private DateTimeOffset _lastAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var alertSubscription = alerts.Subscribe(e => _ = SendAsync(e.TenantId, "alert", e));
        using var scrapeSubscription = scrapes.StatusFeed.Subscribe(OnScrapesAsync, TimeSpan.Zero);
        lock (_gate)
        {
            _lastTotals = Totals();
            foreach (var c in checks.Current(null))
            {
                _checks[(c.TenantId, c.Service, c.Check)] = c.Status;
            }
        }

        _lastAt = time.GetUtcNow();
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private Dictionary<(string Signal, string Tenant), long> Totals() => tally.Totals().ToDictionary(t => (t.Signal, t.TenantId), t => t.Items);

    private async Task TickAsync()
    {
        var now = time.GetUtcNow();
        var seconds = Math.Max((now - _lastAt).TotalSeconds, 0.001);
        var totals = Totals();
        var rates = totals
            .Select(t => new IngestRate(t.Key.Signal, t.Key.Tenant, (t.Value - _lastTotals.GetValueOrDefault(t.Key)) / seconds))
            .Where(r => r.PerSecond > 0)
            .ToList();
        _lastTotals = totals;
        _lastAt = now;
        if (rates.Count > 0)
        {
            await hub.Clients.Group(LiveGroups.All).SendAsync("ingest", new IngestRateEvent(now, seconds, rates));
            foreach (var tenant in rates.GroupBy(r => r.TenantId).Where(g => g.Key != TenantIds.Default))
            {
                await hub.Clients.Group(LiveGroups.For(tenant.Key)).SendAsync("ingest", new IngestRateEvent(now, seconds, [.. tenant]));
            }
        }

        var changed = new List<HealthEvent>();
        lock (_gate)
        {
            foreach (var c in checks.Current(null))
            {
                var key = (c.TenantId, c.Service, c.Check);
                var had = _checks.TryGetValue(key, out var before);
                if (!had || before != c.Status)
                {
                    _checks[key] = c.Status;
                    changed.Add(new HealthEvent(c.Service, "health_check", c.Check, State(c.Status), had ? State(before) : null, c.TenantId, c.Message,
                        DateTimeOffset.FromUnixTimeMilliseconds(c.LastTimestampMs)));
                }
            }
        }

        foreach (var e in changed)
        {
            await SendAsync(e.TenantId, "health", e);
        }
    }

    private async Task OnScrapesAsync(IReadOnlyList<ScrapeTargetStatus> statuses)
    {
        var changed = new List<HealthEvent>();
        lock (_gate)
        {
            foreach (var s in statuses.Where(s => s.Health != ScrapeHealth.Unknown))
            {
                var had = _targets.TryGetValue(s.Target.Key, out var before);
                if (!had || before != s.Health)
                {
                    _targets[s.Target.Key] = s.Health;
                    changed.Add(new HealthEvent(s.Target.Key.Job, "scrape", s.Target.Key.Instance, State(s.Health), had ? State(before) : null,
                        s.Target.TenantId, s.LastError, s.LastScrape ?? time.GetUtcNow()));
                }
            }
        }

        foreach (var e in changed)
        {
            await SendAsync(e.TenantId, "health", e);
        }
    }

    private async Task SendAsync(string? tenantId, string method, object message)
    {
        try
        {
            await hub.Clients.Group(LiveGroups.All).SendAsync(method, message);
            if (tenantId is not null && tenantId != TenantIds.Default)
            {
                await hub.Clients.Group(LiveGroups.For(tenantId)).SendAsync(method, message);
            }
        }
#pragma warning disable CA1031 // a failed push must not break the publisher (alerting, the scrape loop)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex);
        }
    }

    private static string State(ScrapeHealth health) => health == ScrapeHealth.Up ? "up" : "down";

    private static string State(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "up",
        HealthStatus.Degraded => "degraded",
        _ => "down",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending live events failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
