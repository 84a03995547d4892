using Microsoft.Extensions.Options;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Web.Logs;

/// <summary>The <c>Logs</c> section: limits of log searches (API and page alike).</summary>
public sealed class LogSearchOptions
{
    public const string SectionName = "Logs";

    /// <summary>A search, histogram or context lookup running longer is stopped.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest time range one search may cover.</summary>
    public TimeSpan MaxRange { get; set; } = TimeSpan.FromDays(31);

    /// <summary>The most lines one page may hold.</summary>
    public int MaxLimit { get; set; } = 1000;

    /// <summary>Live tail shows at most this many lines a second; more are counted, not shown.</summary>
    public int TailMaxLinesPerSecond { get; set; } = 100;

    /// <summary>How often the background indexer adds stored lines to the database's full-text index.</summary>
    public TimeSpan IndexInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Lines are indexed once they are this old (the intake's commits never wait on the index).</summary>
    public TimeSpan IndexLag { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Lines indexed per database transaction.</summary>
    public int IndexBatch { get; set; } = 5000;

    /// <summary>A search of stored (older) lines checks at most this many candidates; past it the count is "at least".</summary>
    public int DatabaseScanBudget { get; set; } = 200_000;
}

/// <summary>A log line as the API and the page show it.</summary>
public sealed record LogView(
    string Id, DateTimeOffset Time, ulong TimeUnixNano, string Level, string Service, string Tenant, string Message, string? TraceId, string? SpanId,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource)
{
    public static LogView From(HeldLogRecord held) => From(held.Id, held.Record);

    public static LogView From(StoredLogRecord stored) => From(stored.Id, stored.Record);

    private static LogView From(LogRecordId id, LogRecord l)
    {
        return new(
            id.ToString(), UnixTime.FromNanos(id.TimeUnixNano), id.TimeUnixNano, l.Level, l.ServiceName, l.TenantId, LogText.Body(l) ?? "",
            l.TraceId.IsEmpty ? null : l.TraceId.ToString(), l.SpanId.IsEmpty ? null : l.SpanId.ToString(), Texts(l.Attributes), Texts(l.Resource.Attributes));
    }

    private static Dictionary<string, string> Texts(IReadOnlyList<Domain.Telemetry.Attribute> attributes)
    {
        var d = new Dictionary<string, string>(attributes.Count);
        foreach (var a in attributes)
        {
            d[a.Key] = a.Value.ToString();
        }

        return d;
    }
}

/// <summary>
/// One page of a log search: the lines, all matches in the range (a lower bound when <paramref name="CountIsLowerBound"/>:
/// the database part stopped at its scan budget), the next page's cursor, since when the hot store holds lines (older
/// ones came from the database), and whether the database was searched.
/// </summary>
public sealed record LogPageView(
    IReadOnlyList<LogView> Items, long TotalCount, string? NextCursor, DateTimeOffset? HeldSince, bool SearchedDatabase = false, bool CountIsLowerBound = false);

/// <summary>A histogram of matching lines over the range, stacked by level.</summary>
public sealed record LogHistogramView(
    DateTimeOffset From, DateTimeOffset To, int BucketSeconds, long Total, IReadOnlyList<LogHistogramBucket> Buckets, bool CountIsLowerBound = false);

public sealed record LogContextView(LogView Line, IReadOnlyList<LogView> Before, IReadOnlyList<LogView> After);

/// <summary>A search ran past <see cref="LogSearchOptions.QueryTimeout"/> and was stopped.</summary>
public sealed class LogQueryTimeoutException(TimeSpan limit)
    : Exception($"The search took longer than {limit.TotalSeconds:0.#} s and was stopped; narrow the time range or add terms and fields.");

/// <summary>
/// Log searches for the API and the Logs page: parses the query, scopes it to the caller's tenant (a tenant admin
/// only ever sees their tenant, whatever the query says), checks the range and limits, and runs it under a time limit
/// that also ends when the caller goes away. The part of the range the hot store holds is searched in memory; the part
/// before it (lines that have left memory) in the database, with the same query semantics, and the two are joined
/// into one newest-first answer.
/// </summary>
public sealed class LogExplorer(TelemetryStores stores, LogHistorySearch history, TimeProvider time, IOptions<LogSearchOptions> options)
{
    /// <summary>Bucket sizes the histogram picks from, so that a range gets about 60 to 150 bars.</summary>
    private static readonly int[] NiceBuckets = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

    public LogSearchOptions Options => options.Value;

    public DateTimeOffset Now => time.GetUtcNow();

    public LogTail Tail => stores.Logs.Tail;

    /// <summary>Parses a query; <paramref name="error"/> carries the message and position when it is not valid.</summary>
    public static LogMatch? ParseQuery(string? query, out LogQueryParseException? error)
    {
        try
        {
            error = null;
            return LogQueryParser.Parse(query);
        }
        catch (LogQueryParseException e)
        {
            error = e;
            return null;
        }
    }

    /// <summary>Checks a range: from before to, not longer than the maximum. Returns the problem, or null.</summary>
    public string? CheckRange(DateTimeOffset from, DateTimeOffset to)
    {
        if (from >= to)
        {
            return $"The range is empty: from ({from:O}) must be before to ({to:O}).";
        }

        return to - from > Options.MaxRange
            ? $"The range is {(to - from).TotalDays:0.#} days long; at most {Options.MaxRange.TotalDays:0.#} days can be searched at once."
            : null;
    }

    /// <summary>
    /// Where the hot store's coverage starts within [from, to): the database answers [from, split), memory [split, to).
    /// </summary>
    private (DateTimeOffset Split, DateTimeOffset HeldSince) Split(DateTimeOffset from, DateTimeOffset to)
    {
        // Memory holds every line from CompleteSince on (older ones it may hold too, but not all of them).
        var heldSince = stores.Logs.CompleteSince;
        var split = heldSince <= from ? from : heldSince >= to ? to : heldSince;
        return (split, heldSince);
    }

    private LogHistoryQuery Stored(LogMatch match, string? tenantId, DateTimeOffset from, DateTimeOffset to, int limit, LogRecordId? before) => new()
    {
        Match = match,
        TenantId = tenantId,
        FromUnixNano = UnixTime.ToNanos(from),
        ToUnixNano = UnixTime.ToNanos(to),
        Limit = limit,
        Before = before,
        ScanBudget = Options.DatabaseScanBudget,
    };

    public Task<LogPageView> SearchAsync(LogMatch match, string? tenantId, DateTimeOffset from, DateTimeOffset to, int limit, LogRecordId? before, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var (split, heldSince) = Split(from, to);
            var splitNanos = UnixTime.ToNanos(split);
            var hot = split < to
                ? stores.Logs.Search(new LogSearch { Match = match, TenantId = tenantId, From = split, To = to, Limit = limit, Before = before }, ct)
                : null;
            var items = hot?.Items.Select(LogView.From).ToList() ?? [];
            long total = hot?.TotalCount ?? 0;
            var next = hot?.Next?.ToString();
            var lowerBound = false;
            if (from < split)
            {
                // The cursor moves into the stored part once the page before it ended there (or in memory's last line).
                var storedBefore = before is { } b && b.TimeUnixNano < splitNanos ? b : (LogRecordId?)null;
                var wanted = Math.Max(1, limit - items.Count);
                var stored = await history.SearchAsync(Stored(match, tenantId, from, split, wanted, storedBefore), ct);
                total += stored.TotalCount;
                lowerBound = stored.CountIsLowerBound;
                if (items.Count < limit)
                {
                    items.AddRange(stored.Items.Take(limit - items.Count).Select(LogView.From));
                    next ??= stored.Items.Count >= wanted && items.Count > 0 ? items[^1].Id : null;
                }
                else
                {
                    next ??= stored.TotalCount > 0 ? items[^1].Id : null;
                }
            }

            return new LogPageView(items, total, next, heldSince, SearchedDatabase: from < split, CountIsLowerBound: lowerBound);
        }, cancellationToken);

    public Task<LogHistogramView> HistogramAsync(LogMatch match, string? tenantId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var (split, _) = Split(from, to);
            var buckets = stores.Logs.Histogram(match, tenantId, from, to, bucket, ct).ToList();
            var lowerBound = false;
            if (from < split)
            {
                // Same grid (from `from`, same width): the stored counts add to the first buckets.
                var (stored, partial) = await history.HistogramAsync(Stored(match, tenantId, from, split, 1, null), bucket, ct);
                lowerBound = partial;
                for (var i = 0; i < stored.Count && i < buckets.Count; i++)
                {
                    var (a, b) = (buckets[i], stored[i]);
                    buckets[i] = a with
                    {
                        Total = a.Total + b.Total, Trace = a.Trace + b.Trace, Debug = a.Debug + b.Debug, Info = a.Info + b.Info,
                        Warn = a.Warn + b.Warn, Error = a.Error + b.Error, Fatal = a.Fatal + b.Fatal,
                    };
                }
            }

            return new LogHistogramView(from, to, (int)bucket.TotalSeconds, buckets.Sum(b => (long)b.Total), buckets, lowerBound);
        }, cancellationToken);

