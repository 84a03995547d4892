using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Limits and scope of one query.</summary>
public sealed record PromQlOptions
{
    /// <summary>The label that scopes a tenant's queries (see <see cref="TenantScope"/>).</summary>
    public const string TenantLabel = TenantIds.LabelName;

    /// <summary>How far back an instant selector looks for the latest sample (Prometheus's default, 5 minutes).</summary>
    public long LookbackMs { get; init; } = 5 * 60 * 1000;

    /// <summary>The most samples a query may load from the store (Prometheus's default <c>query.max-samples</c>).</summary>
    public long MaxSamples { get; init; } = 50_000_000;

    /// <summary>The most points a range query may have per series (as Prometheus, 11,000).</summary>
    public long MaxPointsPerSeries { get; init; } = 11_000;

    /// <summary>The longest time range a range query, and a range selector, may cover (32 days by default).</summary>
    public long MaxRangeMs { get; init; } = 32L * 24 * 60 * 60 * 1000;

    /// <summary>
    /// The tenant of a tenant-scoped caller (a tenant admin or a key bound to a tenant), or null for everything. When
    /// set, every vector selector of the query also gets the matcher <c>tenant_id="&lt;tenant&gt;"</c> (AND-ed with
    /// the query's own, so a query naming another tenant selects nothing) and selects across all stored tenants.
    /// </summary>
    public string? TenantScope { get; init; }

    /// <summary>The matchers <see cref="TenantScope"/> adds to every selector (none when unscoped).</summary>
    public IReadOnlyList<LabelMatcher> ScopeMatchers =>
        TenantScope is null ? [] : [LabelMatcher.Equal(TenantLabel, TenantScope)];

    /// <summary><paramref name="matchers"/> with the scope's matchers added (the same list when unscoped).</summary>
    public IReadOnlyList<LabelMatcher> Scoped(IReadOnlyList<LabelMatcher> matchers) =>
        TenantScope is null ? matchers : [.. matchers, .. ScopeMatchers];
}

/// <summary>
/// Answers PromQL instant and range queries over an <see cref="ISeriesSource"/> with Prometheus's semantics for what
/// it supports (see <see cref="PromQlFunction.Supported"/>). Parse errors are <see cref="PromQlParseException"/>s,
/// valid but unsupported PromQL is a <see cref="PromQlUnsupportedException"/>, and queries that cannot be answered
/// (many-to-many matches, too many points) are <see cref="PromQlEvaluationException"/>s. Queries or parameters beyond
/// the limits (step, time range, range selectors) are <see cref="PromQlBadQueryException"/>s, a query that would load
/// more than <see cref="PromQlOptions.MaxSamples"/> is a <see cref="PromQlEvaluationException"/> with Prometheus's
/// message, and a cancelled token ends evaluation promptly with an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class PromQlEngine(ISeriesSource source, PromQlOptions? options = null)
{
    private readonly PromQlOptions _options = options ?? new PromQlOptions();

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/> over <paramref name="tenantId"/>'s series (all when null).</summary>
    public PromQlResult Instant(string query, long timeMs, string? tenantId, CancellationToken cancellationToken = default) =>
        Instant(query, timeMs, tenantId, null, cancellationToken);

    /// <summary>As <see cref="Instant(string, long, string?, CancellationToken)"/>, sharing selector data through <paramref name="cache"/> with other queries at the same time.</summary>
    public PromQlResult Instant(string query, long timeMs, string? tenantId, PromQlSelectorCache? cache, CancellationToken cancellationToken)
    {
        var expr = PromQlParser.Parse(query);
        CheckRanges(expr);
        var evaluator = new PromQlEvaluator(source, _options, tenantId, timeMs, timeMs, 1, cancellationToken, cache);
        return evaluator.EvaluateInstant(expr);
    }

    /// <summary>Evaluates <paramref name="query"/> at start, start+step, … ≤ end; returns a matrix.</summary>
    public RangeMatrix Range(string query, long startMs, long endMs, long stepMs, string? tenantId, CancellationToken cancellationToken = default)
    {
        CheckRange(startMs, endMs, stepMs, _options);
        var expr = PromQlParser.Parse(query);
        CheckRanges(expr);
        if (expr.Type is not (PromQlType.Scalar or PromQlType.InstantVector))
        {
            throw new PromQlBadQueryException($"invalid expression type \"{(expr.Type == PromQlType.String ? "string" : "range vector")}\" for range query, must be a scalar or an instant vector");
        }

        var evaluator = new PromQlEvaluator(source, _options, tenantId, startMs, endMs, stepMs, cancellationToken);
        return evaluator.EvaluateRange(expr);
    }

    /// <summary>Checks a range query's start, end and step against <paramref name="options"/>; throws <see cref="PromQlBadQueryException"/>.</summary>
    public static void CheckRange(long startMs, long endMs, long stepMs, PromQlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (stepMs <= 0)
        {
            throw new PromQlBadQueryException("zero or negative query resolution step widths are not accepted. Try a positive integer");
        }

        if (endMs < startMs)
        {
            throw new PromQlBadQueryException("end timestamp must not be before start time");
        }

        if (endMs - startMs > options.MaxRangeMs)
        {
            throw new PromQlBadQueryException(
                $"the query range of {PromQlDuration.Format(endMs - startMs)} is longer than the maximum of {PromQlDuration.Format(options.MaxRangeMs)}: query a shorter range");
        }

        if ((endMs - startMs) / stepMs > options.MaxPointsPerSeries)
        {
            throw new PromQlBadQueryException(
                $"exceeded maximum resolution of {options.MaxPointsPerSeries:N0} points per timeseries. Try decreasing the query resolution (?step=XX)");
        }
    }

    /// <summary>Refuses range selectors longer than <see cref="PromQlOptions.MaxRangeMs"/>.</summary>
    private void CheckRanges(PromQlExpr expr)
    {
        switch (expr)
        {
            case MatrixSelector ms when ms.RangeMs > _options.MaxRangeMs:
                throw new PromQlBadQueryException(
                    $"the range selector [{PromQlDuration.Format(ms.RangeMs)}] is longer than the maximum of {PromQlDuration.Format(_options.MaxRangeMs)}: select a shorter range");
            case FunctionCall call:
                foreach (var arg in call.Args)
                {
                    CheckRanges(arg);
                }

                break;
            case Aggregation agg:
                CheckRanges(agg.Expr);
                if (agg.Param is not null)
                {
                    CheckRanges(agg.Param);
                }

                break;
            case UnaryMinus u:
                CheckRanges(u.Expr);
                break;
            case BinaryExpr b:
                CheckRanges(b.Left);
                CheckRanges(b.Right);
                break;
        }
    }
}
