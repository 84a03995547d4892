using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Core.Traces;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Web.Traces;

/// <summary>Trace search results: what memory and, for the older part of the range, the database found.</summary>
public sealed record TraceSearchResult(IReadOnlyList<TraceSummary> Items, int TotalCount, bool Complete, bool UsedDatabase);

/// <summary>A search ran past <see cref="TraceExplorer.Timeout"/>.</summary>
public sealed class TraceSearchTimeoutException(TimeSpan after)
    : Exception($"The search took longer than {after.TotalSeconds:0} s and was stopped; narrow the time range or add conditions.");

/// <summary>
/// Reads traces for the API and the pages: the hot store for the part of the range it holds completely
/// (<see cref="SpanStore.CompleteSince"/>) and the database for anything older, merged into one ordered page. Every
/// database read is cancellable (the caller's token: the request, or the page going away) and time-limited.
/// </summary>
public sealed class TraceExplorer(TelemetryStores stores, TelemetryReader reader, TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>At most this many spans feed one service map.</summary>
    public const int MaxServiceMapSpans = 500_000;

    public async Task<TraceSearchResult> SearchAsync(TraceQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = time.GetUtcNow();
        var from = query.From ?? now - TraceSearchParameters.DefaultRange;
        var hotFrom = stores.Spans.CompleteSince;
        var hot = stores.Spans.Search(query with { From = from > hotFrom ? from : hotFrom });
        if (from >= hotFrom)
        {
            return new TraceSearchResult(hot.Items, hot.TotalCount, true, false);
        }

        var dbTo = query.To is { } t && t < hotFrom ? t : hotFrom;
        var cold = await WithTimeoutAsync(c => reader.SearchTracesAsync(query with { From = from, To = dbTo }, c), ct);
        var merged = hot.Items.Concat(cold.Items).ToList();
        merged.Sort(TraceQuery.Order(query.Sort));
        return new TraceSearchResult([.. merged.Take(query.Limit)], hot.TotalCount + cold.TotalCount, cold.Complete, true);
    }

    /// <summary>All spans of a trace (the caller's tenant, or all when null): memory, and the database when the trace
    /// may be older than what memory holds completely; spans found in both are kept once.</summary>
    public async Task<IReadOnlyList<Span>> GetTraceAsync(string? tenantId, TraceId traceId, CancellationToken ct)
    {
        var hot = stores.Spans.GetTrace(tenantId, traceId);
        if (hot.Count > 0 && UnixTime.FromNanos(hot[0].StartTimeUnixNano) >= stores.Spans.CompleteSince)
        {
            return hot;
        }

        var cold = await WithTimeoutAsync(c => reader.GetTraceAsync(tenantId, traceId, c), ct);
        if (hot.Count == 0)
        {
            return cold;
        }

        var seen = hot.Select(s => (s.TenantId, s.SpanId)).ToHashSet();
        var merged = hot.Concat(cold.Where(s => !seen.Contains((s.TenantId, s.SpanId)))).ToList();
        merged.Sort(static (a, b) =>
        {
            var c = a.StartTimeUnixNano.CompareTo(b.StartTimeUnixNano);
            return c != 0 ? c : a.SpanId.Value.CompareTo(b.SpanId.Value);
        });
        return merged;
    }

    /// <summary>The service map of the traces that start in [from, to) (the tenant's, or all when null).</summary>
    public async Task<ServiceMapGraph> ServiceMapAsync(string? tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var builder = new ServiceMapBuilder();
        var hotFrom = stores.Spans.CompleteSince;
        var (traces, complete) = stores.Spans.TracesBetween(tenantId, from > hotFrom ? from : hotFrom, to, MaxServiceMapSpans);
        var spans = 0;
        foreach (var trace in traces)
        {
            builder.AddTrace(trace);
            spans += trace.Count;
        }

        if (from < hotFrom && complete && spans < MaxServiceMapSpans)
        {
            var dbTo = to < hotFrom ? to : hotFrom;
            var limit = MaxServiceMapSpans - spans;
            var rows = await WithTimeoutAsync(c => reader.GetSpansAsync(tenantId, UnixTime.ToNanos(from), UnixTime.ToNanos(dbTo), limit, c), ct);
            complete = rows.Count < limit;
            foreach (var group in rows.GroupBy(s => (s.TenantId, s.TraceId)))
            {
                builder.AddTrace([.. group]);
            }
        }

        return builder.Build(from, to, complete);
    }

    private static async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            return await work(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TraceSearchTimeoutException(Timeout);
        }
    }
}