    public Task<LogContextView?> ContextAsync(LogRecordId id, string? tenantId, int before, int after, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            if (stores.Logs.Context(id, tenantId, before, after, ct) is { } context)
            {
                return new LogContextView(LogView.From(context.Anchor), [.. context.Before.Select(LogView.From)], [.. context.After.Select(LogView.From)]);
            }

            // Not in memory: a stored line's id carries its row id (and its time, which must agree). Lines memory
            // is complete for never need the database.
            if (UnixTime.FromNanos(id.TimeUnixNano) >= stores.Logs.CompleteSince)
            {
                return null;
            }

            var stored = await history.ContextAsync(id.Sequence, tenantId, before, after, ct);
            return stored is { } s && s.Anchor.Record.TimeUnixNano == id.TimeUnixNano
                ? new LogContextView(LogView.From(s.Anchor), [.. s.Before.Select(LogView.From)], [.. s.After.Select(LogView.From)])
                : null;
        }, cancellationToken);

    /// <summary>A bucket size giving about 60–150 buckets over the range (at least a second).</summary>
    public static TimeSpan ChooseBucket(TimeSpan range)
    {
        var seconds = range.TotalSeconds / 100;
        foreach (var b in NiceBuckets)
        {
            if (b >= seconds)
            {
                return TimeSpan.FromSeconds(b);
            }
        }

        return TimeSpan.FromSeconds(NiceBuckets[^1]);
    }

    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        // The limit runs on the console's clock, like every other time in a search.
        using var deadline = new CancellationTokenSource(Options.QueryTimeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await query(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LogQueryTimeoutException(Options.QueryTimeout);
        }
    }
}
