namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// The <c>Scrape</c> configuration section: the static scrape targets and the scraper's defaults and limits.
/// Durations are Prometheus durations (<c>15s</c>, <c>1m</c>) or .NET time spans (<c>00:00:15</c>).
/// </summary>
/// <example>
/// <code>
/// "Scrape": {
///   "DefaultInterval": "15s",
///   "DefaultTimeout": "10s",
///   "Targets": [
///     { "Job": "rag-service", "Url": "http://localhost:9101/metrics", "Interval": "15s", "Tenant": "default",
///       "Labels": { "env": "demo" } }
///   ]
/// }
/// </code>
/// </example>
public sealed class ScrapeOptions
{
    public const string SectionName = "Scrape";

    /// <summary>Targets scraped from startup on; they cannot be removed through the API.</summary>
    public IList<ScrapeTargetDefinition> Targets { get; init; } = [];

    /// <summary>The interval of a target that names none (Prometheus's <c>scrape_interval</c>).</summary>
    public string DefaultInterval { get; set; } = "15s";

    /// <summary>The timeout of a target that names none, shortened to its interval if longer (Prometheus's <c>scrape_timeout</c>).</summary>
    public string DefaultTimeout { get; set; } = "10s";

    /// <summary>A larger (uncompressed) response fails the scrape (Prometheus's <c>body_size_limit</c>); 0 means no limit.</summary>
    public long BodySizeLimitBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>A scrape with more samples than this fails and keeps none of them (Prometheus's <c>sample_limit</c>); 0 means no limit.</summary>
    public int SampleLimit { get; set; }

    /// <summary>Every problem with these options, one message each (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!TryGetDefaults(out _, out var defaultsError))
        {
            problems.Add(defaultsError);
            return problems;
        }

        if (BodySizeLimitBytes < 0)
        {
            problems.Add($"{SectionName}:BodySizeLimitBytes must not be negative.");
        }

        if (SampleLimit < 0)
        {
            problems.Add($"{SectionName}:SampleLimit must not be negative.");
        }

        var registry = new ScrapeTargetRegistry(this, throwOnInvalid: false);
        problems.AddRange(registry.StaticTargetProblems);
        return problems;
    }

    internal bool TryGetDefaults(out ScrapeDefaults defaults, out string error)
    {
        defaults = default;
        error = "";
        if (!PrometheusDuration.TryParse(DefaultInterval, out var interval)
            || interval < ScrapeTarget.MinInterval || interval > ScrapeTarget.MaxInterval)
        {
            error = $"{SectionName}:DefaultInterval '{DefaultInterval}' must be a duration from 1s to 1h, like 15s.";
            return false;
        }

        if (!PrometheusDuration.TryParse(DefaultTimeout, out var timeout) || timeout <= TimeSpan.Zero)
        {
            error = $"{SectionName}:DefaultTimeout '{DefaultTimeout}' must be a positive duration, like 10s.";
            return false;
        }

        defaults = new ScrapeDefaults(interval, timeout);
        return true;
    }
}

/// <summary>One scrape target as configuration (<c>Scrape:Targets</c>) or an admin form describes it.</summary>
public sealed class ScrapeTargetDefinition
{
    /// <summary>The <c>job</c> label, e.g. the service name (<c>rag-service</c>).</summary>
    public string? Job { get; set; }

    /// <summary>The absolute http(s) URL of the metrics page, e.g. <c>http://10.0.0.5:9100/metrics</c>.</summary>
    public string? Url { get; set; }

    /// <summary>A duration (<c>15s</c>); empty for <see cref="ScrapeOptions.DefaultInterval"/>.</summary>
    public string? Interval { get; set; }

    /// <summary>A duration (<c>5s</c>) not longer than the interval; empty for the default.</summary>
    public string? Timeout { get; set; }

    /// <summary>The tenant the scraped samples are stored under; empty for <c>default</c>.</summary>
    public string? Tenant { get; set; }

    /// <summary>Extra target labels added to every scraped sample (like Prometheus's static_configs labels).</summary>
    public IDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

internal readonly record struct ScrapeDefaults(TimeSpan Interval, TimeSpan Timeout)
{
    public static readonly ScrapeDefaults Standard = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));
}
