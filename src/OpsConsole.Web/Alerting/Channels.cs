using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OpsConsole.Core.Alerting;

namespace OpsConsole.Web.Alerting;

/// <summary>Builds the configured channels.</summary>
public static class NotificationChannels
{
    public static INotificationChannel Create(ChannelOptions options, HttpClient http) => options.Type switch
    {
        "webhook" => new WebhookChannel(options.Name, new Uri(options.Url!), http),
        "slack" => new SlackChannel(options.Name, new Uri(options.Url!), http),
        "pagerduty" => new PagerDutyChannel(options.Name, options.RoutingKey!, new Uri(options.Url ?? PagerDutyChannel.EventsApi), http),
        "email" => new EmailChannel(options),
        _ => throw new InvalidOperationException($"unknown channel type {options.Type}"),
    };

    /// <summary>Alertmanager's time format; the zero time for "not set".</summary>
    internal static string Time(DateTimeOffset? t) =>
        t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : "0001-01-01T00:00:00Z";

    internal static string Title(Notification n) =>
        $"[{n.Status.ToUpperInvariant()}{(n.Status == "firing" ? ":" + n.Firing.Count : "")}] {string.Join(" ", n.GroupLabels.Values)}";

    internal static async Task<ChannelResponse> PostAsync(HttpClient http, Uri url, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(url, body, PayloadJson, ct);
        if (response.IsSuccessStatusCode)
        {
            return new ChannelResponse(true, (int)response.StatusCode);
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        var code = (int)response.StatusCode;
        // As Alertmanager: server errors and 429 are worth another try; other client errors are not.
        return new ChannelResponse(false, code, $"HTTP {code} {response.ReasonPhrase}: {(text.Length > 300 ? text[..300] : text)}".TrimEnd(' ', ':'),
            Retryable: code >= 500 || code == 429);
    }

    internal static readonly JsonSerializerOptions PayloadJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>Alertmanager's webhook: the JSON of version "4", POSTed to the URL.</summary>
public sealed class WebhookChannel(string name, Uri url, HttpClient http) : INotificationChannel
{
    public string Name => name;

    public string Type => "webhook";

    public bool SupportsAcknowledge => false;

    public Task<ChannelResponse> SendAsync(Notification notification, CancellationToken ct) => NotificationChannels.PostAsync(http, url, Payload(notification), ct);

    public static Dictionary<string, object> Payload(Notification n) => new()
    {
        ["version"] = "4",
        ["groupKey"] = n.GroupKey,
        ["truncatedAlerts"] = 0,
        ["status"] = n.Status,
        ["receiver"] = n.Receiver,
        ["groupLabels"] = n.GroupLabels,
        ["commonLabels"] = n.CommonLabels,
        ["commonAnnotations"] = n.CommonAnnotations,
        ["externalURL"] = n.ExternalUrl,
        ["alerts"] = n.Alerts.Select(a => new Dictionary<string, object>
        {
            ["status"] = a.State == AlertState.Resolved ? "resolved" : "firing",
            ["labels"] = a.Labels.Labels.ToDictionary(l => l.Key, l => l.Value),
            ["annotations"] = a.Annotations,
            ["startsAt"] = NotificationChannels.Time(a.StartsAt),
            ["endsAt"] = NotificationChannels.Time(a.State == AlertState.Resolved ? a.ResolvedAt : null),
            ["generatorURL"] = Absolute(n.ExternalUrl, a.GeneratorUrl),
            ["fingerprint"] = a.Fingerprint,
        }).ToList(),
    };

    internal static string Absolute(string externalUrl, string url) => url.StartsWith('/') ? externalUrl + url : url;
}

/// <summary>A Slack incoming webhook: a message with one attachment coloured by status.</summary>
public sealed class SlackChannel(string name, Uri url, HttpClient http) : INotificationChannel
{
    public string Name => name;

    public string Type => "slack";

    public bool SupportsAcknowledge => false;

    public Task<ChannelResponse> SendAsync(Notification notification, CancellationToken ct) => NotificationChannels.PostAsync(http, url, Payload(notification), ct);

    public static object Payload(Notification n)
    {
        var lines = new StringBuilder();
        foreach (var a in n.Alerts)
        {
            lines.Append(a.State == AlertState.Resolved ? ":white_check_mark: " : ":fire: ")
                .Append('*').Append(a.Name).Append('*');
            if (a.Annotations.TryGetValue("summary", out var summary))
            {
                lines.Append(" — ").Append(summary);
            }

            lines.Append(" (").AppendJoin(", ", a.Labels.Labels.Where(l => l.Key != AlertLabels.AlertName).Select(l => $"{l.Key}={l.Value}")).Append(")\n");
        }

        var title = NotificationChannels.Title(n);
        var critical = n.Firing.Any(a => a.Severity == "critical");
        return new
        {
            text = title,
            attachments = new[]
            {
                new
                {
                    color = n.Status == "resolved" ? "good" : critical ? "danger" : "warning",
                    title,
                    title_link = n.ExternalUrl + "/alerts",
                    text = lines.ToString().TrimEnd(),
                    fallback = title,
                },
            },
        };
    }
}

/// <summary>PagerDuty Events API v2: trigger, acknowledge and resolve one incident per alert group (dedup key from the group key).</summary>
public sealed class PagerDutyChannel(string name, string routingKey, Uri url, HttpClient http) : INotificationChannel
{
    public const string EventsApi = "https://events.pagerduty.com/v2/enqueue";

    public string Name => name;

    public string Type => "pagerduty";

    public bool SupportsAcknowledge => true;

    public Task<ChannelResponse> SendAsync(Notification notification, CancellationToken ct) =>
        NotificationChannels.PostAsync(http, url, Payload(notification, routingKey), ct);

    public static string DedupKey(string groupKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(groupKey)));

    public static Dictionary<string, object> Payload(Notification n, string routingKey)
    {
        var action = n.Event switch
        {
            "acknowledge" => "acknowledge",
            _ when n.Status == "resolved" => "resolve",
            _ => "trigger",
        };
        var body = new Dictionary<string, object>
        {
            ["routing_key"] = routingKey,
            ["event_action"] = action,
            ["dedup_key"] = DedupKey(n.GroupKey),
        };
        if (action == "trigger")
        {
            var severity = n.Firing.Select(a => a.Severity).FirstOrDefault(s => s is "critical" or "error" or "warning" or "info") ?? "critical";
            body["payload"] = new Dictionary<string, object>
            {
                ["summary"] = NotificationChannels.Title(n) is { Length: > 1024 } t ? t[..1024] : NotificationChannels.Title(n),
                ["source"] = "OpsConsole",
                ["severity"] = severity,
                ["timestamp"] = NotificationChannels.Time(n.Firing.Min(a => a.StartsAt)),
                ["custom_details"] = new Dictionary<string, object>
                {
                    ["firing"] = n.Firing.Select(a => a.Labels.ToString()).ToList(),
                    ["num_firing"] = n.Firing.Count,
                },
            };
            body["client"] = "OpsConsole";
            body["client_url"] = n.ExternalUrl + "/alerts";
        }

        return body;
    }
}

/// <summary>Email over SMTP (MailKit): one message per notification to every address in <see cref="ChannelOptions.To"/>.</summary>
public sealed class EmailChannel(ChannelOptions options) : INotificationChannel
{
    public string Name => options.Name;

