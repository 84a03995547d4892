using System.Text.Json.Serialization;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// The body of <c>POST /api/v1/monitoring/service-discovery</c>: a service asks to be scraped.
/// <code>{ "job": "rag-service", "url": "http://10.0.0.7:9101/metrics", "interval": "15s", "timeout": "5s", "labels": { "env": "prod" } }</code>
/// The tenant is not part of the body: it is the caller's (its API key's tenant, or <c>default</c>).
/// </summary>
public sealed class ServiceDiscoveryRequest
{
    [JsonPropertyName("job")]
    public string? Job { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>Optional duration (<c>15s</c>, <c>1m</c>); the configured default when absent.</summary>
    [JsonPropertyName("interval")]
    public string? Interval { get; init; }

    /// <summary>Optional duration, not longer than the interval.</summary>
    [JsonPropertyName("timeout")]
    public string? Timeout { get; init; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; init; }

    /// <summary>The field errors of this body, keyed by JSON field name; empty when valid (the registry still checks for duplicates).</summary>
    public IReadOnlyDictionary<string, string[]> Validate() =>
        ScrapeTarget.Create(ToDefinition(TenantIds.Default), ScrapeTargetSource.Registered).Errors;

    public ScrapeTargetDefinition ToDefinition(string tenantId) => new()
    {
        Job = Job,
        Url = Url,
        Interval = Interval,
        Timeout = Timeout,
        Tenant = tenantId,
        Labels = Labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(Labels, StringComparer.Ordinal),
    };
}

/// <summary>One target as <c>GET /api/v1/monitoring/service-discovery</c> lists it, with its latest scrape.</summary>
public sealed record ServiceDiscoveryTarget(
    string Job,
    string Instance,
    string Url,
    string Interval,
    string Timeout,
    string Tenant,
    IReadOnlyDictionary<string, string> Labels,
    string Source,
    string Health,
    DateTimeOffset? LastScrape,
    double? LastScrapeDurationSeconds,
    string? LastError,
    int SamplesScraped,
    int ParseErrorCount,
    IReadOnlyList<string> ParseErrors)
{
    public static ServiceDiscoveryTarget From(ScrapeTarget target, ScrapeTargetStatus? status)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new ServiceDiscoveryTarget(
            target.Job,
            target.Instance,
            target.Url.ToString(),
            PrometheusDuration.Format(target.Interval),
            PrometheusDuration.Format(target.Timeout),
            target.TenantId,
            target.Labels,
            target.Source == ScrapeTargetSource.Static ? "static" : "registered",
            (status?.Health ?? ScrapeHealth.Unknown).ToString().ToLowerInvariant(),
            status?.LastScrape,
            status?.LastDuration?.TotalSeconds,
            status?.LastError,
            status?.SamplesScraped ?? 0,
            status?.ParseErrorCount ?? 0,
            status?.ParseErrors.Select(e => e.ToString()).ToArray() ?? []);
    }
}
