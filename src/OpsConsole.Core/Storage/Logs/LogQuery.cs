namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// One posting a log query can require or exclude: a body <see cref="Term"/> (tokenized by <see cref="LogTokenizer"/>;
/// every token must occur, so <c>Term("connection refused")</c> needs both words, in any order) or a
/// <see cref="Field"/> with an exact value. Fields: <c>level</c> (trace, debug, info, warn, error, fatal; compared
/// case-insensitively), <c>service</c>, <c>tenant</c>, <c>trace_id</c> and <c>span_id</c> (hex, case-insensitive),
/// and any record or resource attribute key (its scalar value as text; values over
/// <see cref="LogFieldNames.MaxIndexedValueLength"/> characters, arrays and maps are not indexed).
/// </summary>
public readonly record struct LogPosting(string? FieldName, string Value)
{
    public static LogPosting Term(string text) => new(null, text ?? throw new ArgumentNullException(nameof(text)));

    public static LogPosting Field(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        return new(name, value);
    }

    public bool IsTerm => FieldName is null;

    public override string ToString() => FieldName is null ? Value : FieldName + ":" + Value;
}

/// <summary>
/// The primitive the log query language compiles to: records of <see cref="TenantId"/> (all tenants when null) in
/// [<see cref="From"/>, <see cref="To"/>) holding every <see cref="Include"/> posting, none of the
/// <see cref="Exclude"/> postings, and passing <see cref="Filter"/> (for what postings cannot say, such as phrases);
/// newest first, at most <see cref="Limit"/>.
/// </summary>
public sealed record LogQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    public string? TenantId { get; init; }

    public IReadOnlyList<LogPosting> Include { get; init; } = [];

    public IReadOnlyList<LogPosting> Exclude { get; init; } = [];

    public Func<Domain.Telemetry.LogRecord, bool>? Filter { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    /// <summary>The same condition as a <see cref="LogMatch"/> (tenant included).</summary>
    public LogMatch ToMatch()
    {
        var parts = new List<LogMatch>();
        if (TenantId is not null)
        {
            parts.Add(LogMatch.FieldEquals(LogField.Tenant, TenantId));
        }

        foreach (var posting in Include)
        {
            if (posting.IsTerm)
            {
                parts.AddRange(LogTokenizer.Tokenize(posting.Value).Select(LogMatch.Term));
            }
            else
            {
                parts.Add(LogMatch.FieldEquals(LogField.Named(posting.FieldName!), posting.Value));
            }
        }

        foreach (var posting in Exclude)
        {
            if (posting.IsTerm)
            {
                var tokens = LogTokenizer.Tokenize(posting.Value);
                if (tokens.Count > 0)
                {
                    parts.Add(LogMatch.Not(LogMatch.And(tokens.Select(LogMatch.Term))));
                }
            }
            else
            {
                parts.Add(LogMatch.Not(LogMatch.FieldEquals(LogField.Named(posting.FieldName!), posting.Value)));
            }
        }

        if (Filter is not null)
        {
            parts.Add(LogMatch.Predicate(Filter));
        }

        return LogMatch.And(parts);
    }
}

/// <summary>
/// The stable id of a held log record: its time and its store-wide arrival sequence number, written
/// <c>{time in Unix ns}-{sequence}</c>. Ids order like results do (time, then arrival). They are stable while the
/// record is held in memory; after a restart records reloaded from the database get new sequence numbers, so an old
/// id then finds nothing rather than a different record.
/// </summary>
public readonly record struct LogRecordId(ulong TimeUnixNano, long Sequence) : IComparable<LogRecordId>
{
    public int CompareTo(LogRecordId other) => TimeUnixNano != other.TimeUnixNano ? TimeUnixNano.CompareTo(other.TimeUnixNano) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(LogRecordId a, LogRecordId b) => a.CompareTo(b) < 0;

    public static bool operator >(LogRecordId a, LogRecordId b) => a.CompareTo(b) > 0;

    public static bool operator <=(LogRecordId a, LogRecordId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(LogRecordId a, LogRecordId b) => a.CompareTo(b) >= 0;

    public override string ToString() => TimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out LogRecordId id)
    {
        id = default;
        var dash = text?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (dash <= 0 || text!.Length > 48
            || !ulong.TryParse(text.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var time)
            || !long.TryParse(text.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        id = new LogRecordId(time, sequence);
        return true;
    }
}

/// <summary>A log record as the hot store holds it, with its id.</summary>
public sealed record HeldLogRecord(LogRecordId Id, Domain.Telemetry.LogRecord Record);

/// <summary>
/// A search of the hot store: records of <see cref="TenantId"/> (all when null) in [<see cref="From"/>,
/// <see cref="To"/>) satisfying <see cref="Match"/>, newest first, at most <see cref="Limit"/>, and only those ordered
/// before <see cref="Before"/> when given (the cursor of the next page).
/// </summary>
public sealed record LogSearch
{
    public LogMatch Match { get; init; } = LogMatch.All;

    public string? TenantId { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = LogQuery.DefaultLimit;

    public LogRecordId? Before { get; init; }
}

/// <summary>One page of a search: <see cref="TotalCount"/> counts every match in the range (cursor aside);
/// <see cref="Next"/> is the cursor of the next page when more remain.</summary>
public sealed record LogSearchResult(IReadOnlyList<HeldLogRecord> Items, int TotalCount, LogRecordId? Next);

/// <summary>A record with up to N records before and after it from the same service and tenant, oldest first.</summary>
public sealed record LogContext(HeldLogRecord Anchor, IReadOnlyList<HeldLogRecord> Before, IReadOnlyList<HeldLogRecord> After);

/// <summary>Record counts in one time bucket of a log histogram, in all and per level.</summary>
public sealed record LogHistogramBucket(DateTimeOffset Start, int Total, int Trace, int Debug, int Info, int Warn, int Error, int Fatal);

/// <summary>The reserved field names of the log index and the level order.</summary>
public static class LogFieldNames
{
    public const string Level = "level";
    public const string Service = "service";
    public const string Tenant = "tenant";
    public const string TraceId = "trace_id";
    public const string SpanId = "span_id";

    /// <summary>Attribute values longer than this are not indexed as fields.</summary>
    public const int MaxIndexedValueLength = 256;

    /// <summary>Level names in severity order; a level's position is its number in histograms.</summary>
    public static readonly IReadOnlyList<string> Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    internal static byte LevelNumber(string level) => level switch
    {
        "trace" => 0,
        "debug" => 1,
        "info" => 2,
        "warn" => 3,
        "error" => 4,
        _ => 5,
    };

}
