using OpenTelemetry;
using OpenTelemetry.Logs;

namespace OpsConsole.Simulator.Tracing;

/// <summary>
/// Stamps a log record with the moment it happened inside its simulated request instead of the moment it was emitted,
/// so a log line sits inside its span's time range as it would in a real service.
/// </summary>
internal sealed class SimulatedLogTime : BaseProcessor<LogRecord>
{
    [ThreadStatic]
    private static DateTime? _current;

    /// <summary>Makes log records emitted on this thread carry <paramref name="at"/> until the scope is disposed.</summary>
    public static Scope At(DateTimeOffset at)
    {
        _current = at.UtcDateTime;
        return default;
    }

    public override void OnEnd(LogRecord data)
    {
        if (_current is { } at)
        {
            data.Timestamp = at;
        }
    }

    internal readonly struct Scope : IDisposable
    {
        public void Dispose() => _current = null;
    }
}
