using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.LiveEvents;
using OpsConsole.Web.LiveEvents;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>The console on the real clock with live events every 200 ms, for the hub's tests.</summary>
public sealed class LiveHubConsoleFactory : OpsConsoleFactory
{
    protected override bool UseFakeClock => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LiveEvents:Interval"] = "00:00:00.2" };
}

/// <summary><c>/hubs/live</c> through the SignalR .NET client against the real console (TestServer).</summary>
public sealed class LiveHubTests(LiveHubConsoleFactory factory) : IClassFixture<LiveHubConsoleFactory>
{
    /// <summary>What one connection received, by method.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        public required HubConnection Connection { get; init; }

        public ConcurrentQueue<HealthEvent> Health { get; } = new();

        public ConcurrentQueue<IngestRateEvent> Ingest { get; } = new();

        public ConcurrentQueue<AlertEvent> Alerts { get; } = new();

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    private HubConnection Connect(string? apiKey, HttpTransportType transport) => new HubConnectionBuilder()
        .WithUrl(new Uri(factory.Server.BaseAddress, LiveHub.Path), o =>
        {
            o.Transports = transport;
            o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
            o.WebSocketFactory = async (context, ct) =>
            {
                var client = factory.Server.CreateWebSocketClient();
                if (apiKey is not null)
                {
                    client.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + apiKey;
                }

                return await client.ConnectAsync(context.Uri, ct);
            };
            if (apiKey is not null)
            {
                o.Headers["Authorization"] = "Bearer " + apiKey;
            }
        })
        .Build();

