using Microsoft.Extensions.Options;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Simulator;

namespace OpsConsole.Web.Hosting;

/// <summary>Whether this console runs the demo workload, so the UI can say its data is simulated.</summary>
public sealed record DemoMode(bool Enabled);

/// <summary>
/// Runs the demo SaaS inside the console when <c>Demo:Enabled</c> (on in Development, never in Production): it
/// exports real OTLP to this console's gRPC port and serves real /metrics endpoints, which are registered as scrape
/// targets here — the console cannot tell it from a real system.
/// </summary>
public sealed partial class DemoHost(
    IOptions<DemoWorkloadOptions> options, IConfiguration configuration, IHostEnvironment environment, ScrapeTargetRegistry registry,
    TimeProvider time, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private DemoWorkload? _workload;

    public static bool IsEnabled(IOptions<DemoWorkloadOptions> options, IHostEnvironment environment) =>
        options.Value.Enabled && !environment.IsProduction();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled(options, environment))
        {
            return;
        }

        var o = options.Value;
        if (configuration["Demo:OtlpEndpoint"] is null && configuration["Kestrel:Endpoints:OtlpGrpc:Url"] is { } grpc
            && Uri.TryCreate(grpc.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var endpoint))
        {
            o = o with { OtlpEndpoint = endpoint };
        }

        _workload = new DemoWorkload(o, time, loggers.CreateLogger<DemoWorkload>());
        await _workload.StartAsync(cancellationToken);
        foreach (var target in _workload.ScrapeTargets)
        {
            var added = registry.Add(new ScrapeTargetDefinition { Job = target.Job, Url = target.Url.ToString(), Interval = "15s", Timeout = "5s" });
            if (!added.Succeeded)
            {
                LogTargetNotAdded(loggers.CreateLogger<DemoHost>(), target.Job, string.Join("; ", added.Errors.Values.SelectMany(e => e)));
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_workload is not null)
        {
            await _workload.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_workload is not null)
        {
            await _workload.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo scrape target {Job} was not registered: {Reason}")]
    private static partial void LogTargetNotAdded(ILogger logger, string job, string reason);
}
