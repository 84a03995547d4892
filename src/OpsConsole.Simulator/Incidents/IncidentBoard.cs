using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Incidents;

/// <summary>
/// Which incidents are on: starts one at random now and then (about every <c>interval</c>, never two scheduled at
/// once), ends each when its time is up, and accepts incidents started by hand.
/// </summary>
internal sealed class IncidentBoard
{
    public const string SlowProvider = "openai";
    public const string CacheTarget = "redis";
    public const string LaggingTopic = "user-events";

    public static readonly IReadOnlyList<string> ErrorBurstTargets =
        [ServiceNames.ApiGateway, ServiceNames.AgentApi, ServiceNames.RagService, ServiceNames.UploadPipeline, ServiceNames.MlEngine];

    public static readonly IReadOnlyList<string> ServiceDownTargets =
        [ServiceNames.AgentApi, ServiceNames.RagService, ServiceNames.UploadPipeline, ServiceNames.MlEngine, ServiceNames.DataPipeline];

    private static readonly TimeSpan MinDuration = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(7);

    private readonly Chance _chance;
    private readonly bool _scheduled;
    private readonly TimeSpan _interval;
    private readonly List<DemoIncident> _active = [];
    private DateTimeOffset _nextStart;

    public IncidentBoard(Chance chance, bool scheduled, TimeSpan interval, DateTimeOffset now)
    {
        _chance = chance;
        _scheduled = scheduled;
        _interval = interval;
        _nextStart = now + (interval * chance.Uniform(0.3, 1.0));
    }

    public IReadOnlyList<DemoIncident> Active => _active;

    public DateTimeOffset? NextScheduledStart => _scheduled ? _nextStart : null;

    /// <summary>Ends what is over and starts what is due; returns both, ended first.</summary>
    public IReadOnlyList<(DemoIncident Incident, bool Started)> Update(DateTimeOffset now)
    {
        List<(DemoIncident, bool)>? changes = null;
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i].EndsAt <= now)
            {
                (changes ??= []).Add((_active[i], false));
                _active.RemoveAt(i);
                if (_active.Count == 0)
                {
                    _nextStart = now + (_interval * _chance.Uniform(0.5, 1.5));
                }
            }
        }

        if (_scheduled && _active.Count == 0 && now >= _nextStart)
        {
            var kind = (IncidentKind)_chance.Int(0, Enum.GetValues<IncidentKind>().Length);
            (changes ??= []).Add((Start(kind, null, now), true));
        }

        return changes ?? (IReadOnlyList<(DemoIncident, bool)>)[];
    }

    /// <summary>Starts an incident now; <paramref name="target"/> null picks one at random.</summary>
    public DemoIncident Start(IncidentKind kind, string? target, DateTimeOffset now)
    {
        target = CheckTarget(kind, target ?? PickTarget(kind));
        if (_active.Any(i => i.Kind == kind && i.Target == target))
        {
            throw new InvalidOperationException($"An incident of kind {kind} on {target} is already on.");
        }

        var duration = MinDuration + ((MaxDuration - MinDuration) * _chance.Uniform());
        var incident = new DemoIncident(kind, target, now, now + TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds)));
        _active.Add(incident);
        return incident;
    }

    public DemoIncident? Find(IncidentKind kind) => _active.Find(i => i.Kind == kind);

    public bool IsOn(IncidentKind kind, string target) => _active.Exists(i => i.Kind == kind && i.Target == target);

    private string PickTarget(IncidentKind kind) => kind switch
    {
        IncidentKind.ErrorBurst => _chance.Pick(ErrorBurstTargets),
        IncidentKind.ServiceDown => _chance.Pick(ServiceDownTargets),
        IncidentKind.ModelQualityDrop => _chance.Pick(Tenant.All).Id,
        _ => DefaultTarget(kind),
    };

    private static string DefaultTarget(IncidentKind kind) => kind switch
    {
        IncidentKind.SlowDependency => SlowProvider,
        IncidentKind.CacheHitRateDrop => CacheTarget,
        IncidentKind.UploadBacklog => ServiceNames.UploadPipeline,
        IncidentKind.KafkaLag => LaggingTopic,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "This kind needs a target."),
    };

    private static string CheckTarget(IncidentKind kind, string target)
    {
        IReadOnlyList<string> allowed = kind switch
        {
            IncidentKind.ErrorBurst => ErrorBurstTargets,
            IncidentKind.ServiceDown => ServiceDownTargets,
            IncidentKind.ModelQualityDrop => [.. Tenant.All.Select(t => t.Id)],
            _ => [DefaultTarget(kind)],
        };
        return allowed.Contains(target)
            ? target
            : throw new ArgumentException($"'{target}' is not a target for {kind}; choose one of {string.Join(", ", allowed)}.", nameof(target));
    }
}
