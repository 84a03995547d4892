using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Metrics;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Simulation;

/// <summary>
/// Which recommendation model version serves each tenant and how well it ranks. A bad deploy (the model-quality
/// incident) ships a new version that ranks far worse for one tenant until it is rolled back.
/// </summary>
internal sealed class ModelDeployments(Chance chance)
{
    public const string ModelName = "recsys-two-tower";
    public const string StableVersion = "v2.4.1";
    public const string CandidateVersion = "v2.5.0";
    public const double DegradedFactor = 0.6;

    private static readonly Dictionary<string, double> TypicalNdcg = new()
    {
        ["acme"] = 0.74,
        ["globex"] = 0.71,
        ["initech"] = 0.69,
        ["umbrella"] = 0.67,
        ["hooli"] = 0.64,
    };

    private readonly Dictionary<string, string> _versions = Tenant.All.ToDictionary(t => t.Id, _ => StableVersion);
    private readonly Dictionary<string, double> _drift = Tenant.All.ToDictionary(t => t.Id, _ => 0.0);

    public string VersionFor(string tenantId) => _versions[tenantId];

    public bool IsDegraded(string tenantId) => _versions[tenantId] == CandidateVersion;

    public void DeployCandidate(string tenantId) => _versions[tenantId] = CandidateVersion;

    public void RollBack(string tenantId) => _versions[tenantId] = StableVersion;

    /// <summary>Sets the quality and deployment gauges for every tenant (quality drifts a little from step to step).</summary>
    public void Report(ModelMetrics metrics)
    {
        foreach (var (tenantId, ndcgTypical) in TypicalNdcg)
        {
            _drift[tenantId] = Math.Clamp((_drift[tenantId] * 0.995) + (chance.Normal() * 0.002), -0.03, 0.03);
            var ndcg = (ndcgTypical + _drift[tenantId]) * (IsDegraded(tenantId) ? DegradedFactor : 1);
            var version = _versions[tenantId];
            metrics.Deployed(tenantId, ModelName, version);
            metrics.Quality(tenantId, version, new ModelQuality(
                Ndcg: Math.Round(ndcg, 4),
                Map: Math.Round(ndcg * 0.82, 4),
                Precision: Math.Round(ndcg * 0.55, 4),
                Recall: Math.Round(Math.Min(1, ndcg * 1.12), 4)));
        }
    }
}
