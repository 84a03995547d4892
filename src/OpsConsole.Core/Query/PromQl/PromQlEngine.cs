using OpsConsole.Core.Storage.Series;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Limits of one query.</summary>
public sealed record PromQlOptions
{
    /// <summary>How far back an instant selector looks for the latest sample (Prometheus's default, 5 minutes).</summary>
    public long LookbackMs { get; init; } = 5 * 60 * 1000;

    /// <summary>The most samples a query may load from the store (Prometheus's default <c>query.max-samples</c>).</summary>
    public long MaxSamples { get; init; } = 50_000_000;

    /// <summary>The most points a range query may have per series (as Prometheus, 11,000).</summary>
    public long MaxPointsPerSeries { get; init; } = 11_000;
}

/// <summary>
/// Answers PromQL instant and range queries over an <see cref="ISeriesSource"/> with Prometheus's semantics for what
/// it supports (see <see cref="PromQlFunction.Supported"/>). Parse errors are <see cref="PromQlParseException"/>s,
/// valid but unsupported PromQL is a <see cref="PromQlUnsupportedException"/>, and queries that cannot be answered
/// (many-to-many matches, too many samples or points) are <see cref="PromQlEvaluationException"/>s.
/// </summary>
public sealed class PromQlEngine(ISeriesSource source, PromQlOptions? options = null)
{
    private readonly PromQlOptions _options = options ?? new PromQlOptions();

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/> over <paramref name="tenantId"/>'s series (all when null).</summary>
    public PromQlResult Instant(string query, long timeMs, string? tenantId, CancellationToken cancellationToken = default)
    {
        var expr = PromQlParser.Parse(query);
        var evaluator = new PromQlEvaluator(source, _options, tenantId, timeMs, timeMs, 1, cancellationToken);
        return evaluator.EvaluateInstant(expr);
    }

    /// <summary>Evaluates <paramref name="query"/> at start, start+step, … ≤ end; returns a matrix.</summary>
    public RangeMatrix Range(string query, long startMs, long endMs, long stepMs, string? tenantId, CancellationToken cancellationToken = default)
    {
        if (stepMs <= 0)
        {
            throw new PromQlEvaluationException("zero or negative query resolution step widths are not accepted: try a positive step");
        }

        if (endMs < startMs)
        {
            throw new PromQlEvaluationException("end timestamp must not be before start time");
        }

        if ((endMs - startMs) / stepMs > _options.MaxPointsPerSeries)
        {
            throw new PromQlEvaluationException(
                $"exceeded maximum resolution of {_options.MaxPointsPerSeries:N0} points per timeseries: try decreasing the query resolution (a larger step)");
        }

        var expr = PromQlParser.Parse(query);
        if (expr.Type is not (PromQlType.Scalar or PromQlType.InstantVector))
        {
            // A bad query, not a failed evaluation: Prometheus answers bad_data.
            throw new PromQlParseException($"invalid expression type \"{(expr.Type == PromQlType.String ? "string" : "range vector")}\" for range query, must be a scalar or an instant vector", 1);
        }

        var evaluator = new PromQlEvaluator(source, _options, tenantId, startMs, endMs, stepMs, cancellationToken);
        return evaluator.EvaluateRange(expr);
    }
}
