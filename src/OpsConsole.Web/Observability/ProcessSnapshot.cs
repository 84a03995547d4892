namespace OpsConsole.Web.Observability;

/// <summary>One sample of the console's own process, published every second to the System health page.</summary>
public sealed record ProcessSnapshot(
    DateTimeOffset At,
    TimeSpan Uptime,
    long WorkingSetBytes,
    long ManagedHeapBytes,
    double CpuPercent,
    int Threads,
    long HttpRequestsTotal,
    double HttpRequestsPerSecond,
    int ActiveCircuits,
    int Gen2Collections);
