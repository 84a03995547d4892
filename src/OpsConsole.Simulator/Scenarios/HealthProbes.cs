using OpsConsole.Simulator.Simulation;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>The orchestrator's liveness probes: GET /healthz on every running service every 15 seconds (metrics only).</summary>
internal sealed class HealthProbes(DemoSaas saas)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    private DateTimeOffset _next;

    public void Advance(DateTimeOffset now)
    {
        if (now < _next)
        {
            return;
        }

        _next = now + Every;
        foreach (var service in saas.Services.All)
        {
            if (service.IsUp)
            {
                service.CurrentMetrics.Http.Served("GET", "/healthz", 200, "", saas.Chance.Latency(0.0015, 0.3));
            }
        }
    }
}
