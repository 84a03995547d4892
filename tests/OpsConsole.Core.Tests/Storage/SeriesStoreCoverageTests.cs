using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Storage;

/// <summary>
/// <see cref="SeriesStore.CompleteFromMs"/>: from when the hot store holds everything it was given, so the query
/// engine knows which part of a range it must read from the database.
/// </summary>
public sealed class SeriesStoreCoverageTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    [Fact]
    public void NewStore_CompleteForItsWholeRetention()
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromHours(2), long.MaxValue), _time);

        Assert.Equal(Ms(Now - TimeSpan.FromHours(2)), store.CompleteFromMs);

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Ms(Now - TimeSpan.FromHours(2) + TimeSpan.FromMinutes(10)), store.CompleteFromMs);
    }

    [Fact]
    public void MarkIncompleteBefore_MovesForwardNeverBack()
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), _time);

        store.MarkIncompleteBefore(Ms(Now - TimeSpan.FromHours(1)));
        store.MarkIncompleteBefore(Ms(Now - TimeSpan.FromHours(3)));

        Assert.Equal(Ms(Now - TimeSpan.FromHours(1)), store.CompleteFromMs);
    }

    [Fact]
    public void MemoryBudgetEviction_MovesCoveragePastTheEvictedSamples()
    {
        // No room for sealed chunks: each one is evicted as soon as the next chunk starts.
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), 1), _time);
        var labels = LabelSet.From(("__name__", "budget_probe"));
        var start = Ms(Now - TimeSpan.FromHours(5));
        for (var k = 0; k < 1_210; k++)
        {
            store.Append("default", labels, start + (k * 15_000), k);
        }

        var held = Assert.Single(store.Select(null, [LabelMatcher.Equal(LabelSet.MetricName, "budget_probe")], long.MinValue, long.MaxValue)).ToList();

        Assert.True(held.Count < 1_210, "the budget must have evicted the oldest samples");
        // Complete from just after the last evicted sample (15 s before the first one held).
        Assert.InRange(store.CompleteFromMs, held[0].TimestampMs - 15_000 + 1, held[0].TimestampMs);
    }
}
