using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Metrics;

namespace OpsConsole.Simulator.Services;

/// <summary>The six services of the demo SaaS, each with its telemetry SDK, its metrics and its /metrics port.</summary>
internal sealed class SaasServices : IAsyncDisposable
{
    public SaasServices(DemoWorkloadOptions options, Func<string, string> instanceId)
    {
        var next = 0;
        MetricsEndpoint Endpoint(Func<Prometheus.CollectorRegistry> registry) =>
            new(options.MetricsHost, options.MetricsPortBase == 0 ? 0 : options.MetricsPortBase + next++, registry);

        SimulatedService<T> Create<T>(string name, string version, Func<string, T> metrics)
            where T : ServiceMetrics =>
            new(name, version, new ServiceTelemetry(name, version, instanceId(name), options), Endpoint, metrics);

        Gateway = Create(ServiceNames.ApiGateway, "3.14.2", n => new GatewayMetrics(n));
        AgentApi = Create(ServiceNames.AgentApi, "2.7.0", n => new AgentApiMetrics(n));
        // The budget a finance team would set for this traffic: a little above what a month of it costs.
        var llmBudget = Math.Max(1_000, Math.Round(options.Rate * 4) * 1_000);
        Rag = Create(ServiceNames.RagService, "1.23.4", n => new RagServiceMetrics(n, llmBudget));
        Upload = Create(ServiceNames.UploadPipeline, "1.9.1", n => new UploadPipelineMetrics(n));
        MlEngine = Create(ServiceNames.MlEngine, "4.2.0", n => new MlEngineMetrics(n));
        DataPipeline = Create(ServiceNames.DataPipeline, "0.18.3", n => new DataPipelineMetrics(n));
        All = [Gateway, AgentApi, Rag, Upload, MlEngine, DataPipeline];
    }

    public SimulatedService<GatewayMetrics> Gateway { get; }

    public SimulatedService<AgentApiMetrics> AgentApi { get; }

    public SimulatedService<RagServiceMetrics> Rag { get; }

    public SimulatedService<UploadPipelineMetrics> Upload { get; }

    public SimulatedService<MlEngineMetrics> MlEngine { get; }

    public SimulatedService<DataPipelineMetrics> DataPipeline { get; }

    public IReadOnlyList<SimulatedService> All { get; }

    public SimulatedService Find(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"'{name}' is not a service of the demo SaaS ({string.Join(", ", ServiceNames.All)}).", nameof(name));

    public async ValueTask DisposeAsync()
    {
        foreach (var service in All)
        {
            await service.DisposeAsync();
        }
    }
}
