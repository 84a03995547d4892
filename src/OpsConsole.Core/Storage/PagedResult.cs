namespace OpsConsole.Core.Storage;

/// <summary>
/// One page of query results: at most the requested number of <see cref="Items"/>, in the query's order, and
/// <see cref="TotalCount"/>, how many matched in all.
/// </summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount)
{
    public static readonly PagedResult<T> Empty = new([], 0);

    /// <summary>True when more matched than were returned.</summary>
    public bool IsTruncated => TotalCount > Items.Count;
}
