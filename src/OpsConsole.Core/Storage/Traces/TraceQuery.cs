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

    public TimeSpan? MinDuration { get; init; }

    public TimeSpan? MaxDuration { get; init; }

    public bool ErrorsOnly { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    public TraceSort Sort { get; init; }

    internal bool HasSpanConditions => Service is not null || Operation is not null || Tags.Count > 0 || ErrorsOnly;
}
