using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerting;
using Prometheus;

namespace OpsConsole.Web.Alerting;

public static class AlertingHosting
{
    /// <summary>The alert store, silences, notifier, channels and the worker that runs notifications.</summary>
    public static IServiceCollection AddOpsConsoleAlerting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertingOptions>().Bind(configuration.GetSection(AlertingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertingOptions>, AlertingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AlertingOptions>>().Value.Build().Settings!);
        services.AddSingleton(sp => new AlertStore(
            sp.GetRequiredService<IAlertingRepository>(), sp.GetRequiredService<TimeProvider>(),
            new AlertStoreOptions { ResolveTimeout = sp.GetRequiredService<AlertingSettings>().ResolveTimeout },
            sp.GetServices<IAlertObserver>()));
        services.AddSingleton(sp => new SilenceStore(sp.GetRequiredService<IAlertingRepository>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DeliveryRunner(sp.GetRequiredService<IAlertingRepository>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AlertingSettings>().Delivery));
        services.AddSingleton(sp =>
        {
            var notifier = new Notifier(sp.GetRequiredService<AlertStore>(), sp.GetRequiredService<SilenceStore>(), sp.GetRequiredService<IAlertingRepository>(),
                sp.GetRequiredService<DeliveryRunner>());
            var http = sp.GetRequiredService<AlertingHttp>().Client;
            notifier.Configure(sp.GetRequiredService<AlertingSettings>().Policy,
                sp.GetRequiredService<IOptions<AlertingOptions>>().Value.Channels.Select(c => NotificationChannels.Create(c, http)));
            return notifier;
        });
        services.AddSingleton<IAlertObserver, AlertMetrics>();
        services.AddSingleton(sp => new AlertFeed(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAlertObserver>(sp => sp.GetRequiredService<AlertFeed>());
        services.AddSingleton<AlertOperations>();
        services.AddSingleton<AlertingHttp>();
        services.AddSingleton<AlertingConfigService>();
        services.AddHostedService<AlertingWorker>();
        return services;
    }

    /// <summary>Loads what alerting stored (alerts, silences, notification state) before rules run again.</summary>
    public static async Task LoadAlertingAsync(this IServiceProvider services, CancellationToken ct)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var snapshot = await services.GetRequiredService<IAlertingRepository>().LoadAsync(time.GetUtcNow().AddDays(-7), ct);
        services.GetRequiredService<AlertStore>().Load(snapshot.Alerts);
        services.GetRequiredService<SilenceStore>().Load(snapshot.Silences);
        services.GetRequiredService<Notifier>().Load(snapshot.NotificationGroups);
        await services.GetRequiredService<AlertingConfigService>().InitializeAsync(ct);
    }
}

/// <summary>Names every problem of the Alerting section at start-up.</summary>
public sealed class AlertingOptionsValidator : IValidateOptions<AlertingOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertingOptions options)
    {
        var errors = options.Build().Errors;
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Expires external alerts past their end and sends what is due, every <c>Alerting:DispatchInterval</c> on the console's clock.</summary>
public sealed partial class AlertingWorker(
    AlertStore alerts, Notifier notifier, AlertingSettings settings, AlertingConfigService config, TimeProvider time, ILogger<AlertingWorker> logger) : BackgroundService
{
    /// <summary>How often the stored alerting configuration is checked for a version saved by another replica.</summary>
    public static readonly TimeSpan ConfigRefreshInterval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastRefresh = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() - lastRefresh >= ConfigRefreshInterval)
                {
                    lastRefresh = time.GetUtcNow();
                    await config.RefreshAsync(stoppingToken);
                }

                await alerts.ExpireExternalAsync(stoppingToken);
                await notifier.FlushAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed round is logged; the next one runs
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, e);
            }

            try
            {
                await Task.Delay(settings.DispatchInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerting: a notification round failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>The console's own metrics of alerting: transitions by kind.</summary>
public sealed class AlertMetrics : IAlertObserver
{
    private static readonly Counter Changes = Metrics.CreateCounter(
        "opsconsole_alert_changes_total", "Alert state changes and operator actions, by kind.", new CounterConfiguration { LabelNames = ["kind"] });

    public void AlertsChanged(IReadOnlyList<AlertChange> changes)
    {
        foreach (var change in changes)
        {
            Changes.WithLabels(change.Kind).Inc();
        }
    }
}
