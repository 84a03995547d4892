using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Query.PromQl;

namespace OpsConsole.Web.Usage;

/// <summary>The usage kinds the console meters itself, and the names of the default mapped kinds.</summary>
public static class UsageKinds
{
    public const string ApiCalls = "api_calls";
    public const string Queries = "queries";
    public const string Documents = "documents";
    public const string Recommendations = "recommendations";
    public const string LlmTokens = "llm_tokens";
    public const string LlmCostDollars = "llm_cost_dollars";

    /// <summary>Spans the console accepted from the tenant (counted when stored).</summary>
    public const string Spans = "spans";

    /// <summary>Log records the console accepted from the tenant.</summary>
    public const string LogRecords = "log_records";

    /// <summary>Metric samples the console accepted for the tenant.</summary>
    public const string MetricSamples = "metric_samples";

    /// <summary>Request bytes of accepted intake requests.</summary>
    public const string RequestBytes = "request_bytes";

    /// <summary>Spans, log records and samples of the tenant held in the database (a level, not a count per hour).</summary>
    public const string StoredItems = "stored_items";

    /// <summary>Telemetry items intake refused because a quota was hit.</summary>
    public const string IngestRejected = "ingest_rejected";

    /// <summary>How many times intake refused a request of the tenant because a quota was hit.</summary>
    public const string IngestRejections = "ingest_rejections";

    /// <summary>Seconds the console ran in an hour (tenant <c>*</c>; not shown as a usage kind).</summary>
    public const string ConsoleUpSeconds = "console_up_seconds";

    /// <summary>The kinds counted by the console itself, in the order they are shown.</summary>
    public static IReadOnlyList<string> Console { get; } = [Spans, LogRecords, MetricSamples, RequestBytes, StoredItems, IngestRejected, IngestRejections];

    /// <summary>Kinds that are a level at the end of each hour: a day or month shows the latest, not a sum.</summary>
    public static bool IsLevel(string kind) => kind == StoredItems;

    /// <summary>The mapping of the monitored SaaS's metrics (TELEMETRY.md names) to usage kinds.</summary>
    public static IReadOnlyDictionary<string, string> DefaultMapping { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ApiCalls] = "sum by (tenant_id) (increase(api_requests_total[$__range]))",
        [Queries] = "sum by (tenant_id) (increase(rag_queries_total[$__range]) or increase(search_queries_total[$__range]))",
        [Documents] = "sum by (tenant_id) (increase(documents_uploaded_total[$__range]))",
        [Recommendations] = "sum by (tenant_id) (increase(recommendations_served_total[$__range]))",

        // llm_tokens_total has no tenant_id: the hour's tokens are shared out by each tenant's share of the hour's LLM cost.
        [LlmTokens] = "sum by (tenant_id) (increase(llm_cost_dollars_total[$__range])) / scalar(sum(increase(llm_cost_dollars_total[$__range])))"
            + " * scalar(sum(increase(llm_tokens_total[$__range])))",
        [LlmCostDollars] = "sum by (tenant_id) (increase(llm_cost_dollars_total[$__range]))",
    };
}

/// <summary>The <c>Usage</c> section: how usage is metered and kept.</summary>
public sealed partial class UsageOptions
{
    public const string SectionName = "Usage";

    /// <summary>The placeholder in a kind's expression for the part of the hour evaluated (<c>1h</c> for a closed hour).</summary>
    public const string RangePlaceholder = "$__range";

    /// <summary>
    /// Usage kinds from the monitored SaaS's metrics: <c>Usage:Kinds:{kind}</c> is a PromQL expression giving one value per
    /// <c>tenant_id</c> for one hour. Configured kinds are added to (or replace) the defaults; an empty expression drops one.
    /// </summary>
    public Dictionary<string, string> Kinds { get; } = new(StringComparer.Ordinal);

    /// <summary>How often the current hour is recomputed and the console's own counts are written.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the stored items per tenant are counted (a count over every telemetry table).</summary>
    public TimeSpan StorageInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after an hour closes it is still recomputed (late telemetry).</summary>
    public TimeSpan LateDataGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>At start-up, hours not computed yet are worked out from stored data this far back (at most).</summary>
    public TimeSpan Backfill { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How many months rollups are kept.</summary>
    public int RetentionMonths { get; set; } = 13;

    /// <summary>The effective mapping: the defaults with the configured kinds applied, in a stable order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Mapping()
    {
        var merged = new Dictionary<string, string>(UsageKinds.DefaultMapping, StringComparer.Ordinal);
        foreach (var (kind, expression) in Kinds)
        {
            if (string.IsNullOrWhiteSpace(expression))
            {
                merged.Remove(kind);
            }
            else
            {
                merged[kind] = expression;
            }
        }

        var order = UsageKinds.DefaultMapping.Keys.ToList();
        return [.. merged.OrderBy(k => order.IndexOf(k.Key) is var i && i >= 0 ? i : int.MaxValue).ThenBy(k => k.Key, StringComparer.Ordinal)];
    }

    /// <summary>Every kind shown: the mapped kinds, then the console's own.</summary>
    public IReadOnlyList<string> ShownKinds() => [.. Mapping().Select(k => k.Key), .. UsageKinds.Console];

    /// <summary>The reasons the section is unusable; empty when it is fine.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var (kind, expression) in Kinds)
        {
            if (!KindName().IsMatch(kind) || UsageKinds.Console.Contains(kind) || kind == UsageKinds.ConsoleUpSeconds)
            {
                problems.Add($"Usage:Kinds:{kind}: a kind is 1-64 lower-case letters, digits and underscores, and not one the console counts itself.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(expression))
            {
                continue;
            }

            try
            {
                PromQlParser.Parse(expression.Replace(RangePlaceholder, "1h", StringComparison.Ordinal));
            }
            catch (Exception ex) when (ex is PromQlParseException or PromQlUnsupportedException)
            {
                problems.Add($"Usage:Kinds:{kind} is not valid PromQL: {ex.Message}");
            }
        }

        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromMinutes(10))
        {
            problems.Add("Usage:Interval must be between 1 second and 10 minutes.");
        }

        if (StorageInterval < Interval)
        {
            problems.Add("Usage:StorageInterval must not be shorter than Usage:Interval.");
        }

        if (LateDataGrace < TimeSpan.Zero || LateDataGrace > TimeSpan.FromHours(1))
        {
            problems.Add("Usage:LateDataGrace must be between 0 and 1 hour.");
        }

        if (Backfill < TimeSpan.Zero)
        {
            problems.Add("Usage:Backfill must not be negative.");
        }

        if (RetentionMonths < 1)
        {
            problems.Add("Usage:RetentionMonths must be at least 1.");
        }

        return problems;
    }

    [GeneratedRegex(@"\A[a-z0-9_]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KindName();
}

/// <summary>Stops start-up on a bad <c>Usage</c> section, naming every problem.</summary>
public sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
