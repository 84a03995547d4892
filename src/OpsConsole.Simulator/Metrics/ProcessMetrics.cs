using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The simulated process and host of a service: CPU time, resident memory, disk usage.</summary>
internal sealed class ProcessMetrics(MetricFactory factory)
{
    private readonly Counter _cpuSeconds = factory.CreateCounter(
        "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");

    private readonly Gauge _residentMemory = factory.CreateGauge(
        "process_resident_memory_bytes", "Resident memory size in bytes.");

    private readonly Gauge _diskUsage = factory.CreateGauge(
        "system_disk_usage_ratio", "Used share of the file system mounted at path (0..1).",
        new GaugeConfiguration { LabelNames = ["path"] });

    public void Used(double cpuSeconds, double residentBytes)
    {
        _cpuSeconds.Inc(Math.Max(0, cpuSeconds));
        _residentMemory.Set(Math.Round(residentBytes));
    }

    public void Disk(string path, double ratio) => _diskUsage.WithLabels(path).Set(Math.Clamp(ratio, 0, 1));
}
