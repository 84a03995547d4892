using OpsConsole.Core.Storage.Logs;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

/// <summary>
/// The part of a search older than its page is only counted, by the caller and a thread-pool helper taking segments
/// from a shared index. Whatever the helper does — start late, never start, race the caller for the last segment —
/// every segment counts exactly once, and a cancelled search stops instead of hanging on the helper.
/// </summary>
public sealed class SegmentCountTests
{
    private const int RecordsPerSegment = 10;

    /// <summary>Sealed segments of ten records each; record r of segment s says "timeout" when (s + r) % 3 == 0 and
    /// is an error when r % 2 == 0.</summary>
    private static LogSegment[] Segments(int count)
    {
        var segments = new LogSegment[count];
        for (var s = 0; s < count; s++)
        {
            var segment = new LogSegment(s, (long)s * RecordsPerSegment, RecordsPerSegment);
            for (var r = 0; r < RecordsPerSegment; r++)
            {
                var at = TimeSpan.FromSeconds((s * RecordsPerSegment) + r);
                var record = Log("acme", at, (s + r) % 3 == 0 ? "upstream timeout" : "request handled", severity: r % 2 == 0 ? 17 : 9);
                segment.Add(record, Nanos(at));
            }

            segment.Seal();
            segments[s] = segment;
        }

        return segments;
    }

    private static int Expected(int segments, int start, Func<int, int, bool> matches)
    {
        var total = 0;
        for (var s = start; s < segments; s++)
        {
            for (var r = 0; r < RecordsPerSegment; r++)
            {
                total += matches(s, r) ? 1 : 0;
            }
        }

        return total;
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(SegmentCount.ParallelMinimum, 0)]
    [InlineData(500, 0)]
    [InlineData(500, 123)]
    public void Of_AnyRunOfSegments_CountsEachMatchOnce(int count, int start)
    {
        var segments = Segments(count);
        var timeoutErrors = LogMatch.And(LogMatch.Term("timeout"), LogMatch.FieldEquals(LogField.Level, "error"));
        var phrase = LogMatch.Phrase("upstream timeout"); // not countable from postings: collected per segment
        var want = Expected(count, start, (s, r) => (s + r) % 3 == 0 && r % 2 == 0);
        var wantPhrase = Expected(count, start, (s, r) => (s + r) % 3 == 0);

        // Many rounds, so the helper sometimes starts before, during and after the caller's share.
        for (var round = 0; round < 50; round++)
        {
            Assert.Equal(want, SegmentCount.Of(segments, start, timeoutErrors, 0, ulong.MaxValue, [], CancellationToken.None));
            Assert.Equal(wantPhrase, SegmentCount.Of(segments, start, phrase, 0, ulong.MaxValue, [], CancellationToken.None));
        }
    }

    [Fact]
    public void Of_TimeRange_CountsOnlyRecordsInside()
    {
        var segments = Segments(200);
        var from = Nanos(TimeSpan.FromSeconds(105));
        var to = Nanos(TimeSpan.FromSeconds(1_777));

        var counted = SegmentCount.Of(segments, 0, LogMatch.Term("timeout"), from, to, [], CancellationToken.None);

        var want = 0;
        for (var second = 105; second < 1_777; second++)
        {
            want += ((second / RecordsPerSegment) + (second % RecordsPerSegment)) % 3 == 0 ? 1 : 0;
        }

        Assert.Equal(want, counted);
    }

    [Fact]
    public void Of_CancelledSearch_ThrowsInsteadOfCounting()
    {
        var segments = Segments(500);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => SegmentCount.Of(segments, 0, LogMatch.Term("timeout"), 0, ulong.MaxValue, [], cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => SegmentCount.Of(segments, 0, LogMatch.Phrase("upstream timeout"), 0, ulong.MaxValue, [], cancelled.Token));
    }
}
