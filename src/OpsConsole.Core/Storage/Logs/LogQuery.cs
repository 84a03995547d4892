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
}

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

    /// <summary>Field values the index keeps lower-cased.</summary>
    internal static bool IsCaseInsensitive(string field) => field is Level or TraceId or SpanId;
}
