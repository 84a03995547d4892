using Microsoft.Extensions.Options;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Rules;
using OpsConsole.Core.Storage;
using Prometheus;

namespace OpsConsole.Web.Rules;

public static class RuleHosting
{
    /// <summary>Rule storage, provisioning, the scheduler and its background worker.</summary>
    public static IServiceCollection AddOpsConsoleRules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RuleOptions>().Bind(configuration.GetSection(RuleOptions.SectionName))
            .Validate(o => o.TryGetDefaultIntervalMs(out _), "Rules:DefaultInterval must be a duration of at least 1s, e.g. 1m or 30s.")
            .ValidateOnStart();
        services.AddSingleton<IRuleQueryEngine>(sp => new SeriesRuleQueryEngine(sp.GetRequiredService<TelemetryStores>().Series));
        services.AddSingleton<IRuleEvaluationObserver, RuleMetrics>();
        services.AddSingleton<IRuleSignalSource, ConsoleRuleSignals>();
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<IOptions<RuleOptions>>().Value.TryGetDefaultIntervalMs(out var interval);
            return new RuleScheduler(
                sp.GetRequiredService<IRuleQueryEngine>(), sp.GetRequiredService<ITelemetrySink>(), sp.GetRequiredService<TimeProvider>(),
                new RuleSchedulerOptions { DefaultIntervalMs = interval }, sp.GetRequiredService<ILogger<RuleScheduler>>(),
                sp.GetRequiredService<IRuleEvaluationObserver>(), sp.GetRequiredService<OpsConsole.Core.Alerting.AlertStore>(),
                sp.GetRequiredService<IRuleSignalSource>());
        });
        services.AddSingleton<RuleGroupCatalog>();
        services.AddHostedService<RuleEvaluationWorker>();
        return services;
    }
}

/// <summary>Runs the rule scheduler for the life of the host.</summary>
public sealed class RuleEvaluationWorker(RuleScheduler scheduler) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => scheduler.RunAsync(stoppingToken);
}

/// <summary>The console's own metrics of rule evaluation, named like Prometheus's <c>prometheus_rule_*</c>.</summary>
public sealed class RuleMetrics : IRuleEvaluationObserver
{
    private static readonly Counter Evaluations = Metrics.CreateCounter(
        "opsconsole_rule_evaluations_total", "Rule evaluations, by group.", new CounterConfiguration { LabelNames = ["rule_group"] });

    private static readonly Counter Failures = Metrics.CreateCounter(
        "opsconsole_rule_evaluation_failures_total", "Rule evaluations that failed, by group.", new CounterConfiguration { LabelNames = ["rule_group"] });

    private static readonly Counter Missed = Metrics.CreateCounter(
        "opsconsole_rule_group_iterations_missed_total", "Group evaluations skipped because the previous one ran late.", new CounterConfiguration { LabelNames = ["rule_group"] });

    private static readonly Gauge LastDuration = Metrics.CreateGauge(
        "opsconsole_rule_group_last_duration_seconds", "How long the last evaluation of each group took.", new GaugeConfiguration { LabelNames = ["rule_group"] });

    public void GroupEvaluated(string group, int evaluated, int failed, TimeSpan duration, int missed)
    {
        Evaluations.WithLabels(group).Inc(evaluated);
        Failures.WithLabels(group).Inc(failed);
        Missed.WithLabels(group).Inc(missed);
        LastDuration.WithLabels(group).Set(duration.TotalSeconds);
    }
}
