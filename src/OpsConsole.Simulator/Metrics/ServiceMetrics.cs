using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>
/// One service's metrics in a registry of its own (none of prometheus-net's default collectors): what it serves on
/// /metrics. A restarted service gets a fresh set, so its counters start from zero again as a real process's would.
/// </summary>
internal abstract class ServiceMetrics
{
    protected ServiceMetrics(string service)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Http = new HttpMetrics(Factory, service);
        Process = new ProcessMetrics(Factory);
    }

    public CollectorRegistry Registry { get; }

    public HttpMetrics Http { get; }

    public ProcessMetrics Process { get; }

    protected MetricFactory Factory { get; }
}

internal sealed class GatewayMetrics : ServiceMetrics
{
    public GatewayMetrics(string service)
        : base(service) => Business = new BusinessMetrics(Factory).Prepared();

    public BusinessMetrics Business { get; }
}

internal sealed class AgentApiMetrics : ServiceMetrics
{
    public AgentApiMetrics(string service)
        : base(service)
    {
        Chat = new ChatMetrics(Factory);
        Llm = new LlmMetrics(Factory, monthlyBudgetDollars: null);
    }

    public ChatMetrics Chat { get; }

    public LlmMetrics Llm { get; }
}

internal sealed class RagServiceMetrics : ServiceMetrics
{
    public RagServiceMetrics(string service, double llmMonthlyBudgetDollars)
        : base(service)
    {
        Rag = new RagMetrics(Factory);
        Llm = new LlmMetrics(Factory, llmMonthlyBudgetDollars);
        Cache = new CacheMetrics(Factory);
        Database = new DatabaseMetrics(Factory);
    }

    public RagMetrics Rag { get; }

    public LlmMetrics Llm { get; }

    public CacheMetrics Cache { get; }

    public DatabaseMetrics Database { get; }
}

internal sealed class UploadPipelineMetrics : ServiceMetrics
{
    public UploadPipelineMetrics(string service)
        : base(service)
    {
        Upload = new UploadMetrics(Factory).Prepared();
        Database = new DatabaseMetrics(Factory);
    }

    public UploadMetrics Upload { get; }

    public DatabaseMetrics Database { get; }
}

internal sealed class MlEngineMetrics : ServiceMetrics
{
    public MlEngineMetrics(string service)
        : base(service)
    {
        Model = new ModelMetrics(Factory).Prepared();
        Cache = new CacheMetrics(Factory);
    }

    public ModelMetrics Model { get; }

    public CacheMetrics Cache { get; }
}

internal sealed class DataPipelineMetrics : ServiceMetrics
{
    public DataPipelineMetrics(string service)
        : base(service)
    {
        Pipeline = new PipelineMetrics(Factory);
        Database = new DatabaseMetrics(Factory);
    }

    public PipelineMetrics Pipeline { get; }

    public DatabaseMetrics Database { get; }
}
