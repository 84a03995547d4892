using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerting;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Alerting;

/// <summary>
/// The part of the alerting configuration that can be edited at run time: the routing tree, receivers, escalation
/// policies, inhibition rules and channels (the rest of the <c>Alerting</c> section stays in the configuration file).
/// </summary>
public sealed class AlertingConfigDocument
{
    public RouteOptions Route { get; set; } = new();

    public List<ReceiverOptions> Receivers { get; set; } = [];

    public List<EscalationOptions> Escalations { get; set; } = [];

    public List<InhibitRuleOptions> InhibitRules { get; set; } = [];

    public List<ChannelOptions> Channels { get; set; } = [];

    public static AlertingConfigDocument From(AlertingOptions options) => new()
    {
        Route = options.Route,
        Receivers = options.Receivers,
        Escalations = options.Escalations,
        InhibitRules = options.InhibitRules,
        Channels = options.Channels,
    };

    /// <summary>A deep copy (through JSON, as it is stored).</summary>
    public AlertingConfigDocument Clone() => AlertingConfigService.Parse(AlertingConfigService.Serialize(this));
}

/// <summary>The document in force: its version, who saved it and when.</summary>
public sealed record AlertingConfigVersion(long Version, AlertingConfigDocument Document, DateTimeOffset At, string By);

/// <summary>What saving a document came to: the new version, or the problems by field (<c>channels[0].url</c>), or a conflict.</summary>
public sealed record AlertingConfigSaveResult(AlertingConfigVersion? Saved, IReadOnlyDictionary<string, string[]> Errors, bool Conflict = false)
{
    public bool Ok => Saved is not null;
}

