using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Core.Alerting;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Settings;

/// <summary>
/// Routes, receivers, inhibition rules, escalation policies and channels of the alerting configuration document in
/// force. Everyone who may open it reads them (secrets masked); admins edit a section as JSON or a channel in a form,
/// and every save is validated, versioned, audited and applied at once by <see cref="AlertingConfigService"/>.
/// Admins can send a test notification through a channel and see how its delivery went.
/// </summary>
public sealed partial class NotificationSettings
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly (string Key, string Title)[] Sections =
        [("routes", "Routes"), ("receivers", "Receivers"), ("inhibitRules", "Inhibition rules"), ("escalations", "Escalation policies")];

    private string? _editingSection;
    private string _sectionJson = "";
    private string? _jsonError;
    private ChannelOptions? _channel;
    private int? _channelIndex;
    private string _to = "";
    private Dictionary<string, string[]> _errors = [];
    private readonly Dictionary<string, (bool Ok, string Text)> _testResults = new(StringComparer.Ordinal);
    private string? _testing;
    private bool _busy;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;

    [Parameter] public bool CanEdit { get; set; }

    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = default!;

    [Inject] private AlertingConfigService Config { get; set; } = default!;

    [Inject] private Notifier Notifier { get; set; } = default!;

    [Inject] private IAlertingRepository Repository { get; set; } = default!;

    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [Inject] private Auditing.AuditTrail Audit { get; set; } = default!;

    /// <summary>The fingerprint of the alert a test notification carries (see <see cref="Notifier.SendTestAsync"/>).</summary>
    private static readonly string TestFingerprint =
        Alert.FingerprintOf(Domain.Telemetry.LabelSet.From(("alertname", "OpsConsoleTestNotification"), ("severity", "info")));

    private static string Target(ChannelOptions c) => c.Type switch
    {
        "email" => $"{string.Join(", ", c.To)} via {c.SmtpHost}:{c.SmtpPort}",
        "pagerduty" => $"routing key {c.RoutingKey}" + (c.Url is null ? "" : $" · {c.Url}"),
        _ => c.Url ?? "",
    };

    private void EditSection(string key)
    {
        var doc = AlertingConfigService.Masked(Config.Current.Document);
        object section = key switch
        {
            "routes" => doc.Route,
            "receivers" => doc.Receivers,
            "inhibitRules" => doc.InhibitRules,
            _ => doc.Escalations,
        };
        _sectionJson = JsonSerializer.Serialize(section, Json);
        _jsonError = null;
        _errors = [];
        _channel = null;
        _editingSection = key;
    }

    private async Task SaveSectionAsync()
    {
        if (!CanEdit || _editingSection is not { } key)
        {
            return;
        }

        var doc = AlertingConfigService.Masked(Config.Current.Document);
        try
        {
            switch (key)
            {
                case "routes":
                    doc.Route = JsonSerializer.Deserialize<Web.Alerting.RouteOptions>(_sectionJson, Json) ?? throw new JsonException("the routing tree cannot be null");
                    break;
                case "receivers":
                    doc.Receivers = JsonSerializer.Deserialize<List<ReceiverOptions>>(_sectionJson, Json) ?? [];
                    break;
                case "inhibitRules":
                    doc.InhibitRules = JsonSerializer.Deserialize<List<InhibitRuleOptions>>(_sectionJson, Json) ?? [];
                    break;
                default:
                    doc.Escalations = JsonSerializer.Deserialize<List<EscalationOptions>>(_sectionJson, Json) ?? [];
                    break;
            }
        }
        catch (JsonException e)
        {
            _jsonError = e.LineNumber is { } line ? $"Not valid JSON at line {line + 1}, position {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}" : "Not valid JSON: " + FirstSentence(e.Message);
            return;
        }

        _jsonError = null;
        if (await SaveAsync(doc))
        {
            _editingSection = null;
        }
    }

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0];

    private void EditChannel(int? index)
    {
        var doc = AlertingConfigService.Masked(Config.Current.Document);
        _channelIndex = index;
        _channel = index is { } i ? doc.Channels[i] : new ChannelOptions { Type = "webhook" };
        _to = string.Join(", ", _channel.To);
        _errors = [];
        _editingSection = null;
    }

    /// <summary>The problems of the channel being edited, by its field (<c>url</c>, <c>routingKey</c>, …).</summary>
    private string? ErrorOf(string field)
    {
        var prefix = $"channels[{_channelIndex ?? Config.Current.Document.Channels.Count}]";
        return _errors.TryGetValue($"{prefix}.{field}", out var messages) ? string.Join("; ", messages) : null;
    }

    private bool HasError(string field) => ErrorOf(field) is not null;

    private List<string> ChannelLevelErrors()
    {
        var prefix = $"channels[{_channelIndex ?? Config.Current.Document.Channels.Count}]";
        return [.. _errors.Where(e => e.Key == prefix).SelectMany(e => e.Value)];
    }

    private async Task SaveChannelAsync()
    {
        if (!CanEdit || _channel is null)
        {
            return;
        }

        var doc = AlertingConfigService.Masked(Config.Current.Document);
        _channel.To = [.. _to.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        _channel.Url = string.IsNullOrWhiteSpace(_channel.Url) ? null : _channel.Url.Trim();
        string? renamedFrom = null;
        if (_channelIndex is { } i)
        {
            renamedFrom = doc.Channels[i].Name != _channel.Name ? doc.Channels[i].Name : null;
            doc.Channels[i] = _channel;
        }
        else
        {
            doc.Channels.Add(_channel);
        }

        // A renamed channel stays in the receivers and escalation steps that used it.
        if (renamedFrom is not null)
        {
            foreach (var list in doc.Receivers.Select(r => r.Channels).Concat(doc.Escalations.SelectMany(e => e.Steps).Select(s => s.Channels)))
            {
                for (var j = 0; j < list.Count; j++)
                {
                    list[j] = list[j] == renamedFrom ? _channel.Name : list[j];
                }
            }
        }

        if (await SaveAsync(doc))
        {
            _channel = null;
        }
    }

    private async Task DeleteChannelAsync(int index)
    {
        if (!CanEdit)
        {
            return;
        }

        var doc = AlertingConfigService.Masked(Config.Current.Document);
        var name = doc.Channels[index].Name;
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete channel", $"Delete the channel {name}? Notifications stop going there.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        doc.Channels.RemoveAt(index);
        _channel = null;
        _channelIndex = index; // its errors (e.g. still used by a receiver) are shown at the top
        await SaveAsync(doc);
    }

    private async Task<bool> SaveAsync(AlertingConfigDocument doc)
    {
        _busy = true;
        try
        {
            var result = await Config.SaveAsync(doc, User, Config.Current.Version, null, CancellationToken.None);
            if (result.Saved is { } saved)
            {
                _errors = [];
                _message = $"Saved as version {saved.Version}; notifications use it now.";
                _messageSeverity = Severity.Success;
                return true;
            }

            _errors = result.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            _message = result.Conflict ? "Someone else saved meanwhile; reload the page and edit again." : null;
            _messageSeverity = Severity.Warning;
            return false;
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>Sends a test notification through <paramref name="channel"/> and shows how the delivery went (from the delivery log).</summary>
    private async Task TestAsync(string channel)
    {
        if (!CanEdit)
        {
            return;
        }

        _testing = channel;
        try
        {
            if (!Notifier.Channels.ContainsKey(channel))
            {
                _testResults[channel] = (false, $"The channel {channel} is not in force; save the configuration first.");
                return;
            }

            var delivered = await Notifier.SendTestAsync(channel, User.GetActor(), CancellationToken.None);
            await Audit.RecordAsync(User, "notifications.test", "channel", channel, after: new { delivered });
            var record = (await Repository.DeliveriesAsync([TestFingerprint], 20, CancellationToken.None))
                .Where(d => d.Channel == channel && d.Event == "test").MaxBy(d => d.Id);
            var detail = record is null ? "" : $" ({(record.StatusCode is { } code ? $"status {code}, " : "")}attempt {record.Attempt}, {record.Duration.TotalMilliseconds:0} ms){(record.Error is { Length: > 0 } error ? ": " + error : "")}";
            _testResults[channel] = (delivered, (delivered ? "Delivered" : "Not delivered") + detail);
        }
        finally
        {
            _testing = null;
        }
    }
}
