namespace OpsConsole.Core.Storage.Traces;

public enum TraceSort : byte
{
    /// <summary>Newest trace first (the default).</summary>
    StartTimeDescending = 0,
    StartTimeAscending = 1,

    /// <summary>Longest trace first.</summary>
    DurationDescending = 2,
    DurationAscending = 3,
}

/// <summary>
/// A trace search. A trace matches when
/// <list type="bullet">
/// <item>it belongs to <see cref="TenantId"/> (any tenant when null — admins only; the query layer decides who may);</item>
/// <item>its start (earliest span start) is in [<see cref="From"/>, <see cref="To"/>);</item>
/// <item>its duration (earliest start to latest end) is within [<see cref="MinDuration"/>, <see cref="MaxDuration"/>];</item>
/// <item>it has spans of every service in <see cref="Services"/> (a trace-level condition: "traces through A and B");</item>
/// <item>and, when any span condition is given, at least one span satisfies all of them together (as in Jaeger):
/// its service is <see cref="Service"/>, its name is <see cref="Operation"/>, every tag in <see cref="Tags"/> holds
/// over its own and its resource's attributes, and with <see cref="ErrorsOnly"/> its status is Error.</item>
/// </list>
/// Results are sorted by <see cref="Sort"/> and cut at <see cref="Limit"/>; the total count is of all matches.
/// </summary>
public sealed record TraceQuery
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 5000;

    public string? TenantId { get; init; }

    public string? Service { get; init; }

    public string? Operation { get; init; }

    public IReadOnlyList<TagFilter> Tags { get; init; } = [];

    /// <summary>Services the trace must touch, each by at least one span (any span; independent of the span conditions).</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    public TimeSpan? MinDuration { get; init; }

    public TimeSpan? MaxDuration { get; init; }

    public bool ErrorsOnly { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    public TraceSort Sort { get; init; }

    public bool HasSpanConditions => Service is not null || Operation is not null || Tags.Count > 0 || ErrorsOnly;

    /// <summary>Whether one span satisfies every span condition (service, operation, tags, error status) at once.</summary>
    public bool SpanMatches(Domain.Telemetry.Span span)
    {
        ArgumentNullException.ThrowIfNull(span);
        if ((ErrorsOnly && span.StatusCode != Domain.Telemetry.SpanStatusCode.Error)
            || (Operation is not null && span.Name != Operation)
            || (Service is not null && span.ServiceName != Service))
        {
            return false;
        }

        foreach (var tag in Tags)
        {
            if (!tag.Matches(span))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The order of <see cref="Sort"/> over summaries (ties: newest first, then trace id, then tenant) — the
    /// same order the store sorts in, so pages from memory and from the database merge.</summary>
    public static Comparison<TraceSummary> Order(TraceSort sort) => sort switch
    {
        TraceSort.StartTimeAscending => static (a, b) => ByStart(a, b),
        TraceSort.DurationDescending => static (a, b) => Tie(b.Duration.CompareTo(a.Duration), b, a),
        TraceSort.DurationAscending => static (a, b) => Tie(a.Duration.CompareTo(b.Duration), b, a),
        _ => static (a, b) => ByStart(b, a),
    };

    private static int Tie(int c, TraceSummary newer, TraceSummary older) => c != 0 ? c : ByStart(newer, older);

    private static int ByStart(TraceSummary a, TraceSummary b)
    {
        var c = a.Start.CompareTo(b.Start);
        if (c == 0)
        {
            c = a.TraceId.CompareTo(b.TraceId);
        }

        return c != 0 ? c : string.CompareOrdinal(a.TenantId, b.TenantId);
    }
}
