using Microsoft.Extensions.Time.Testing;

namespace OpsConsole.Core.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it, so a test can wait until code under test is
/// really waiting (for example inside <c>Task.Delay(wait, timeProvider)</c>) before it advances the clock.
/// </summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private int _timersCreated;

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }

    /// <summary>Waits until at least <paramref name="count"/> timers have been created in all.</summary>
    public Task WaitForTimersAsync(int count) =>
        Eventually.TrueAsync(() => TimersCreated >= count, $"{count} timer(s) have been created (so far {TimersCreated})");
}
