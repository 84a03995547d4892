using OpsConsole.Domain.Telemetry;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>Where a target came from.</summary>
public enum ScrapeTargetSource
{
    /// <summary>The <c>Scrape:Targets</c> configuration; fixed while the process runs.</summary>
    Static,

    /// <summary>Registered while running (service-discovery API or the admin screen); removable.</summary>
    Registered,
}

/// <summary>A target's identity, as in Prometheus: its <c>job</c> and <c>instance</c> labels.</summary>
public readonly record struct ScrapeTargetKey(string Job, string Instance)
{
    public override string ToString() => $"{Job}/{Instance}";
}

/// <summary>
/// A validated scrape target. <see cref="Instance"/> is the URL's <c>host:port</c> (with the scheme's default port
/// when the URL has none), as Prometheus sets it. Every sample scraped from it gets <see cref="TargetLabels"/>
/// (<c>job</c>, <c>instance</c> and the extra <see cref="Labels"/>) and is stored under <see cref="TenantId"/>.
/// </summary>
public sealed class ScrapeTarget
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    public const int MaxExtraLabels = 32;
    public const int MaxJobLength = 128;
    public const int MaxUrlLength = 2048;
    public const int MaxLabelValueLength = 1024;

    private ScrapeTarget(
        string job, Uri url, string instance, TimeSpan interval, TimeSpan timeout, string tenantId,
        IReadOnlyDictionary<string, string> labels, ScrapeTargetSource source)
    {
        Job = job;
        Url = url;
        Instance = instance;
        Interval = interval;
        Timeout = timeout;
        TenantId = tenantId;
        Labels = labels;
        Source = source;
        Key = new ScrapeTargetKey(job, instance);
        TargetLabels = LabelSet.From(
            labels.Append(new KeyValuePair<string, string>("job", job)).Append(new KeyValuePair<string, string>("instance", instance)));
    }

    public string Job { get; }
    public Uri Url { get; }
    public string Instance { get; }
    public TimeSpan Interval { get; }
    public TimeSpan Timeout { get; }
    public string TenantId { get; }

    /// <summary>The extra target labels (without job and instance), sorted by name.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    public ScrapeTargetSource Source { get; }
    public ScrapeTargetKey Key { get; }

    /// <summary><c>job</c>, <c>instance</c> and the extra labels: what every sample of this target carries.</summary>
    public LabelSet TargetLabels { get; }

    public override string ToString() => $"{Key} ({Url})";

    /// <summary>The <c>instance</c> label for a URL: <c>host:port</c>, IPv6 hosts in brackets.</summary>
    public static string InstanceOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"{url.Host}:{url.Port}";
    }

    /// <summary>Validates a definition; errors are keyed by field (<c>job</c>, <c>url</c>, <c>interval</c>, <c>timeout</c>, <c>tenant</c>, <c>labels</c>).</summary>
    public static ScrapeTargetRegistration Create(ScrapeTargetDefinition definition, ScrapeTargetSource source) =>
        Create(definition, source, ScrapeDefaults.Standard);

    internal static ScrapeTargetRegistration Create(ScrapeTargetDefinition definition, ScrapeTargetSource source, ScrapeDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new ScrapeTargetErrors();

        var job = definition.Job?.Trim();
        if (string.IsNullOrEmpty(job))
        {
            errors.Add("job", "A job name is required, e.g. the service name.");
        }
        else if (job.Length > MaxJobLength || job.Any(char.IsControl))
        {
            errors.Add("job", $"The job name must be at most {MaxJobLength} printable characters.");
        }

        var url = ValidateUrl(definition.Url, errors);

        TimeSpan interval = defaults.Interval;
        if (!string.IsNullOrWhiteSpace(definition.Interval))
        {
            if (!PrometheusDuration.TryParse(definition.Interval, out interval))
            {
                errors.Add("interval", $"'{definition.Interval}' is not a duration; write it like 15s, 1m or 1m30s.");
            }
            else if (interval < MinInterval || interval > MaxInterval)
            {
                errors.Add("interval", $"The interval must be from 1s to 1h; {definition.Interval} is not.");
            }
        }

        var timeout = defaults.Timeout < interval ? defaults.Timeout : interval;
        if (!string.IsNullOrWhiteSpace(definition.Timeout))
        {
            if (!PrometheusDuration.TryParse(definition.Timeout, out timeout))
            {
                errors.Add("timeout", $"'{definition.Timeout}' is not a duration; write it like 10s or 500ms.");
            }
            else if (timeout <= TimeSpan.Zero)
            {
                errors.Add("timeout", "The timeout must be longer than zero.");
            }
            else if (timeout > interval)
            {
                errors.Add("timeout", $"The timeout ({PrometheusDuration.Format(timeout)}) must not be longer than the interval ({PrometheusDuration.Format(interval)}).");
            }
        }

        var tenant = string.IsNullOrWhiteSpace(definition.Tenant) ? TenantIds.Default : definition.Tenant.Trim();
        if (!TenantIds.IsValid(tenant))
        {
            errors.Add("tenant", $"'{tenant}' is not a valid tenant id: use 1-{TenantIds.MaxLength} lower-case letters, digits and inner hyphens.");
        }

        var labels = ValidateLabels(definition.Labels, errors);
        if (errors.Count > 0 || job is null || url is null)
        {
            return ScrapeTargetRegistration.Invalid(errors.ToDictionary());
        }

        var target = new ScrapeTarget(job, url, InstanceOf(url), interval, timeout, tenant, labels, source);
        return ScrapeTargetRegistration.Added(target);
    }

    private static Uri? ValidateUrl(string? text, ScrapeTargetErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("url", "A URL is required, e.g. http://host:9100/metrics.");
            return null;
        }

        if (text.Length > MaxUrlLength)
        {
            errors.Add("url", $"The URL must be at most {MaxUrlLength} characters.");
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Host))
        {
            errors.Add("url", $"'{text}' is not an absolute URL like http://host:9100/metrics.");
            return null;
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add("url", $"Only http and https targets can be scraped; '{url.Scheme}' cannot.");
            return null;
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add("url", "Credentials in the URL are not supported.");
            return null;
        }

        if (!string.IsNullOrEmpty(url.Fragment))
        {
            errors.Add("url", "The URL must not have a fragment (#...).");
            return null;
        }

        return url;
    }

    private static SortedDictionary<string, string> ValidateLabels(IDictionary<string, string>? labels, ScrapeTargetErrors errors)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (labels is null)
        {
            return result;
        }

        if (labels.Count > MaxExtraLabels)
        {
            errors.Add("labels", $"At most {MaxExtraLabels} extra labels are allowed.");
            return result;
        }

        foreach (var (name, value) in labels)
        {
            if (!IsLabelName(name))
            {
                errors.Add("labels", $"'{name}' is not a valid label name: use letters, digits and underscores, not starting with a digit.");
            }
            else if (name.StartsWith("__", StringComparison.Ordinal))
            {
                errors.Add("labels", $"Label names starting with __ are reserved ('{name}').");
            }
            else if (name is "job" or "instance")
            {
                errors.Add("labels", $"The '{name}' label is set by the scraper; it cannot be given as an extra label.");
            }
            else if (string.IsNullOrEmpty(value))
            {
                errors.Add("labels", $"Label '{name}' needs a value.");
            }
            else if (value.Length > MaxLabelValueLength || value.Any(c => char.IsControl(c)))
            {
                errors.Add("labels", $"The value of label '{name}' must be at most {MaxLabelValueLength} printable characters.");
            }
            else
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>A Prometheus label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsLabelName(string? name) =>
        !string.IsNullOrEmpty(name)
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

/// <summary>The outcome of validating or registering a target: the target, or errors keyed by field.</summary>
public sealed class ScrapeTargetRegistration
{
    private ScrapeTargetRegistration(ScrapeTarget? target, IReadOnlyDictionary<string, string[]> errors, bool isConflict)
    {
        Target = target;
        Errors = errors;
        IsConflict = isConflict;
    }

    public ScrapeTarget? Target { get; }

    /// <summary>Field name → messages; the shape of an RFC 7807 validation problem's <c>errors</c>.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>True when the only problem is that the job and instance are already registered (HTTP 409).</summary>
    public bool IsConflict { get; }

    public bool Succeeded => Target is not null;

    public static ScrapeTargetRegistration Added(ScrapeTarget target) =>
        new(target, new Dictionary<string, string[]>(), isConflict: false);

    public static ScrapeTargetRegistration Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors, isConflict: false);

    internal static ScrapeTargetRegistration Conflict(ScrapeTargetKey key) =>
        new(null, new Dictionary<string, string[]>
        {
            ["url"] = [$"A target with job '{key.Job}' and instance '{key.Instance}' is already registered; use another job name or remove it first."],
        }, isConflict: true);

    public override string ToString() =>
        Succeeded ? $"registered {Target}" : string.Join("; ", Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
}

internal sealed class ScrapeTargetErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Count;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            list = [];
            _errors.Add(field, list);
        }

        list.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
