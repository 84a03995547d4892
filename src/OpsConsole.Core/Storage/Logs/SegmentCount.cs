using System.Runtime.ExceptionServices;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Counts the matches of a run of segments — the part of a search older than its page, or a whole count — sharing the
/// work with one thread-pool thread when the run is long and the machine has more than one core. Counting is bound by
/// memory reads (bitmaps of hundreds of segments), which a second core overlaps. Both threads take the next segment
/// from a shared index, so the caller never waits for a helper that has not started yet (it abandons it) and at most
/// waits for the one segment the helper is counting.
/// </summary>
internal sealed class SegmentCount : IThreadPoolWorkItem
{
    /// <summary>Runs shorter than this are counted on the calling thread alone.</summary>
    public const int ParallelMinimum = 16;

    private const int Queued = 0;
    private const int Running = 1;
    private const int Abandoned = 2;
    private const int Finished = 3;

    private readonly LogSegment[] _segments;
    private readonly LogMatch _match;
    private readonly ulong _from;
    private readonly ulong _to;
    private readonly CancellationToken _cancellationToken;
    private int _next;
    private int _state;
    private int _helperTotal;
    private ExceptionDispatchInfo? _helperFailure;

    private SegmentCount(LogSegment[] segments, int start, LogMatch match, ulong from, ulong to, CancellationToken cancellationToken)
    {
        _segments = segments;
        _next = start;
        _match = match;
        _from = from;
        _to = to;
        _cancellationToken = cancellationToken;
    }

    /// <summary>How many held records of <paramref name="segments"/>[<paramref name="start"/>..] in [from, to) satisfy
    /// <paramref name="match"/>.</summary>
    public static int Of(LogSegment[] segments, int start, LogMatch match, ulong from, ulong to, List<int> scratch, CancellationToken cancellationToken)
    {
        var work = new SegmentCount(segments, start, match, from, to, cancellationToken);
        if (segments.Length - start < ParallelMinimum || Environment.ProcessorCount < 2)
        {
            return work.Drain(scratch);
        }

        ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
        int own;
        try
        {
            own = work.Drain(scratch);
        }
        catch
        {
            Interlocked.Exchange(ref work._next, segments.Length); // the helper stops after its current segment
            throw;
        }

        if (Interlocked.CompareExchange(ref work._state, Abandoned, Queued) != Queued)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref work._state) != Finished)
            {
                spin.SpinOnce();
            }

            work._helperFailure?.Throw();
        }

        return own + work._helperTotal;
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
        {
            return; // the caller finished the run alone
        }

        try
        {
            _helperTotal = Drain([]);
        }
        catch (Exception e)
        {
            _helperFailure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            Volatile.Write(ref _state, Finished);
        }
    }

    private int Drain(List<int> scratch)
    {
        var total = 0;
        int k;
        while ((k = Interlocked.Increment(ref _next) - 1) < _segments.Length)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            total += _segments[k].CountMatches(_match, _from, _to, scratch, _cancellationToken);
        }

        return total;
    }
}
