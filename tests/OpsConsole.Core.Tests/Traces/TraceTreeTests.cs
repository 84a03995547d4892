using System.Diagnostics;
using OpsConsole.Core.Traces;
using OpsConsole.Domain.Telemetry;
using Xunit.Abstractions;

namespace OpsConsole.Core.Tests.Traces;

public sealed class TraceTreeTests(ITestOutputHelper output)
{
    private static readonly TraceId Trace = new(7, 7);

    /// <summary>A span from <paramref name="start"/> to <paramref name="end"/> milliseconds.</summary>
    internal static Span S(ulong id, ulong parent, string service, int start, int end, bool error = false) => new()
    {
        TenantId = "acme", TraceId = Trace, SpanId = new SpanId(id), ParentSpanId = new SpanId(parent), Name = "op-" + id,
        StartTimeUnixNano = 1_000_000_000_000UL + ((ulong)start * 1_000_000), EndTimeUnixNano = 1_000_000_000_000UL + ((ulong)end * 1_000_000),
        StatusCode = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of(service))]),
    };

    /// <summary>
    /// A [0,100] → B [5,30], C [20,90] → D [40,80], E [85,88]. Walking back from A's end: C finished last (E overlaps C
    /// and ends before it, so it is not what A waited for), inside C it is D; before C started, nothing — B overlaps C's start.
    /// Critical: A [0,20] and [90,100], C [20,40] and [80,90], D [40,80]; B and E are off the path.
    /// </summary>
    internal static List<Span> Sample() =>
    [
        S(4, 3, "db", 40, 80, error: true), S(1, 0, "gateway", 0, 100), S(5, 1, "cache", 85, 88), S(3, 1, "rag", 20, 90), S(2, 1, "auth", 5, 30),
    ];

    private static (ulong, ulong) Ms(int a, int b) => (1_000_000_000_000UL + ((ulong)a * 1_000_000), 1_000_000_000_000UL + ((ulong)b * 1_000_000));

    [Fact]
    public void Build_NestsChildrenUnderParentsInStartOrder()
    {
        var tree = TraceTree.Build(Sample());

        Assert.Equal([1UL, 2, 3, 4, 5], tree.Nodes.Select(n => n.Span.SpanId.Value));
        Assert.Equal([0, 1, 1, 2, 1], tree.Nodes.Select(n => n.Depth));
        Assert.Equal(4, tree.Nodes[0].Descendants);
        Assert.Equal(["gateway", "auth", "rag", "db", "cache"], tree.Services);
        Assert.Equal(TimeSpan.FromMilliseconds(100), tree.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(40), tree.Nodes[3].Offset);
    }

    [Fact]
    public void CriticalPath_FollowsTheWorkThatDeterminedTheEnd()
    {
        var tree = TraceTree.Build(Sample());
        var byId = tree.Nodes.ToDictionary(n => n.Span.SpanId.Value);

        Assert.Equal([Ms(0, 20), Ms(90, 100)], byId[1].CriticalSections);
        Assert.Equal([Ms(20, 40), Ms(80, 90)], byId[3].CriticalSections);
        Assert.Equal([Ms(40, 80)], byId[4].CriticalSections);
        Assert.False(byId[2].OnCriticalPath);
        Assert.False(byId[5].OnCriticalPath);
    }

    [Fact]
    public void Errors_MarkTheSpanAndItsAncestors()
    {
        var tree = TraceTree.Build(Sample());

        Assert.Equal(1, tree.ErrorCount);
        Assert.Equal([true, false, true, true, false], tree.Nodes.Select(n => n.SubtreeHasError));
        Assert.Equal([false, false, false, true, false], tree.Nodes.Select(n => n.IsError));
    }

    [Fact]
    public void VisibleRows_CollapsedSubtreesAndSearch()
    {
        var tree = TraceTree.Build(Sample());

        var collapsed = tree.VisibleRows(new HashSet<ulong> { 3 });
        var searched = tree.VisibleRows(new HashSet<ulong>(), s => TraceTree.SpanContains(s, "DB"));

        Assert.Equal([1UL, 2, 3, 5], collapsed.Select(n => n.Span.SpanId.Value));
        Assert.Equal([1UL, 3, 4], searched.Select(n => n.Span.SpanId.Value)); // the match and its ancestors
    }

    [Fact]
    public void Build_LateAndMissingParents_OrphansBecomeMarkedRootsAndJoinWhenTheParentArrives()
    {
        var early = Sample().Where(s => s.SpanId.Value != 3).ToList(); // rag (parent of db) not arrived yet

        var before = TraceTree.Build(early);
        var after = TraceTree.Build([.. early, .. Sample().Where(s => s.SpanId.Value == 3), Sample()[0]]); // a re-sent span counts once

        var orphan = before.Roots.Single(r => r.Span.SpanId.Value == 4);
        Assert.True(orphan.ParentMissing);
        Assert.Equal(5, after.Nodes.Count);
        Assert.Single(after.Roots);
        Assert.Equal(3UL, after.Nodes.Single(n => n.Span.SpanId.Value == 4).Parent!.Span.SpanId.Value);
    }

    [Fact]
    public void Build_ParentCycle_DoesNotHangAndShowsEverySpan()
    {
        var spans = new List<Span> { S(1, 2, "a", 0, 10), S(2, 1, "a", 1, 9), S(3, 0, "b", 0, 20) };

        var tree = TraceTree.Build(spans);

        Assert.Equal(3, tree.Nodes.Count);
        Assert.Equal(3UL, tree.MainRoot!.Span.SpanId.Value);
    }

    [Fact]
    public void Build_TenThousandSpans_IsFastEnoughToOpen()
    {
        // A wide and deep trace: each span's parent is a random earlier one, with a long chain in it.
        var random = new Random(3);
        var spans = new List<Span> { S(1, 0, "svc-0", 0, 100_000) };
        for (var i = 2; i <= 10_000; i++)
        {
            var parent = i <= 3000 ? (ulong)(i - 1) : (ulong)random.Next(1, i);
            var start = random.Next(0, 90_000);
            spans.Add(S((ulong)i, parent, "svc-" + (i % 12), start, start + random.Next(1, 10_000), error: i % 997 == 0));
        }

        var shuffled = spans.OrderBy(_ => random.Next()).ToList();
        TraceTree.Build(shuffled); // warm up the JIT
        var watch = Stopwatch.StartNew();
        var tree = TraceTree.Build(shuffled);
        var built = watch.Elapsed;
        watch.Restart();
        var rows = tree.VisibleRows(new HashSet<ulong>());
        var filtered = tree.VisibleRows(new HashSet<ulong>(), s => TraceTree.SpanContains(s, "svc-7"));
        var rowsTime = watch.Elapsed;

        output.WriteLine($"10,000-span trace: tree + critical path built in {built.TotalMilliseconds:0.0} ms; visible rows (all, then searched) in {rowsTime.TotalMilliseconds:0.0} ms");
        Assert.Equal(10_000, tree.Nodes.Count);
        Assert.Equal(10_000, rows.Count);
        Assert.True(filtered.Count < rows.Count);
        Assert.True(tree.MaxDepth >= 2999);
        Assert.True(tree.Nodes[0].OnCriticalPath);
    }
}
