using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

/// <summary>
/// Trace search by tag through the span store's key=value index: the values it does not index (long ones, traces with
/// very many tags) still match, a span's own attribute still hides its resource's, and evicted traces leave the index.
/// </summary>
public sealed class SpanTagIndexTests
{
    private readonly FakeTimeProvider _time = new(Base + TimeSpan.FromHours(2));

    private SpanStore NewStore(TimeSpan? retention = null) => new(new StoreLimits(retention ?? TimeSpan.FromDays(1), long.MaxValue), _time);

    private static TraceId Trace(int n) => new(0xfeed, (ulong)n);

    private static Span Tagged(int n, params Domain.Telemetry.Attribute[] attributes) =>
        Span("acme", Trace(n), 1, "api-gateway", "GET /", TimeSpan.FromMinutes(n), TimeSpan.FromMilliseconds(5), attributes: attributes);

    private static List<ulong> Found(SpanStore store, string tag) =>
        [.. store.Search(new TraceQuery { Tags = [TagFilter.Parse(tag)], Limit = 100 }).Items.Select(t => t.TraceId.Low)];

    [Fact]
    public void Search_LongValueAndTraceWithManyTags_StillFound()
    {
        var store = NewStore();
        var longValue = new string('x', 300);
        var many = Enumerable.Range(0, 80).Select(k => Attr("k" + k, "v" + k)).ToArray();
        store.Add([Tagged(1, Attr("note", longValue)), Tagged(2, many), Tagged(3, Attr("k79", "other")), Tagged(4, Attr("k79", "v79"))]);

        Assert.Equal([1UL], Found(store, "note=" + longValue));
        Assert.Equal([4UL, 2UL], Found(store, "k79=v79"));
        Assert.Equal([2UL], Found(store, "k0=v0"));
        Assert.Empty(Found(store, "k79=v80"));
    }

    [Fact]
    public void Search_SpanAttributeHidesTheResourceOne_AndNumbersCompareAsText()
    {
        var store = NewStore();
        var withResource = Tagged(1, Attr("region", "eu"), Attr("http.status_code", 503)) with { Resource = ResourceOf("api-gateway", Attr("region", "us")) };
        store.Add([withResource, Tagged(2) with { Resource = ResourceOf("api-gateway", Attr("region", "us")) }]);

        Assert.Equal([1UL], Found(store, "region=eu"));
        Assert.Equal([2UL], Found(store, "region=us"));
        Assert.Equal([1UL], Found(store, "http.status_code=503"));
    }

    [Fact]
    public void Search_AfterRetentionEvictsTraces_TheyLeaveTheIndex()
    {
        var store = NewStore(retention: TimeSpan.FromHours(2));
        store.Add([.. Enumerable.Range(0, 10).Select(n => Tagged(n, Attr("user.id", "u" + (n % 2)), Attr("long", new string('y', 200))))]);
        var before = Found(store, "user.id=u1");

        _time.Advance(TimeSpan.FromMinutes(5)); // traces starting before 5 min go
        store.EvictExpired();
        var after = Found(store, "user.id=u1");
        var unindexed = Found(store, "long=" + new string('y', 200));
        store.Add([Tagged(20, Attr("user.id", "u1"))]);
        var again = Found(store, "user.id=u1");

        Assert.Equal([9UL, 7UL, 5UL, 3UL, 1UL], before);
        Assert.Equal([9UL, 7UL, 5UL], after);
        Assert.Equal([9UL, 8UL, 7UL, 6UL, 5UL], unindexed);
        Assert.Equal([20UL, 9UL, 7UL, 5UL], again);
    }

    [Fact]
    public void Search_PairTooCommonToIndex_StillFoundByScanningWithTheRightTotal()
    {
        // 10,050 traces share plan=free (past what one pair is indexed for); one of them also has a rare tag.
        var store = NewStore(retention: TimeSpan.FromDays(30));
        foreach (var chunk in Enumerable.Range(0, 10_050).Chunk(1000))
        {
            store.Add([.. chunk.Select(n => Tagged(n, n == 7 ? [Attr("plan", "free"), Attr("order", "o7")] : [Attr("plan", "free")]))]);
        }

        var common = store.Search(new TraceQuery { Tags = [TagFilter.Parse("plan=free")], Limit = 3 });
        var both = store.Search(new TraceQuery { Tags = [TagFilter.Parse("plan=free"), TagFilter.Parse("order=o7")], Limit = 3 });

        Assert.Equal(10_050, common.TotalCount);
        Assert.Equal([10_049UL, 10_048UL, 10_047UL], common.Items.Select(t => t.TraceId.Low));
        Assert.Equal(1, both.TotalCount);
        Assert.Equal([7UL], both.Items.Select(t => t.TraceId.Low));
    }
}
