using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Scenarios;
using OpsConsole.Simulator.Services;
using OpsConsole.Simulator.Traffic;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Simulation;

/// <summary>
/// The simulated SaaS as a whole: its services, tenants, traffic and incidents. <see cref="Advance"/> moves it on by
/// one step of the clock: incidents start and end, requests arrive (Poisson, following the day), background jobs
/// run, and the gauges are set. Single-threaded: one caller at a time.
/// </summary>
internal sealed class DemoSaas : IAsyncDisposable
{
    private readonly DemoWorkloadOptions _options;
    private readonly GatewayRequests _gateway;
    private readonly EtlRuns _etl;
    private readonly TrainingJobs _training;
    private readonly HealthProbes _probes;
    private readonly SystemGauges _gauges;
    private readonly List<Task> _transitions = [];
    private double _noise;

    public DemoSaas(DemoWorkloadOptions options, DateTimeOffset now)
    {
        _options = options;
        Now = now;
        Chance = new Chance(options.Seed ?? Environment.TickCount);
        Services = new SaasServices(options, name => $"{name}-{Chance.HexId(9)}-{Chance.HexId(5)}");
        Incidents = new IncidentBoard(Chance, options.Incidents, options.IncidentInterval, now);
        Conditions = new Conditions(Incidents, Chance);
        Llm = new LlmCalls(Chance, Conditions);
        Caches = new Caches(Chance, Conditions);
        Quality = new AnswerQuality(Chance);
        Models = new ModelDeployments(Chance);
        Kafka = new KafkaTopics(Chance);
        Quota = new FreePlanQuota(Chance, options.Rate, now);
        Chat = new ChatTurns(this);
        Rag = new RagQueries(this);
        Uploads = new DocumentUploads(this);
        Recommendations = new Recommendations(this);
        _gateway = new GatewayRequests(this);
        _etl = new EtlRuns(this);
        _training = new TrainingJobs(this);
        _probes = new HealthProbes(this);
        _gauges = new SystemGauges(this);
    }

    public Chance Chance { get; }

    public SaasServices Services { get; }

    public IncidentBoard Incidents { get; }

    public Conditions Conditions { get; }

    public LlmCalls Llm { get; }

    public Caches Caches { get; }

    public AnswerQuality Quality { get; }

    public ModelDeployments Models { get; }

    public KafkaTopics Kafka { get; }

    public FreePlanQuota Quota { get; }

    public RecentTraffic Recent { get; } = new();

    public ChatTurns Chat { get; }

    public RagQueries Rag { get; }

    public DocumentUploads Uploads { get; }

    public Recommendations Recommendations { get; }

    /// <summary>Whether traffic follows the day.</summary>
    public bool Diurnal => _options.Diurnal;

    /// <summary>The end of the step being simulated.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Requests per second reaching the gateway in the current step (before the free tenant's bursts).</summary>
    public double CurrentRate { get; private set; }

    /// <summary>Endpoint stops and starts begun since the last call (a service went down or came back).</summary>
    public IReadOnlyList<Task> TakeTransitions()
    {
        var taken = _transitions.ToArray();
        _transitions.Clear();
        return taken;
    }

    /// <summary>Simulates the step ending at <paramref name="now"/>; returns the incidents that ended or started.</summary>
    public IReadOnlyList<(DemoIncident Incident, bool Started)> Advance(DateTimeOffset now, TimeSpan step)
    {
        Now = now;
        var changes = Incidents.Update(now);
        foreach (var (incident, started) in changes)
        {
            Apply(incident, started);
        }

        var load = _options.Diurnal ? DiurnalCurve.Factor(now) : 1;
        _noise = Math.Clamp((_noise * 0.97) + (Chance.Normal() * 0.015), -0.2, 0.2);
        CurrentRate = _options.Rate * load * (1 + _noise);
        var freeMultiplier = Quota.TrafficMultiplier(now);
        foreach (var tenant in Tenant.All)
        {
            var expected = CurrentRate * tenant.TrafficShare * (tenant.IsOnFreePlan ? freeMultiplier : 1) * step.TotalSeconds;
            for (var arrivals = Chance.Poisson(expected); arrivals > 0; arrivals--)
            {
                _gateway.Serve(tenant, now - (step * Chance.Uniform()));
            }
        }

        if (Services.Gateway.IsUp)
        {
            for (var signUps = Chance.Poisson(CurrentRate * step.TotalSeconds * 0.002); signUps > 0; signUps--)
            {
                Services.Gateway.Metrics.Business.Registered(Chance.Pick(KnownLabels.RegistrationMethods, m => m == "email" ? 5 : m == "google" ? 3 : 1));
            }
        }

        _etl.Advance(now);
        _training.Advance(now);
        _probes.Advance(now);
        _gauges.Report(now, step, load);
        return changes;
    }

    /// <summary>Starts an incident by hand (null target: one at random).</summary>
    public DemoIncident StartIncident(IncidentKind kind, string? target)
    {
        var incident = Incidents.Start(kind, target, Now);
        Apply(incident, started: true);
        return incident;
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    private void Apply(DemoIncident incident, bool started)
    {
        switch (incident.Kind)
        {
            case IncidentKind.ServiceDown:
                var service = Services.Find(incident.Target);
                _transitions.Add(started ? service.GoDownAsync() : service.ComeBackAsync());
                break;
            case IncidentKind.ModelQualityDrop:
                if (started)
                {
                    Models.DeployCandidate(incident.Target);
                }
                else
                {
                    Models.RollBack(incident.Target);
                }

                Deployed(incident.Target, started);
                break;
            default:
                break;
        }
    }

    /// <summary>ml-engine logs the model rollout or rollback for the tenant, inside a deploy span.</summary>
    private void Deployed(string tenantId, bool candidate)
    {
        var ml = Services.MlEngine;
        if (!ml.IsUp)
        {
            return;
        }

        var version = Models.VersionFor(tenantId);
        var deploy = SpanDraft.Root(ml, "model.deploy", ActivityKind.Internal)
            .Tag("tenant.id", tenantId)
            .Tag("model.name", ModelDeployments.ModelName)
            .Tag("model.version", version)
            .Spend(Chance.Latency(4, 0.3));
        deploy.Log(candidate ? LogLevel.Information : LogLevel.Warning,
            candidate
                ? $"Deployed {ModelDeployments.ModelName} {version} for tenant {tenantId}"
                : $"Rolled back {ModelDeployments.ModelName} to {version} for tenant {tenantId} after a quality regression",
            LogFields.Of("deployment", tenantId, null, deploy.Duration, "success", ("model.name", ModelDeployments.ModelName), ("model.version", version)));
        deploy.Finish();
        TraceEmitter.Emit(deploy, Now);
    }
}
