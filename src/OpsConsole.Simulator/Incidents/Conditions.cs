using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Incidents;

/// <summary>What the running incidents do to the system, as the request scenarios ask it.</summary>
internal sealed class Conditions(IncidentBoard incidents, Chance chance)
{
    public const double BurstErrorRate = 0.15;
    public const double LlmSlowdownFactor = 3.2;
    public const double CacheStormFactor = 0.35;

    /// <summary>The share of a service's own work that fails with a 5xx when nothing is wrong (≈0.5% at the gateway end to end).</summary>
    private static readonly Dictionary<string, double> BaselineErrorRates = new()
    {
        [ServiceNames.ApiGateway] = 0.0005,
        [ServiceNames.AgentApi] = 0.001,
        [ServiceNames.RagService] = 0.001,
        [ServiceNames.UploadPipeline] = 0.002,
        [ServiceNames.MlEngine] = 0.0015,
        [ServiceNames.DataPipeline] = 0.01,
    };

    public double ErrorRate(string service) =>
        incidents.IsOn(IncidentKind.ErrorBurst, service) ? BurstErrorRate : BaselineErrorRates.GetValueOrDefault(service);

    /// <summary>Whether this piece of the service's own work fails now.</summary>
    public bool Fails(string service) => chance.Happens(ErrorRate(service));

    public double LlmSlowdown(string provider) => incidents.IsOn(IncidentKind.SlowDependency, provider) ? LlmSlowdownFactor : 1;

    public double CacheHitFactor => incidents.Find(IncidentKind.CacheHitRateDrop) is null ? 1 : CacheStormFactor;

    public double UploadBacklog(DateTimeOffset at) => incidents.Find(IncidentKind.UploadBacklog)?.Severity(at) ?? 0;

    public double KafkaLag(DateTimeOffset at) => incidents.Find(IncidentKind.KafkaLag)?.Severity(at) ?? 0;

    public bool IsKafkaLagging => incidents.Find(IncidentKind.KafkaLag) is not null;
}
