using System.Security.Claims;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Data.Telemetry;
using OpsConsole.Web.Security;
using Prometheus;

namespace OpsConsole.Web.Api;

/// <summary>The <c>Query</c> section: limits of PromQL queries (Prometheus's defaults where it has one).</summary>
public sealed class QueryOptions
{
    public const string SectionName = "Query";

    /// <summary>The longest a query may run; the API's <c>timeout</c> parameter can only lower it (Prometheus's <c>query.timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The most samples a query may load and return (Prometheus's <c>query.max-samples</c>).</summary>
    public long MaxSamples { get; set; } = 50_000_000;

    /// <summary>How far back an instant selector looks for a sample (Prometheus's <c>query.lookback-delta</c>).</summary>
    public TimeSpan LookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most points per series of a range query.</summary>
    public int MaxPointsPerSeries { get; set; } = 11_000;

    /// <summary>The longest time range of a range query, and of a range selector.</summary>
    public TimeSpan MaxRange { get; set; } = TimeSpan.FromDays(32);

    /// <summary>The most series one answer (query, query_range, series) may return.</summary>
    public int MaxSeries { get; set; } = 100_000;

    /// <summary>The engine's options for a caller: these limits, scoped to the caller's tenant when it has one.</summary>
    public PromQlOptions ToPromQl(string? tenantScope) => new()
    {
        LookbackMs = (long)LookbackDelta.TotalMilliseconds,
        MaxSamples = MaxSamples,
        MaxPointsPerSeries = MaxPointsPerSeries,
        MaxRangeMs = (long)MaxRange.TotalMilliseconds,
        TenantScope = tenantScope,
    };
}

/// <summary>How PromQL queries ended since start (for tests and the console's own <c>/metrics</c>).</summary>
public sealed class PromQlQueryStats
{
    private static readonly Counter Queries = Metrics.CreateCounter(
        "opsconsole_promql_queries_total", "PromQL API queries by outcome (success, bad_data, execution, timeout, canceled).",
        new CounterConfiguration { LabelNames = ["outcome"] });

    private static readonly Gauge RunningGauge = Metrics.CreateGauge("opsconsole_promql_queries_running", "PromQL API queries being evaluated now.");

    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _running;

    /// <summary>Queries being evaluated now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Queries that ended with <paramref name="outcome"/> (success, bad_data, execution, timeout, canceled).</summary>
    public long Ended(string outcome)
    {
        lock (_gate)
        {
            return _outcomes.GetValueOrDefault(outcome);
        }
    }

    internal void Started()
    {
        Interlocked.Increment(ref _running);
        RunningGauge.Inc();
    }

    internal void Finished(string outcome)
    {
        lock (_gate)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }

        Queries.WithLabels(outcome).Inc();
        RunningGauge.Dec();
        Interlocked.Decrement(ref _running);
    }
}

/// <summary>
/// Runs one API query under the <c>Query</c> limits: the caller's tenant scope, the time limit (configured, or the
/// request's lower <c>timeout</c>), cancellation when the client goes away, and the answer in Prometheus's shapes
/// (<c>bad_data</c> 400, <c>execution</c> 422, <c>timeout</c> 503, <c>canceled</c> 499).
/// </summary>
public sealed class PromQlQueries(HistorySeriesSource source, IOptions<QueryOptions> options, PromQlQueryStats stats)
{
    private const int StatusClientClosedRequest = 499;

    public QueryOptions Options => options.Value;

    public HistorySeriesSource Source => source;

    /// <summary>The engine for <paramref name="user"/>: tenant admins and tenant-bound keys are scoped to their tenant.</summary>
    public PromQlEngine Engine(ClaimsPrincipal user) => new(source, EngineOptions(user));

    public PromQlOptions EngineOptions(ClaimsPrincipal user) => options.Value.ToPromQl(user.GetTenantId());

    /// <summary>
    /// Parses the <c>timeout</c> parameter (seconds or a Prometheus duration) and returns the effective time limit, the
    /// smaller of it and the configured one; null with <paramref name="error"/> when it is not a positive duration.
    /// </summary>
    public TimeSpan? Timeout(string? parameter, out string? error)
    {
        error = null;
        var configured = options.Value.Timeout;
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return configured;
        }

        if (!PrometheusApiEndpoints.TryDurationMs(parameter, out var ms) || ms <= 0)
        {
            error = $"invalid parameter \"timeout\": cannot parse \"{parameter}\" to a valid duration (seconds, or e.g. 30s, 1m)";
            return null;
        }

        var requested = TimeSpan.FromMilliseconds(ms);
        return requested < configured ? requested : configured;
    }

    /// <summary>Runs <paramref name="run"/> (given a token that ends at the time limit or when the client leaves) and answers.</summary>
    public async Task<IResult> RunAsync(HttpContext http, TimeSpan timeout, Func<CancellationToken, Task<object>> run)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        limit.CancelAfter(timeout);
        stats.Started();
        var outcome = "success";
        try
        {
            var data = await run(limit.Token);
            return PrometheusApiEndpoints.Success(data);
        }
        catch (PromQlParseException ex)
        {
            outcome = "bad_data";
            return PrometheusApiEndpoints.BadData(ex.Message);
        }
        catch (PromQlBadQueryException ex)
        {
            outcome = "bad_data";
            return PrometheusApiEndpoints.BadData(ex.Message);
        }
        catch (PromQlUnsupportedException ex)
        {
            outcome = "bad_data";
            return PrometheusApiEndpoints.BadData("unsupported: " + ex.Message);
        }
        catch (PromQlEvaluationException ex)
        {
            outcome = "execution";
            return Error("execution", ex.Message, StatusCodes.Status422UnprocessableEntity);
        }
        catch (Exception ex) when (limit.IsCancellationRequested && ex is OperationCanceledException or InvalidOperationException or System.Data.Common.DbException)
        {
            // The database drivers may wrap a cancelled command; what counts is that the query's token ended.
            if (http.RequestAborted.IsCancellationRequested)
            {
                outcome = "canceled";
                return Error("canceled", "query was canceled in expression evaluation", StatusClientClosedRequest);
            }

            outcome = "timeout";
            return Error("timeout", "query timed out in expression evaluation", StatusCodes.Status503ServiceUnavailable);
        }
        finally
        {
            stats.Finished(outcome);
        }
    }

    private static IResult Error(string type, string message, int status) =>
        Results.Json(new PrometheusResponse("error", ErrorType: type, Error: message), statusCode: status);
}
