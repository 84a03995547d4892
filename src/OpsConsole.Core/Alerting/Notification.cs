namespace OpsConsole.Core.Alerting;

/// <summary>What a channel is asked to send: one group's alerts (firing and just resolved) and why.</summary>
public sealed record Notification(
    string GroupKey, string Receiver, string Event, IReadOnlyDictionary<string, string> GroupLabels, IReadOnlyList<Alert> Alerts, string ExternalUrl)
{
    /// <summary><c>firing</c> while any alert of the group fires, else <c>resolved</c>.</summary>
    public string Status => Alerts.Any(a => a.State != AlertState.Resolved) ? "firing" : "resolved";

    public IReadOnlyList<Alert> Firing => [.. Alerts.Where(a => a.State != AlertState.Resolved)];

    /// <summary>The labels every alert has with the same value.</summary>
    public IReadOnlyDictionary<string, string> CommonLabels => Common(Alerts.Select(a => (IEnumerable<KeyValuePair<string, string>>)a.Labels.Labels));

    public IReadOnlyDictionary<string, string> CommonAnnotations => Common(Alerts.Select(a => (IEnumerable<KeyValuePair<string, string>>)a.Annotations));

    private static Dictionary<string, string> Common(IEnumerable<IEnumerable<KeyValuePair<string, string>>> sets)
    {
        Dictionary<string, string>? common = null;
        foreach (var set in sets)
        {
            var here = set.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
            if (common is null)
            {
                common = here;
                continue;
            }

            foreach (var key in common.Keys.ToList())
            {
                if (!here.TryGetValue(key, out var v) || v != common[key])
                {
                    common.Remove(key);
                }
            }
        }

        return common ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }
}

/// <summary>How one attempt went: delivered, or the error and whether trying again may help.</summary>
public sealed record ChannelResponse(bool Delivered, int? StatusCode = null, string? Error = null, bool Retryable = true);

/// <summary>A notification channel (webhook, Slack, email, PagerDuty, …), built from configuration by the host.</summary>
public interface INotificationChannel
{
    string Name { get; }

    /// <summary><c>webhook</c>, <c>slack</c>, <c>email</c> or <c>pagerduty</c>.</summary>
    string Type { get; }

    /// <summary>Whether the channel has an "acknowledge" (PagerDuty does); others are told of firing and resolved only.</summary>
    bool SupportsAcknowledge { get; }

    Task<ChannelResponse> SendAsync(Notification notification, CancellationToken ct);
}

/// <summary>Retries and timeouts of deliveries.</summary>
public sealed record DeliveryOptions
{
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the second attempt; doubled for each further one, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Sends through a channel with a timeout per attempt and retries with exponential back-off, logging every attempt.</summary>
public sealed class DeliveryRunner(IAlertingRepository repository, TimeProvider time, DeliveryOptions options)
{
    public DeliveryOptions Options => options;

    /// <summary>Tries until delivered, a non-retryable error, or the attempts run out; true when delivered.</summary>
    public async Task<bool> DeliverAsync(INotificationChannel channel, Notification notification, CancellationToken ct)
    {
        var backoff = options.InitialBackoff;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            var started = time.GetTimestamp();
            ChannelResponse response;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(options.Timeout);
                try
                {
                    response = await channel.SendAsync(notification, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    response = new ChannelResponse(false, Error: $"timed out after {options.Timeout.TotalSeconds:0.###} s");
                }
#pragma warning disable CA1031 // any failure of a channel is logged as a failed attempt
                catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    response = new ChannelResponse(false, Error: e.Message);
                }
            }

            var last = response.Delivered || !response.Retryable || attempt == options.MaxAttempts;
            await repository.AppendDeliveryAsync(new DeliveryRecord
            {
                At = time.GetUtcNow(),
                GroupKey = notification.GroupKey,
                Channel = channel.Name,
                ChannelType = channel.Type,
                Event = notification.Event,
                Attempt = attempt,
                Status = response.Delivered ? "delivered" : last ? "failed" : "retrying",
                StatusCode = response.StatusCode,
                Error = response.Error,
                Duration = time.GetElapsedTime(started),
                Alerts = [.. notification.Alerts.Select(a => a.Fingerprint)],
            }, CancellationToken.None).ConfigureAwait(false);
            if (response.Delivered)
            {
                return true;
            }

            if (last)
            {
                return false;
            }

            await Task.Delay(backoff, time, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
        }

        return false;
    }
}
