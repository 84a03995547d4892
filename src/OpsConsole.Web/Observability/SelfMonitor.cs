using System.Diagnostics;
using Microsoft.AspNetCore.Components.Server.Circuits;
using OpsConsole.Core.Live;

namespace OpsConsole.Web.Observability;

/// <summary>Counts what the console itself does (HTTP requests, Blazor circuits) for the System health page and /metrics.</summary>
public sealed class SelfCounters
{
    private long _httpRequests;
    private int _circuits;

    public long HttpRequests => Interlocked.Read(ref _httpRequests);
    public int ActiveCircuits => Volatile.Read(ref _circuits);

    public void HttpRequestStarted() => Interlocked.Increment(ref _httpRequests);

    internal void CircuitOpened()
    {
        Interlocked.Increment(ref _circuits);
        SelfMetrics.Circuits.Inc();
    }

    internal void CircuitClosed()
    {
        Interlocked.Decrement(ref _circuits);
        SelfMetrics.Circuits.Dec();
    }
}

/// <summary>Tracks open Blazor circuits.</summary>
public sealed class CircuitCounter(SelfCounters counters) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        counters.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        counters.CircuitClosed();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Samples the process once a second and publishes a <see cref="ProcessSnapshot"/> on a live feed; pages
/// subscribe to it and are pushed each new sample over their circuit (no polling from the browser).
/// </summary>
public sealed class SelfMonitor(SelfCounters counters, LiveFeed<ProcessSnapshot> feed, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly DateTimeOffset _startedAt = GetStartTime(time);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var process = Process.GetCurrentProcess();
        var lastCpu = process.TotalProcessorTime;
        var lastRequests = counters.HttpRequests;
        var lastTick = time.GetTimestamp();
        feed.Publish(Sample(process, 0, 0));
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            process.Refresh();
            var elapsed = time.GetElapsedTime(lastTick);
            lastTick = time.GetTimestamp();
            var cpu = process.TotalProcessorTime;
            var requests = counters.HttpRequests;
            var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
            var cpuPercent = (cpu - lastCpu).TotalSeconds / seconds / Environment.ProcessorCount * 100;
            var rate = (requests - lastRequests) / seconds;
            lastCpu = cpu;
            lastRequests = requests;
            feed.Publish(Sample(process, Math.Clamp(cpuPercent, 0, 100), rate));
        }
    }

    private ProcessSnapshot Sample(Process process, double cpuPercent, double requestRate)
    {
        var now = time.GetUtcNow();
        return new ProcessSnapshot(
            now, now - _startedAt, process.WorkingSet64, GC.GetTotalMemory(false), cpuPercent, process.Threads.Count,
            counters.HttpRequests, requestRate, counters.ActiveCircuits, GC.CollectionCount(2));
    }

    private static DateTimeOffset GetStartTime(TimeProvider time)
    {
        using var process = Process.GetCurrentProcess();
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        return started > time.GetUtcNow() ? time.GetUtcNow() : started;
    }
}
