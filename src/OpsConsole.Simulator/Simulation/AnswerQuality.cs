using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Simulation;

/// <summary>How good generated answers are judged to be, per tenant, and their moving average.</summary>
internal sealed class AnswerQuality(Chance chance)
{
    private readonly Dictionary<string, double> _average = Tenant.All.ToDictionary(t => t.Id, t => Typical(t.Id));

    public IReadOnlyDictionary<string, double> Averages => _average;

    public double Judge(string tenantId)
    {
        var score = Math.Clamp(Typical(tenantId) + (chance.Normal() * 0.09), 0.05, 1);
        _average[tenantId] = (_average[tenantId] * 0.98) + (score * 0.02);
        return score;
    }

    private static double Typical(string tenantId) => tenantId switch
    {
        "acme" => 0.84,
        "globex" => 0.81,
        "initech" => 0.79,
        "umbrella" => 0.77,
        _ => 0.74,
    };
}
