using Microsoft.Extensions.Options;

namespace OpsConsole.Web.Tenancy;

/// <summary>
/// One commercial plan a tenant is on (<c>Plans:{id}</c> in configuration). The quotas are what intake enforces and what
/// the Usage page measures a tenant against; null means unlimited.
/// </summary>
public sealed class PlanDefinition
{
    public string DisplayName { get; set; } = "";

    /// <summary>What the tenant pays per month for the plan itself, in dollars.</summary>
    public decimal MonthlyPriceDollars { get; set; }

    /// <summary>Telemetry items (spans + log records + metric samples) the console accepts per minute from the tenant.</summary>
    public long? IngestItemsPerMinute { get; set; }

    /// <summary>Request bytes the console accepts per UTC day from the tenant.</summary>
    public long? IngestBytesPerDay { get; set; }

    /// <summary>Monthly allowances by usage kind (for example <c>api_calls</c>, <c>llm_tokens</c>); a kind not listed is unlimited.</summary>
    public Dictionary<string, double> MonthlyQuotas { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The plans from configuration, validated at start-up.</summary>
public sealed class PlanCatalogOptions
{
    public const string SectionName = "Plans";

    public Dictionary<string, PlanDefinition> Plans { get; } = new(StringComparer.Ordinal);

    /// <summary>The reasons the configured plans are unusable; empty when they are fine.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Plans.Count == 0)
        {
            problems.Add("Plans: at least one plan must be configured.");
        }

        foreach (var (id, plan) in Plans)
        {
            if (plan.MonthlyPriceDollars < 0)
            {
                problems.Add($"Plans:{id}:MonthlyPriceDollars must not be negative.");
            }

            if (plan.IngestItemsPerMinute is <= 0)
            {
                problems.Add($"Plans:{id}:IngestItemsPerMinute must be positive (leave it out for unlimited).");
            }

            if (plan.IngestBytesPerDay is <= 0)
            {
                problems.Add($"Plans:{id}:IngestBytesPerDay must be positive (leave it out for unlimited).");
            }

            foreach (var (kind, amount) in plan.MonthlyQuotas)
            {
                if (!(amount > 0))
                {
                    problems.Add($"Plans:{id}:MonthlyQuotas:{kind} must be positive (leave it out for unlimited).");
                }
            }
        }

        return problems;
    }
}

/// <summary>Looks plans up by id. Tenants name their plan in <c>tenants.plan</c>.</summary>
public sealed class PlanCatalog(IOptions<PlanCatalogOptions> options)
{
    private readonly Dictionary<string, PlanDefinition> _plans = options.Value.Plans;

    /// <summary>The configured plan ids in configuration order.</summary>
    public IReadOnlyCollection<string> Ids => _plans.Keys;

    public PlanDefinition? Find(string? id) => id is not null && _plans.TryGetValue(id, out var plan) ? plan : null;
}
