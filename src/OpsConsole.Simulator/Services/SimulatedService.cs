using OpsConsole.Simulator.Metrics;

namespace OpsConsole.Simulator.Services;

/// <summary>
/// One service of the demo SaaS: its telemetry SDK, its current metrics and its /metrics endpoint. It can go down
/// (its endpoint stops answering, it handles nothing) and come back as a fresh process (its counters restart).
/// </summary>
internal abstract class SimulatedService : IAsyncDisposable
{
    protected SimulatedService(string name, string version, ServiceTelemetry telemetry, MetricsEndpointFactory endpoints)
    {
        Name = name;
        Version = version;
        Telemetry = telemetry;
        Endpoint = endpoints(() => CurrentMetrics.Registry);
    }

    public string Name { get; }

    public string Version { get; }

    public ServiceTelemetry Telemetry { get; }

    public MetricsEndpoint Endpoint { get; }

    public bool IsUp { get; private set; } = true;

    public abstract ServiceMetrics CurrentMetrics { get; }

    /// <summary>Seconds spent serving requests in the current step (Little's law gives requests in progress).</summary>
    public double BusySeconds { get; set; }

    /// <summary>The process stops: its endpoint refuses connections. The returned task completes when it does.</summary>
    public Task GoDownAsync()
    {
        IsUp = false;
        return Endpoint.StopAsync(CancellationToken.None);
    }

    /// <summary>The process starts again with fresh counters. The returned task completes when its endpoint answers.</summary>
    public Task ComeBackAsync()
    {
        Restart();
        IsUp = true;
        return Endpoint.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        Telemetry.Dispose();
    }

    protected abstract void Restart();
}

internal delegate MetricsEndpoint MetricsEndpointFactory(Func<Prometheus.CollectorRegistry> registry);

/// <summary>A service with its own kind of metrics.</summary>
internal sealed class SimulatedService<TMetrics>(string name, string version, ServiceTelemetry telemetry, MetricsEndpointFactory endpoints, Func<string, TMetrics> createMetrics)
    : SimulatedService(name, version, telemetry, endpoints)
    where TMetrics : ServiceMetrics
{
    public TMetrics Metrics { get; private set; } = createMetrics(name);

    public override ServiceMetrics CurrentMetrics => Metrics;

    protected override void Restart() => Metrics = createMetrics(Name);
}
