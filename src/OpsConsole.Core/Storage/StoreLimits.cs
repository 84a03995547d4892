namespace OpsConsole.Core.Storage;

/// <summary>
/// How much one hot store may hold: items older than <see cref="Retention"/> (by their own timestamp, relative to
/// the store's clock) are evicted, and when the estimated memory passes <see cref="MemoryBudgetBytes"/> the oldest
/// items go first until it fits again.
/// </summary>
public sealed record StoreLimits(TimeSpan Retention, long MemoryBudgetBytes)
{
    public void Validate(string signal)
    {
        if (Retention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), Retention, $"The {signal} retention must be positive.");
        }

        if (MemoryBudgetBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), MemoryBudgetBytes, $"The {signal} memory budget must be positive.");
        }
    }
}

/// <summary>The limits of the three hot stores (configuration: <c>Retention:Traces</c> and friends).</summary>
public sealed record HotStoreOptions
{
    public const long Megabyte = 1024 * 1024;

    public StoreLimits Traces { get; init; } = new(TimeSpan.FromHours(24), 512 * Megabyte);

    public StoreLimits Logs { get; init; } = new(TimeSpan.FromHours(24), 512 * Megabyte);

    public StoreLimits Metrics { get; init; } = new(TimeSpan.FromDays(2), 256 * Megabyte);
}
