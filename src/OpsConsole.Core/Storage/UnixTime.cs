namespace OpsConsole.Core.Storage;

/// <summary>Conversions between OTLP's nanoseconds since the Unix epoch and <see cref="DateTimeOffset"/>.</summary>
public static class UnixTime
{
    private const long NanosPerTick = 100;

    public static DateTimeOffset FromNanos(ulong nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(nanos / NanosPerTick, (ulong)(DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)));

    public static ulong ToNanos(DateTimeOffset time) =>
        time <= DateTimeOffset.UnixEpoch ? 0 : (ulong)(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * NanosPerTick;

    public static DateTimeOffset FromMillis(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
