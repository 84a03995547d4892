using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Alerting;

namespace OpsConsole.Web.Tests.Alerting;

/// <summary>Each channel against a real receiver on a loopback port: the payload field by field, retries, the delivery log.</summary>
public sealed class ChannelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly HttpClient Http = new();

    private static Alert Firing(string service, string severity = "critical") => new()
    {
        Id = Alert.NewId(),
        Labels = LabelSet.From(("alertname", "ServiceDown"), ("service", service), ("severity", severity)),
        Annotations = new Dictionary<string, string> { ["summary"] = service + " is down" },
        State = AlertState.Firing,
        Origin = AlertOrigin.Rule,
        ActiveAt = T0,
        FiredAt = T0.AddMinutes(1),
        UpdatedAt = T0.AddMinutes(1),
        GeneratorUrl = "/alerts?rule=ServiceDown",
    };

    private static Notification Notification(string @event, params Alert[] alerts) =>
        new("0:{alertname=\"ServiceDown\"}", "team", @event, new Dictionary<string, string> { ["alertname"] = "ServiceDown" }, alerts, "http://console:5080");

    [Fact]
    public async Task Webhook_FiringAndResolved_AlertmanagerWebhookJsonVersion4()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var channel = NotificationChannels.Create(new ChannelOptions { Name = "hook", Type = "webhook", Url = receiver.Url + "/hook" }, Http);
        var rag = Firing("rag");
        var agent = Firing("agent") with { State = AlertState.Resolved, ResolvedAt = T0.AddMinutes(7) };

        var response = await channel.SendAsync(Notification("firing", rag, agent), default);

        Assert.True(response.Delivered);
        var (path, body) = Assert.Single(receiver.Received);
        Assert.Equal("/hook", path);
        Assert.Equal(["version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels", "commonAnnotations", "externalURL", "alerts"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("4", "firing", "team", "http://console:5080"), (body.GetProperty("version").GetString(), body.GetProperty("status").GetString(),
            body.GetProperty("receiver").GetString(), body.GetProperty("externalURL").GetString()));
        Assert.Equal("0:{alertname=\"ServiceDown\"}", body.GetProperty("groupKey").GetString());
        Assert.Equal("{\"alertname\":\"ServiceDown\",\"severity\":\"critical\"}", body.GetProperty("commonLabels").GetRawText());
        Assert.Equal("{}", body.GetProperty("commonAnnotations").GetRawText());
        var first = body.GetProperty("alerts")[0];
        Assert.Equal(["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("firing", "2026-11-02T09:01:00Z", "0001-01-01T00:00:00Z", "http://console:5080/alerts?rule=ServiceDown", rag.Fingerprint),
            (first.GetProperty("status").GetString(), first.GetProperty("startsAt").GetString(), first.GetProperty("endsAt").GetString(),
             first.GetProperty("generatorURL").GetString(), first.GetProperty("fingerprint").GetString()));
        var second = body.GetProperty("alerts")[1];
        Assert.Equal(("resolved", "2026-11-02T09:07:00Z"), (second.GetProperty("status").GetString(), second.GetProperty("endsAt").GetString()));
    }

    [Fact]
    public async Task Slack_Firing_IncomingWebhookMessageWithColouredAttachment()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var channel = NotificationChannels.Create(new ChannelOptions { Name = "slack", Type = "slack", Url = receiver.Url + "/services/T0/B0/x" }, Http);

        Assert.True((await channel.SendAsync(Notification("firing", Firing("rag")), default)).Delivered);

        var body = Assert.Single(receiver.Received).Body;
        Assert.Equal("[FIRING:1] ServiceDown", body.GetProperty("text").GetString());
        var attachment = body.GetProperty("attachments")[0];
        Assert.Equal(("danger", "http://console:5080/alerts"), (attachment.GetProperty("color").GetString(), attachment.GetProperty("title_link").GetString()));
        Assert.Contains("*ServiceDown* — rag is down (service=rag, severity=critical)", attachment.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PagerDuty_TriggerAcknowledgeResolve_SameDedupKey()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var channel = NotificationChannels.Create(new ChannelOptions { Name = "pd", Type = "pagerduty", RoutingKey = "R0UTINGKEY", Url = receiver.Url + "/v2/enqueue" }, Http);
        var alert = Firing("rag");

        await channel.SendAsync(Notification("firing", alert), default);
        await channel.SendAsync(Notification("acknowledge", alert), default);
        await channel.SendAsync(Notification("resolved", alert with { State = AlertState.Resolved, ResolvedAt = T0.AddMinutes(9) }), default);

        var bodies = receiver.Received.Select(r => r.Body).ToList();
        Assert.Equal(["trigger", "acknowledge", "resolve"], bodies.Select(b => b.GetProperty("event_action").GetString()));
        Assert.Single(bodies.Select(b => b.GetProperty("dedup_key").GetString()).Distinct());
        Assert.All(bodies, b => Assert.Equal("R0UTINGKEY", b.GetProperty("routing_key").GetString()));
        var payload = bodies[0].GetProperty("payload");
        Assert.Equal(("[FIRING:1] ServiceDown", "OpsConsole", "critical", "2026-11-02T09:01:00Z"), (payload.GetProperty("summary").GetString(),
            payload.GetProperty("source").GetString(), payload.GetProperty("severity").GetString(), payload.GetProperty("timestamp").GetString()));
        Assert.False(bodies[1].TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task Email_Firing_SentOverSmtpToEveryRecipient()
    {
        await using var smtp = new SmtpReceiver();
        var channel = NotificationChannels.Create(new ChannelOptions
        {
            Name = "mail", Type = "email", SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, SmtpSecurity = "none",
            From = "opsconsole@example.com", To = ["oncall@example.com", "lead@example.com"],
        }, Http);

        var response = await channel.SendAsync(Notification("firing", Firing("rag")), default);

        Assert.True(response.Delivered, response.Error);
        var (from, to, data) = Assert.Single(smtp.Messages);
        Assert.Equal("<opsconsole@example.com>", from);
        Assert.Equal(["<oncall@example.com>", "<lead@example.com>"], to);
        Assert.True(data.Contains("Subject: [FIRING:1] ServiceDown", StringComparison.Ordinal), data);
        Assert.Contains("FIRING {alertname=\"ServiceDown\", service=\"rag\", severity=\"critical\"}", data, StringComparison.Ordinal);
        Assert.Contains("summary: rag is down", data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_NoServer_FailsWithTheReason()
    {
        var port = new SmtpReceiver();
        var closed = port.Port;
        await port.DisposeAsync();
        var channel = NotificationChannels.Create(new ChannelOptions
        {
            Name = "mail", Type = "email", SmtpHost = "127.0.0.1", SmtpPort = closed, SmtpSecurity = "none", From = "a@example.com", To = ["b@example.com"],
        }, Http);

        var response = await channel.SendAsync(Notification("firing", Firing("rag")), default);

        Assert.False(response.Delivered);
        Assert.StartsWith("SMTP: ", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_ReceiverFailsThenRecovers_RetriedAndEveryAttemptLogged()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Status.Enqueue(503);
        receiver.Status.Enqueue(500);
        var repository = new InMemoryAlertingRepository();
        var runner = new DeliveryRunner(repository, TimeProvider.System, new DeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) });
        var channel = NotificationChannels.Create(new ChannelOptions { Name = "hook", Type = "webhook", Url = receiver.Url + "/hook" }, Http);

        Assert.True(await runner.DeliverAsync(channel, Notification("firing", Firing("rag")), default));

        var log = (await repository.DeliveriesAsync(null, 10, default)).OrderBy(d => d.Attempt).ToList();
        Assert.Equal([("retrying", (int?)503), ("retrying", 500), ("delivered", 202)], log.Select(d => (d.Status, d.StatusCode)));
        Assert.StartsWith("HTTP 503", log[0].Error, StringComparison.Ordinal);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task Delivery_ClientError_NotRetried()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Status.Enqueue(400);
        var repository = new InMemoryAlertingRepository();
        var runner = new DeliveryRunner(repository, TimeProvider.System, new DeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) });
        var channel = NotificationChannels.Create(new ChannelOptions { Name = "hook", Type = "webhook", Url = receiver.Url + "/hook" }, Http);

        Assert.False(await runner.DeliverAsync(channel, Notification("firing", Firing("rag")), default));

        Assert.Equal(("failed", (int?)400), Assert.Single(await repository.DeliveriesAsync(null, 10, default)) is var d ? (d.Status, d.StatusCode) : default);
    }

    [Fact]
    public async Task Delivery_ReceiverTooSlow_TimesOutAndSaysSo()
    {
        var slow = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0); // accepts, never answers
        slow.Start();
        try
        {
            var repository = new InMemoryAlertingRepository();
            var runner = new DeliveryRunner(repository, TimeProvider.System, new DeliveryOptions { MaxAttempts = 1, Timeout = TimeSpan.FromMilliseconds(300) });
            var channel = NotificationChannels.Create(new ChannelOptions { Name = "hook", Type = "webhook", Url = $"http://127.0.0.1:{((System.Net.IPEndPoint)slow.LocalEndpoint).Port}/" }, Http);

            Assert.False(await runner.DeliverAsync(channel, Notification("firing", Firing("rag")), default));

            Assert.Equal("timed out after 0.3 s", Assert.Single(await repository.DeliveriesAsync(null, 10, default)).Error);
        }
        finally
        {
            slow.Stop();
        }
    }
}