    public string Type => "email";

    public bool SupportsAcknowledge => false;

    public async Task<ChannelResponse> SendAsync(Notification notification, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From ?? ""));
        foreach (var to in options.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = NotificationChannels.Title(notification);
        var body = new StringBuilder();
        foreach (var a in notification.Alerts)
        {
            body.Append(a.State == AlertState.Resolved ? "RESOLVED " : "FIRING ").AppendLine(a.Labels.ToString());
            foreach (var (key, value) in a.Annotations)
            {
                body.Append("  ").Append(key).Append(": ").AppendLine(value);
            }

            body.Append("  since ").AppendLine(NotificationChannels.Time(a.StartsAt));
        }

        body.AppendLine().Append("Open the console: ").AppendLine(notification.ExternalUrl + "/alerts");
        message.Body = new TextPart("plain") { Text = body.ToString() };
        using var client = new SmtpClient();
        try
        {
            var security = options.SmtpSecurity switch
            {
                "none" => SecureSocketOptions.None,
                "tls" => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTlsWhenAvailable,
            };
            await client.ConnectAsync(options.SmtpHost ?? "", options.SmtpPort, security, ct);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? "", ct);
            }

            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
            return new ChannelResponse(true);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            return new ChannelResponse(false, code, $"SMTP {code}: {e.Message}", Retryable: code < 500);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or AuthenticationException)
        {
            return new ChannelResponse(false, null, "SMTP: " + e.Message);
        }
    }
}
