using Microsoft.Extensions.Options;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;

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
}

/// <summary>A log line as the API and the page show it.</summary>
public sealed record LogView(
    string Id, DateTimeOffset Time, ulong TimeUnixNano, string Level, string Service, string Tenant, string Message, string? TraceId, string? SpanId,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource)
{
    public static LogView From(HeldLogRecord held)
    {
        var l = held.Record;
        return new(
            held.Id.ToString(), UnixTime.FromNanos(held.Id.TimeUnixNano), held.Id.TimeUnixNano, l.Level, l.ServiceName, l.TenantId, LogText.Body(l) ?? "",
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

/// <summary>One page of a log search: the lines, all matches in the range, the next page's cursor, and since when the
/// hot store holds lines (older ones are only in the database, which this search does not read yet).</summary>
public sealed record LogPageView(IReadOnlyList<LogView> Items, long TotalCount, string? NextCursor, DateTimeOffset? HeldSince);

/// <summary>A histogram of matching lines over the range, stacked by level.</summary>
public sealed record LogHistogramView(DateTimeOffset From, DateTimeOffset To, int BucketSeconds, long Total, IReadOnlyList<LogHistogramBucket> Buckets);

public sealed record LogContextView(LogView Line, IReadOnlyList<LogView> Before, IReadOnlyList<LogView> After);

/// <summary>A search ran past <see cref="LogSearchOptions.QueryTimeout"/> and was stopped.</summary>
public sealed class LogQueryTimeoutException(TimeSpan limit)
    : Exception($"The search took longer than {limit.TotalSeconds:0.#} s and was stopped; narrow the time range or add terms and fields.");

/// <summary>
/// Log searches for the API and the Logs page: parses the query, scopes it to the caller's tenant (a tenant admin
/// only ever sees their tenant, whatever the query says), checks the range and limits, and runs it against the hot
/// store under a time limit that also ends when the caller goes away.
/// </summary>
public sealed class LogExplorer(TelemetryStores stores, TimeProvider time, IOptions<LogSearchOptions> options)
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

    public LogPageView Search(LogMatch match, string? tenantId, DateTimeOffset from, DateTimeOffset to, int limit, LogRecordId? before, CancellationToken cancellationToken)
    {
        var result = Run(ct => stores.Logs.Search(new LogSearch { Match = match, TenantId = tenantId, From = from, To = to, Limit = limit, Before = before }, ct), cancellationToken);
        return new LogPageView([.. result.Items.Select(LogView.From)], result.TotalCount, result.Next?.ToString(), stores.Logs.Stats().Oldest);
    }

    public LogHistogramView Histogram(LogMatch match, string? tenantId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var buckets = Run(ct => stores.Logs.Histogram(match, tenantId, from, to, bucket, ct), cancellationToken);
        return new LogHistogramView(from, to, (int)bucket.TotalSeconds, buckets.Sum(b => (long)b.Total), buckets);
    }

    public LogContextView? Context(LogRecordId id, string? tenantId, int before, int after, CancellationToken cancellationToken)
    {
        var context = Run(ct => stores.Logs.Context(id, tenantId, before, after, ct), cancellationToken);
        return context is null ? null : new LogContextView(LogView.From(context.Anchor), [.. context.Before.Select(LogView.From)], [.. context.After.Select(LogView.From)]);
    }

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

    private T Run<T>(Func<CancellationToken, T> query, CancellationToken cancellationToken)
    {
        // The limit runs on the console's clock, like every other time in a search.
        using var deadline = new CancellationTokenSource(Options.QueryTimeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return query(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LogQueryTimeoutException(Options.QueryTimeout);
        }
    }
}
