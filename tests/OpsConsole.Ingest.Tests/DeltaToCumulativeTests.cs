using Google.Protobuf.Collections;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp;

namespace OpsConsole.Ingest.Tests;

public class DeltaToCumulativeTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly LabelSet Jobs = LabelSet.From(("__name__", "jobs_total"), ("queue", "a"));

    [Fact]
    public void TryAddSum_RunningTotalPerTenantAndSeries()
    {
        var state = new DeltaToCumulative();
        var ledger = new DeltaLedger();

        state.TryAddSum("acme", Jobs, Second, 5, ledger, out var first);
        state.TryAddSum("acme", Jobs, 2 * Second, 2.5, ledger, out var second);
        state.TryAddSum("globex", Jobs, 2 * Second, 1, ledger, out var other);

        Assert.Equal((5, 7.5, 1), (first, second, other));
        Assert.Equal(2, state.SeriesCount);
    }

    [Fact]
    public void Undo_TakesBackWhatTheRequestAdded()
    {
        var state = new DeltaToCumulative();
        state.TryAddSum("acme", Jobs, Second, 5, new DeltaLedger(), out _);
        var refused = new DeltaLedger();
        state.TryAddSum("acme", Jobs, 2 * Second, 3, refused, out var shown);

        state.Undo(refused);
        state.TryAddSum("acme", Jobs, 2 * Second, 3, new DeltaLedger(), out var retried);

        Assert.Equal(8, shown);
        Assert.Equal(8, retried);
    }

    [Fact]
    public void TryAddHistogram_BoundsChange_StartsAgain()
    {
        var state = new DeltaToCumulative();
        var totals = new ulong[3];
        state.TryAddHistogram("acme", Jobs, Second, Repeated(1.0, 2.0), Repeated(1UL, 1UL, 1UL), 3, 3, new DeltaLedger(), totals, out _, out _);

        var changed = new ulong[2];
        state.TryAddHistogram("acme", Jobs, 2 * Second, Repeated(5.0), Repeated(4UL, 0UL), 4, 8, new DeltaLedger(), changed, out var count, out var sum);

        Assert.Equal([4UL, 0UL], changed);
        Assert.Equal((4UL, 8.0), (count, sum));
    }

    [Fact]
    public void TryAddSum_Full_IdleSeriesForgottenAndNewOnesRejectedWhileAllActive()
    {
        var state = new DeltaToCumulative(maxSeries: 2, idleAfter: TimeSpan.FromMinutes(10));
        var ledger = new DeltaLedger();
        var minute = 60 * Second;
        state.TryAddSum("acme", Series("a"), 1 * minute, 1, ledger, out _);
        state.TryAddSum("acme", Series("b"), 5 * minute, 1, ledger, out _);

        var rejected = state.TryAddSum("acme", Series("c"), 6 * minute, 1, ledger, out _);
        var admittedAfterIdle = state.TryAddSum("acme", Series("d"), 12 * minute, 1, ledger, out var total);

        Assert.False(rejected);
        Assert.True(admittedAfterIdle);
        Assert.Equal(1, total);
        Assert.Equal(2, state.SeriesCount);
    }

    private static LabelSet Series(string queue) => LabelSet.From(("__name__", "jobs_total"), ("queue", queue));

    private static RepeatedField<T> Repeated<T>(params T[] values)
    {
        var field = new RepeatedField<T>();
        field.AddRange(values);
        return field;
    }
}
