namespace OpsConsole.Core.Storage;

/// <summary>
/// What a hot store holds right now, so the UI can say "how much is held and since when" and a cap is never
/// mistaken for a freeze: items (spans, log records, samples), their estimated memory, the oldest and newest
/// timestamps held, and how many items were evicted (by age or budget) or rejected (e.g. out-of-order samples)
/// since start.
/// </summary>
public sealed record StoreStats(
    long Items,
    long EstimatedBytes,
    DateTimeOffset? Oldest,
    DateTimeOffset? Newest,
    long Evicted,
    long Rejected)
{
    public static readonly StoreStats Empty = new(0, 0, null, null, 0, 0);
}
