using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Simulation;

namespace OpsConsole.Simulator;

/// <summary>
/// The demo SaaS (TELEMETRY.md) running in this process: six services that export traces and logs over OTLP, each
/// serving its own /metrics on 127.0.0.1, with tenants, diurnal traffic and incidents that start and end by
/// themselves. An <see cref="IHostedService"/>, so a host can run it; the simulator's own command line runs it too.
/// </summary>
public sealed partial class DemoWorkload : IHostedService, IAsyncDisposable
{
    /// <summary>A longer gap (the machine slept) is skipped instead of replayed as a burst of traffic.</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private DemoSaas? _saas;
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private DateTimeOffset _lastStep;

    public DemoWorkload(DemoWorkloadOptions options, TimeProvider? timeProvider = null, ILogger<DemoWorkload>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public DemoWorkloadOptions Options { get; }

    public bool IsRunning => _saas is not null;

    /// <summary>
    /// One target per service, <c>job</c> = service name. Known before start unless <see cref="DemoWorkloadOptions.MetricsPortBase"/>
    /// is 0 (free ports), in which case they are known once started.
    /// </summary>
    public IReadOnlyList<DemoScrapeTarget> ScrapeTargets => _saas is { } saas
        ? [.. saas.Services.All.Select(s => new DemoScrapeTarget(s.Name, s.Endpoint.Url))]
        : Options.MetricsPortBase == 0
            ? []
            : [.. ServiceNames.All.Select((name, i) => new DemoScrapeTarget(name, new Uri($"http://{Options.MetricsHost}:{Options.MetricsPortBase + i}/metrics")))];

    public IReadOnlyList<DemoIncident> ActiveIncidents
    {
        get
        {
            lock (_gate)
            {
                return _saas is null ? [] : [.. _saas.Incidents.Active];
            }
        }
    }

    internal DemoSaas Saas => _saas ?? throw new InvalidOperationException("The demo workload is not running.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Options.Validate() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The demo workload's options are invalid: " + string.Join(" ", problems));
        }

        if (_saas is not null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var saas = new DemoSaas(Options, now);
        try
        {
            foreach (var service in saas.Services.All)
            {
                await service.Endpoint.StartAsync(cancellationToken);
            }
        }
        catch (Exception ex)
        {
            await saas.DisposeAsync();
            throw new InvalidOperationException(
                $"The demo workload could not open its /metrics ports ({Options.MetricsHost}:{Options.MetricsPortBase} and up): {ex.Message}", ex);
        }

        lock (_gate)
        {
            _saas = saas;
            _lastStep = now;
        }

        LogStarted(_logger, Options.Rate, Options.OtlpEndpoint?.ToString() ?? "(none)", Options.OtlpProtocol);
        LogScrapeTargets(_logger, string.Join(", ", ScrapeTargets.Select(t => $"{t.Job}={t.Url}")));

        _stopping = new CancellationTokenSource();
        _loop = RunAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is { } stopping)
        {
            await stopping.CancelAsync();
            if (_loop is { } loop)
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            stopping.Dispose();
            _stopping = null;
        }

        DemoSaas? saas;
        lock (_gate)
        {
            saas = _saas;
            _saas = null;
        }

        if (saas is not null)
        {
            await saas.DisposeAsync();
            LogStopped(_logger);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    /// <summary>Starts an incident now (it ends by itself); a null <paramref name="target"/> picks one at random.</summary>
    public DemoIncident StartIncident(IncidentKind kind, string? target = null)
    {
        lock (_gate)
        {
            using var invariant = new InvariantCultureScope();
            var incident = Saas.StartIncident(kind, target);
            LogIncidentStarted(_logger, incident.Description, incident.EndsAt);
            Watch(Saas.TakeTransitions());
            return incident;
        }
    }

    /// <summary>Simulates every whole step up to the clock's now. The loop calls it; tests call it after moving a fake clock.</summary>
    internal void Tick()
    {
        lock (_gate)
        {
            if (_saas is not { } saas)
            {
                return;
            }

            using var invariant = new InvariantCultureScope();
            var now = _time.GetUtcNow();
            if (now - _lastStep > MaxCatchUp)
            {
                _lastStep = now - MaxCatchUp;
            }

            while (_lastStep + Options.Step <= now)
            {
                _lastStep += Options.Step;
                foreach (var (incident, started) in saas.Advance(_lastStep, Options.Step))
                {
                    if (started)
                    {
                        LogIncidentStarted(_logger, incident.Description, incident.EndsAt);
                    }
                    else
                    {
                        LogIncidentEnded(_logger, incident.Description);
                    }
                }
            }

            Watch(saas.TakeTransitions());
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(Options.Step, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    Tick();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogStepFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Watch(IReadOnlyList<Task> transitions)
    {
        foreach (var transition in transitions)
        {
            _ = transition.ContinueWith(t => LogEndpointFailed(_logger, t.Exception!.GetBaseException()),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>The services write their log messages as a Python service would, whatever the host's culture.</summary>
    private readonly struct InvariantCultureScope : IDisposable
    {
        private readonly CultureInfo _previous;

        public InvariantCultureScope()
        {
            _previous = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        }

        public void Dispose() => CultureInfo.CurrentCulture = _previous;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo workload started: {Rate} requests/s at peak, OTLP to {Endpoint} ({Protocol})")]
    private static partial void LogStarted(ILogger logger, double rate, string endpoint, OtlpProtocol protocol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo scrape targets (job=url): {Targets}")]
    private static partial void LogScrapeTargets(ILogger logger, string targets);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo workload stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo incident started: {Description}; it ends by itself at {EndsAt:u}")]
    private static partial void LogIncidentStarted(ILogger logger, string description, DateTimeOffset endsAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo incident ended: {Description}")]
    private static partial void LogIncidentEnded(ILogger logger, string description);

    [LoggerMessage(Level = LogLevel.Error, Message = "A step of the demo workload failed")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A demo service's /metrics endpoint could not be stopped or started")]
    private static partial void LogEndpointFailed(ILogger logger, Exception exception);
}
