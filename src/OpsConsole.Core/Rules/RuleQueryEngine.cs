using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Core.Rules;

/// <summary>What rules are evaluated against: the tenants that have series, and instant queries within one tenant.</summary>
public interface IRuleQueryEngine
{
    /// <summary>Every tenant to evaluate rules for (at least <see cref="TenantIds.Default"/>).</summary>
    IReadOnlyList<string> Tenants();

    PromQlResult Instant(string expr, long timeMs, string tenantId, CancellationToken cancellationToken);

    /// <summary>Rule evaluation wrote series of these metric names (engines that share work between queries forget it).</summary>
    void SeriesWritten(IEnumerable<string> metricNames)
    {
    }
}

/// <summary>
/// Rules over the hot series store with the PromQL engine. Queries at the same evaluation time share what their
/// selectors load (<see cref="PromQlSelectorCache"/>): a thousand rules over the same metrics decode each series once.
/// </summary>
public sealed class SeriesRuleQueryEngine(SeriesStore store, PromQlOptions? options = null, bool shareSelectors = true) : IRuleQueryEngine
{
    private readonly PromQlEngine _engine = new(store, options);
    private readonly PromQlSelectorCache? _cache = shareSelectors ? new() : null;

    public IReadOnlyList<string> Tenants()
    {
        var tenants = store.TenantIds();
        return tenants.Contains(TenantIds.Default) ? tenants : [TenantIds.Default, .. tenants];
    }

    public PromQlResult Instant(string expr, long timeMs, string tenantId, CancellationToken cancellationToken) =>
        _engine.Instant(expr, timeMs, tenantId, _cache, cancellationToken);

    public void SeriesWritten(IEnumerable<string> metricNames) => _cache?.Invalidate(metricNames);
}