    private async Task<Listener> ListenAsync(string apiKey, HttpTransportType transport = HttpTransportType.LongPolling)
    {
        var listener = new Listener { Connection = Connect(apiKey, transport) };
        listener.Connection.On<HealthEvent>("health", listener.Health.Enqueue);
        listener.Connection.On<IngestRateEvent>("ingest", listener.Ingest.Enqueue);
        listener.Connection.On<AlertEvent>("alert", listener.Alerts.Enqueue);
        await listener.Connection.StartAsync();
        return listener;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static AlertEvent Alert(string name, string? tenant) => new(
        "firing", name, Guid.NewGuid().ToString("N"), "critical", tenant,
        new Dictionary<string, string> { ["alertname"] = name, ["tenant_id"] = tenant ?? "" }, $"{name} is firing",
        DateTimeOffset.UtcNow, null, DateTimeOffset.UtcNow);

    [Theory]
    [InlineData(HttpTransportType.LongPolling)]
    [InlineData(HttpTransportType.WebSockets)]
    public async Task Anonymous_IsRefused(HttpTransportType transport)
    {
        await using var connection = Connect(apiKey: null, transport);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task AKeyWithoutADashboardRole_IsRefused()
    {
        await using var connection = Connect(DemoAccounts.IngestKey, HttpTransportType.LongPolling);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData(HttpTransportType.LongPolling)]
    [InlineData(HttpTransportType.WebSockets)]
    public async Task Events_ReachEveryoneWhoMaySeeThem_AndATenantAdminOnlyTheirTenants(HttpTransportType transport)
    {
        var operatorKey = await factory.CreateKeyAsync($"live-operator-{transport}", "role", "Operator");
        var acmeKey = await factory.CreateKeyAsync($"live-acme-{transport}", "role", "TenantAdmin", "acme");
        var globexKey = await factory.CreateKeyAsync($"live-globex-{transport}", "role", "TenantAdmin", "globex");
        await using var op = await ListenAsync(operatorKey, transport);
        await using var acme = await ListenAsync(acmeKey, transport);
        await using var globex = await ListenAsync(globexKey, transport);
        var alerts = factory.Services.GetRequiredService<IAlertEventPublisher>();
        var check = $"db-{transport}";

        // acme reports a failing check and metrics (the ingest key is bound to acme).
        using var ingest = factory.CreateApiClient(DemoAccounts.IngestKey);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var posted = await ingest.PostAsync("/api/v1/monitoring/health-checks", Json(
            $"{{\"checks\":[{{\"service\":\"rag-service\",\"check\":\"{check}\",\"status\":\"unhealthy\",\"message\":\"connection refused\",\"timestamp\":{now}}}]}}")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        using (var posted = await ingest.PostAsync("/api/v1/monitoring/metrics", Json(
            $"{{\"metrics\":[{{\"name\":\"live_orders_total\",\"labels\":{{\"service\":\"shop\"}},\"value\":1,\"timestamp\":{now}}},{{\"name\":\"live_orders_total\",\"labels\":{{\"service\":\"cart\"}},\"value\":2,\"timestamp\":{now}}}]}}")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        alerts.Publish(Alert("AcmeErrorBurst", "acme"));

        await Until(() => acme.Alerts.Any(a => a.AlertName == "AcmeErrorBurst") && op.Alerts.Any(a => a.AlertName == "AcmeErrorBurst"), "acme's alert at acme's admin and the operator");
        await Until(() => acme.Health.Any(h => h.Check == check) && op.Health.Any(h => h.Check == check), "the failing check at acme's admin and the operator");
        await Until(() => acme.Ingest.Any(e => e.Rates.Any(r => r.Signal == "samples" && r.TenantId == "acme")), "acme's ingest rate at acme's admin");
        await Until(() => op.Ingest.Any(e => e.Rates.Any(r => r.Signal == "samples" && r.TenantId == "acme")), "acme's ingest rate at the operator");

        var health = acme.Health.First(h => h.Check == check);
        Assert.Equal(("rag-service", "health_check", "down", "acme", "connection refused"), (health.Service, health.Source, health.State, health.TenantId, health.Detail));
        var alert = acme.Alerts.First(a => a.AlertName == "AcmeErrorBurst");
        Assert.Equal(("firing", "critical", "acme", "AcmeErrorBurst is firing"), (alert.State, alert.Severity, alert.TenantId, alert.Summary));

        // globex hears its own alert (published after acme's, on the same connection order) and nothing of acme's.
        alerts.Publish(Alert("GlobexQuota", "globex"));
        await Until(() => globex.Alerts.Any(a => a.AlertName == "GlobexQuota"), "globex's alert at globex's admin");
        Assert.DoesNotContain(globex.Alerts, a => a.TenantId != "globex");
        Assert.DoesNotContain(globex.Health, h => h.TenantId != "globex");
        Assert.DoesNotContain(globex.Ingest.SelectMany(e => e.Rates), r => r.TenantId != "globex");
        Assert.DoesNotContain(acme.Alerts, a => a.AlertName == "GlobexQuota");
        Assert.DoesNotContain(acme.Ingest.SelectMany(e => e.Rates), r => r.TenantId != "acme");
    }

    [Fact]
    public async Task AnAlertRaisedThroughAlerting_ReachesTheHub_AndATenantsAlertOnlyThatTenant()
    {
        var operatorKey = await factory.CreateKeyAsync("live-alerting-operator", "role", "Operator");
        var acmeKey = await factory.CreateKeyAsync("live-alerting-acme", "role", "TenantAdmin", "acme");
        var globexKey = await factory.CreateKeyAsync("live-alerting-globex", "role", "TenantAdmin", "globex");
        await using var op = await ListenAsync(operatorKey);
        await using var acme = await ListenAsync(acmeKey);
        await using var globex = await ListenAsync(globexKey);

        // An external alert through Alertmanager's API: a platform alert (the operator has no tenant).
        using var client = factory.CreateApiClient(operatorKey);
        using (var posted = await client.PostAsync("/api/v2/alerts", Json(
            "[{\"labels\":{\"alertname\":\"LiveHubProbe\",\"severity\":\"warning\"},\"annotations\":{\"summary\":\"probe is firing\"}}]")))
        {
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        }

        await Until(() => op.Alerts.Any(a => a.AlertName == "LiveHubProbe"), "the posted alert at the operator");
        var fired = op.Alerts.First(a => a.AlertName == "LiveHubProbe");
        Assert.Equal(("firing", "warning", null, "probe is firing"), (fired.State, fired.Severity, fired.TenantId, fired.Summary));

        // A rule alert on acme's data, as the alert store announces it to its observers.
        var observer = factory.Services.GetServices<Core.Alerting.IAlertObserver>().OfType<AlertEventForwarder>().Single();
        var at = DateTimeOffset.UtcNow;
        var acmeAlert = new Core.Alerting.Alert
        {
            Id = Core.Alerting.Alert.NewId(),
            Labels = Domain.Telemetry.LabelSet.From(("alertname", "AcmeQualityDrop"), ("severity", "critical"), ("tenant_id", "acme")),
            State = Core.Alerting.AlertState.Firing,
            Origin = Core.Alerting.AlertOrigin.Rule,
            ActiveAt = at,
            FiredAt = at,
            UpdatedAt = at,
            TenantId = "acme",
        };
        observer.AlertsChanged([new Core.Alerting.AlertChange(null, acmeAlert, Core.Alerting.AlertChange.Firing)]);
        observer.AlertsChanged([new Core.Alerting.AlertChange(null, acmeAlert with { TenantId = "globex", Labels = Domain.Telemetry.LabelSet.From(("alertname", "GlobexProbe"), ("tenant_id", "globex")) }, Core.Alerting.AlertChange.Firing)]);

        await Until(() => acme.Alerts.Any(a => a.AlertName == "AcmeQualityDrop") && globex.Alerts.Any(a => a.AlertName == "GlobexProbe"), "each tenant's alert at its admin");
        Assert.Equal(("firing", "critical", "acme"), (acme.Alerts.First().State, acme.Alerts.First().Severity, acme.Alerts.First().TenantId));
        Assert.Equal(["AcmeQualityDrop"], acme.Alerts.Select(a => a.AlertName)); // not the platform's, not globex's
        Assert.Equal(["GlobexProbe"], globex.Alerts.Select(a => a.AlertName));
        await Until(() => op.Alerts.Any(a => a.AlertName == "GlobexProbe"), "every alert at the operator");
    }

    [Fact]
    public void Publish_AnUnknownState_IsRefused()
    {
        var alerts = factory.Services.GetRequiredService<IAlertEventPublisher>();

        var refused = Assert.Throws<ArgumentException>(() => alerts.Publish(Alert("X", null) with { State = "exploded" }));

        Assert.Contains("must be one of pending, firing, resolved, acknowledged, unacknowledged, silenced", refused.Message, StringComparison.Ordinal);
    }
}
