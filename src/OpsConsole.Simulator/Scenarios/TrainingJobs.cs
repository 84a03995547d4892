using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>ml-engine: each tenant's recommendation model is retrained now and then; a run takes a few minutes.</summary>
internal sealed class TrainingJobs(DemoSaas saas)
{
    private readonly Dictionary<string, (DateTimeOffset Started, DateTimeOffset Ends)> _running = [];
    private readonly Dictionary<string, DateTimeOffset> _next = [];

    public void Advance(DateTimeOffset now)
    {
        var chance = saas.Chance;
        var ml = saas.Services.MlEngine;
        foreach (var tenant in Tenant.All)
        {
            if (_running.TryGetValue(tenant.Id, out var run))
            {
                if (now >= run.Ends)
                {
                    _running.Remove(tenant.Id);
                    Finish(tenant, run.Started, now);
                }
            }
            else if (!_next.TryGetValue(tenant.Id, out var next))
            {
                _next[tenant.Id] = now + TimeSpan.FromMinutes(chance.Uniform(2, 40));
            }
            else if (now >= next && ml.IsUp)
            {
                _running[tenant.Id] = (now, now + TimeSpan.FromMinutes(chance.Uniform(3, 8)));
                _next[tenant.Id] = now + TimeSpan.FromMinutes(chance.Uniform(35, 70));
            }

            ml.Metrics.Model.TrainingRunning(tenant.Id, _running.ContainsKey(tenant.Id) && ml.IsUp);
        }
    }

    private void Finish(Tenant tenant, DateTimeOffset started, DateTimeOffset end)
    {
        var ml = saas.Services.MlEngine;
        if (!ml.IsUp)
        {
            return;
        }

        var reason = saas.Chance.Happens(0.06) ? saas.Chance.Pick(KnownLabels.TrainingFailureReasons) : null;
        var train = SpanDraft.Root(ml, "model.train", ActivityKind.Internal)
            .Tag("tenant.id", tenant.Id)
            .Tag("model.name", ModelDeployments.ModelName)
            .Spend(end - started)
            .Finish();
        var failure = reason switch
        {
            null => null,
            "oom" => Failure.OutOfMemory(),
            _ => Failure.Internal(ml.Name, $"training failed: {reason}"),
        };
        if (failure is not null)
        {
            train.Fail(failure);
        }

        train.Log(failure is null ? LogLevel.Information : LogLevel.Error,
            failure is null ? $"Training of {ModelDeployments.ModelName} for {tenant.Id} finished" : $"Training of {ModelDeployments.ModelName} for {tenant.Id} failed: {reason}",
            LogFields.Of("training_job", tenant.Id, null, train.Duration, failure is null ? "success" : "error"), failure);
        ml.Metrics.Model.TrainingFinished(tenant.Id, reason);
        TraceEmitter.Emit(train, end);
    }
}