/// <summary>
/// The alerting configuration document stored in the database (both providers), versioned and audited. Seeded from
/// the <c>Alerting</c> section when nothing is stored; each saved version is validated as the section is at start-up
/// and applied to the running <see cref="Notifier"/> at once. Secrets (SMTP passwords, PagerDuty routing keys, Slack
/// webhook URLs) are masked whenever the document is shown and in the audit log; saving the mask keeps the stored value.
/// </summary>
public sealed partial class AlertingConfigService(
    AlertingConfigRepository repository, Notifier notifier, AlertingHttp http, IOptions<AlertingOptions> options, AuditTrail audit,
    AlertFeed feed, TimeProvider time, ILogger<AlertingConfigService> logger)
{
    /// <summary>What a secret is shown as; sending it back unchanged keeps the stored secret.</summary>
    public const string Mask = "********";

    /// <summary>The actor of the version seeded from the configuration file.</summary>
    public const string SeedActor = "config";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private readonly SemaphoreSlim _saving = new(1, 1);
    private AlertingConfigVersion? _current;

    /// <summary>The version in force (the configuration file's until <see cref="InitializeAsync"/> ran).</summary>
    public AlertingConfigVersion Current => Volatile.Read(ref _current) ?? new AlertingConfigVersion(0, AlertingConfigDocument.From(options.Value), time.GetUtcNow(), SeedActor);

    /// <summary>Raised (on the saving thread) after a new version is in force.</summary>
    public event Action<AlertingConfigVersion>? Changed;

    /// <summary>Seeds version 1 from the configuration file when nothing is stored, then applies the newest version.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        var latest = await repository.LatestAsync(ct);
        if (latest is null)
        {
            var seed = AlertingConfigDocument.From(options.Value);
            latest = new AlertingConfigVersionEntity { Version = 1, Document = Serialize(seed), CreatedAt = time.GetUtcNow(), CreatedBy = SeedActor };
            if (!await repository.AddAsync(latest, ct))
            {
                latest = await repository.LatestAsync(ct) ?? throw new InvalidOperationException("the alerting configuration could not be stored");
            }

            LogSeeded(logger);
        }

        var document = Parse(latest.Document);
        var (settings, errors) = Combine(document).Build();
        if (settings is null)
        {
            // Stored versions were valid when saved; a newer console may be stricter. Keep the file's configuration.
            LogStoredInvalid(logger, latest.Version, string.Join("; ", errors));
            return;
        }

        Apply(settings, document);
        Volatile.Write(ref _current, new AlertingConfigVersion(latest.Version, document, latest.CreatedAt, latest.CreatedBy));
    }

    /// <summary>
    /// Applies a newer version saved by another replica sharing the database (this one applies its own saves at once);
    /// true when one was applied.
    /// </summary>
    public async Task<bool> RefreshAsync(CancellationToken ct)
    {
        var latest = await repository.LatestAsync(ct);
        if (latest is null || latest.Version <= Current.Version)
        {
            return false;
        }

        await _saving.WaitAsync(ct);
        try
        {
            if (latest.Version <= Current.Version)
            {
                return false;
            }

            var document = Parse(latest.Document);
            var (settings, errors) = Combine(document).Build();
            if (settings is null)
            {
                LogStoredInvalid(logger, latest.Version, string.Join("; ", errors));
                return false;
            }

            Apply(settings, document);
            var applied = new AlertingConfigVersion(latest.Version, document, latest.CreatedAt, latest.CreatedBy);
            Volatile.Write(ref _current, applied);
            Changed?.Invoke(applied);
            return true;
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>The versions stored, newest first (who and when; not the documents).</summary>
    public async Task<IReadOnlyList<(long Version, DateTimeOffset At, string By)>> HistoryAsync(int limit, CancellationToken ct) =>
        [.. (await repository.ListAsync(limit, ct)).Select(v => (v.Version, v.CreatedAt, v.CreatedBy))];

    /// <summary>The problems of <paramref name="document"/> by field, after masked secrets are filled from the version in force.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(AlertingConfigDocument? document)
    {
        if (document is null)
        {
            return new Dictionary<string, string[]> { [""] = ["a configuration document (route, receivers, escalations, inhibitRules, channels) is required"] };
        }

        var (filled, errors) = Unmask(document, Current.Document);
        foreach (var e in Combine(filled).Build().Errors)
        {
            errors.Add(e);
        }

        return ByField(errors);
    }

    /// <summary>
    /// Validates, stores as the next version and applies <paramref name="document"/>; nothing changes when it has a
    /// problem or when <paramref name="expectedVersion"/> is given and another version was saved since.
    /// </summary>
    public async Task<AlertingConfigSaveResult> SaveAsync(AlertingConfigDocument? document, ClaimsPrincipal user, long? expectedVersion, string? remoteAddress, CancellationToken ct)
    {
        if (document is null)
        {
            return new(null, Validate(null));
        }

        await _saving.WaitAsync(ct);
        try
        {
            var before = Current;
            if (expectedVersion is { } expected && expected != before.Version)
            {
                return new(null, new Dictionary<string, string[]> { ["version"] = [$"version {expected} is no longer the newest (it is {before.Version}, saved by {before.By}); reload and edit again"] }, Conflict: true);
            }

            var (filled, unmaskErrors) = Unmask(document, before.Document);
            var (settings, errors) = Combine(filled).Build();
            errors.InsertRange(0, unmaskErrors);
            if (settings is null || errors.Count > 0)
            {
                return new(null, ByField(errors));
            }

            var entity = new AlertingConfigVersionEntity { Version = before.Version + 1, Document = Serialize(filled), CreatedAt = time.GetUtcNow(), CreatedBy = user.GetActor() };
            if (!await repository.AddAsync(entity, ct))
            {
                return new(null, new Dictionary<string, string[]> { ["version"] = [$"version {entity.Version} was saved meanwhile by another replica; reload and edit again"] }, Conflict: true);
            }

            Apply(settings, filled);
            var saved = new AlertingConfigVersion(entity.Version, filled, entity.CreatedAt, entity.CreatedBy);
            Volatile.Write(ref _current, saved);
            await audit.RecordAsync(user, "alerting.config.update", "alerting-config", entity.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                before: new { version = before.Version, config = Masked(before.Document) }, after: new { version = saved.Version, config = Masked(filled) }, remoteAddress: remoteAddress, ct: ct);
            Changed?.Invoke(saved);
            return new(saved, new Dictionary<string, string[]>());
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>A copy of <paramref name="document"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public static AlertingConfigDocument Masked(AlertingConfigDocument document)
    {
        var copy = document.Clone();
        foreach (var c in copy.Channels)
        {
            c.Password = string.IsNullOrEmpty(c.Password) ? c.Password : Mask;
            c.RoutingKey = string.IsNullOrEmpty(c.RoutingKey) ? c.RoutingKey : Mask;
            if (c.Type == "slack" && !string.IsNullOrEmpty(c.Url))
            {
                c.Url = Mask;
            }
        }

        return copy;
    }

    internal static string Serialize(AlertingConfigDocument document) => JsonSerializer.Serialize(document, Json);

    internal static AlertingConfigDocument Parse(string json) => JsonSerializer.Deserialize<AlertingConfigDocument>(json, Json) ?? new AlertingConfigDocument();

    /// <summary>Masked secrets taken from the same-named channel of <paramref name="stored"/>; a mask with nothing to keep is a problem.</summary>
    private static (AlertingConfigDocument Filled, List<string> Errors) Unmask(AlertingConfigDocument document, AlertingConfigDocument stored)
    {
        var copy = document.Clone();
        var errors = new List<string>();
        for (var i = 0; i < copy.Channels.Count; i++)
        {
            var c = copy.Channels[i];
            var old = stored.Channels.FirstOrDefault(s => s.Name == c.Name && s.Type == c.Type);
            c.Password = Keep(c.Password, old?.Password, $"Alerting:Channels:{i}:Password", errors);
            c.RoutingKey = Keep(c.RoutingKey, old?.RoutingKey, $"Alerting:Channels:{i}:RoutingKey", errors);
            c.Url = Keep(c.Url, old?.Url, $"Alerting:Channels:{i}:Url", errors);
        }

        return (copy, errors);
    }

    private static string? Keep(string? value, string? stored, string key, List<string> errors)
    {
        if (value != Mask)
        {
            return value;
        }

        if (string.IsNullOrEmpty(stored))
        {
            errors.Add($"{key} is masked but no secret is stored for this channel (name and type) to keep; enter the value");
        }

        return stored;
    }

    /// <summary>The configuration file's section with the document's parts in place of its own.</summary>
    private AlertingOptions Combine(AlertingConfigDocument document)
    {
        var o = options.Value;
        return new AlertingOptions
        {
            ResolveTimeout = o.ResolveTimeout,
            ExternalUrl = o.ExternalUrl,
            DispatchInterval = o.DispatchInterval,
            Delivery = o.Delivery,
            Route = document.Route ?? new RouteOptions(),
            Receivers = document.Receivers ?? [],
            Escalations = document.Escalations ?? [],
            InhibitRules = document.InhibitRules ?? [],
            Channels = document.Channels ?? [],
        };
    }

    /// <summary>Puts the settings in force; open Alerts pages re-read (inhibition and routing may have changed what is muted).</summary>
    private void Apply(AlertingSettings settings, AlertingConfigDocument document)
    {
        notifier.Configure(settings.Policy, document.Channels.Select(c => NotificationChannels.Create(c, http.Client)));
        feed.Touch();
    }

    /// <summary>"Alerting:Channels:0:Url must be …" → <c>channels[0].url</c>: "must be …".</summary>
    internal static Dictionary<string, string[]> ByField(IEnumerable<string> errors) =>
        errors.Select(e => KeyPattern().Match(e) is { Success: true } m
                ? (Field: Field(m.Groups["key"].Value), Message: Readable(m.Groups["message"].Value))
                : (Field: "", Message: Readable(e)))
            .GroupBy(x => x.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray(), StringComparer.Ordinal);

    private static string Field(string key) =>
        string.Join('.', key.Split(':', StringSplitOptions.RemoveEmptyEntries).Aggregate(new List<string>(), (parts, segment) =>
        {
            if (int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && parts.Count > 0)
            {
                parts[^1] += $"[{index}]";
            }
            else
            {
                parts.Add(char.ToLowerInvariant(segment[0]) + segment[1..]);
            }

            return parts;
        }));

    private static string Readable(string message) => ReferencePattern().Replace(message, m => Field(m.Groups[1].Value));

    [GeneratedRegex(@"^Alerting:(?<key>[A-Za-z0-9:]+?)(?::\s|\s)(?<message>.*)$", RegexOptions.Singleline)]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"Alerting:([A-Za-z]+)")]
    private static partial Regex ReferencePattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Alerting configuration: stored version 1 seeded from the Alerting section")]
    private static partial void LogSeeded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerting configuration: stored version {Version} is not valid ({Errors}); the Alerting section is used")]
    private static partial void LogStoredInvalid(ILogger logger, long version, string errors);
}

/// <summary>The HTTP client of the notification channels (one for the process).</summary>
public sealed class AlertingHttp : IDisposable
{
    public HttpClient Client { get; } = Create();

    private static HttpClient Create()
    {
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("OpsConsole-Alerting/1.0");
        return http;
    }

    public void Dispose() => Client.Dispose();
}
