using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Live;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// The Prometheus scraper: runs one scrape schedule per target of a <see cref="ScrapeTargetRegistry"/>, follows the
/// registry as targets come and go, and hands every scrape to an <see cref="ITelemetrySink"/> as one batch stored
/// under the target's tenant. Samples get the scrape's start time unless the page gave one; a target's first scrape
/// is immediate, the next ones follow every interval. When a series of the previous scrape is missing (or the scrape
/// failed) it gets a stale marker; when a target is removed, all its series, <c>up</c> included, get one. Nothing a
/// target does (errors, timeouts, refused connections, malformed pages) stops the loop; it shows in
/// <see cref="GetStatuses"/> and <see cref="StatusFeed"/>.
/// </summary>
/// <remarks>Host it by calling <see cref="RunAsync"/> from a hosted service; it needs nothing from ASP.NET Core.</remarks>
public sealed class ScrapeLoop
{
    /// <summary>How many parse errors of a scrape a status keeps.</summary>
    public const int ParseErrorsShown = 5;

    private readonly ScrapeTargetRegistry _registry;
    private readonly ITelemetrySink _sink;
    private readonly Func<HttpClient> _httpClient;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ScrapeTargetKey, Runner> _runners = new();
    private int _started;

    /// <summary>A loop that uses one <paramref name="httpClient"/> for every scrape (its own <c>Timeout</c> should be infinite
    /// or longer than any target's timeout; each scrape enforces the target's timeout itself).</summary>
    public ScrapeLoop(ScrapeTargetRegistry registry, ITelemetrySink sink, HttpClient httpClient, TimeProvider timeProvider)
        : this(registry, sink, ClientOf(httpClient), timeProvider)
    {
    }

    /// <summary>A loop that asks <paramref name="httpClientFactory"/> for a client per scrape, e.g.
    /// <c>() =&gt; factory.CreateClient("scrape")</c> with an <c>IHttpClientFactory</c>.</summary>
    public ScrapeLoop(ScrapeTargetRegistry registry, ITelemetrySink sink, Func<HttpClient> httpClientFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _registry = registry;
        _sink = sink;
        _httpClient = httpClientFactory;
        _time = timeProvider;
        StatusFeed = new LiveFeed<IReadOnlyList<ScrapeTargetStatus>>(timeProvider);
    }

    /// <summary>The statuses of all targets, published after every scrape and every change of targets.</summary>
    public LiveFeed<IReadOnlyList<ScrapeTargetStatus>> StatusFeed { get; }

    /// <summary>True while <see cref="RunAsync"/> runs.</summary>
    public bool IsRunning => Volatile.Read(ref _started) == 1;

    /// <summary>An HTTP client fit for scraping: gzip, no client-side timeout (each scrape has its own), pooled connections renewed every 5 minutes.</summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>The status of every registered target (<see cref="ScrapeHealth.Unknown"/> until its first scrape), ordered by job and instance.</summary>
    public IReadOnlyList<ScrapeTargetStatus> GetStatuses() =>
        [.. _registry.List().Select(t => _runners.TryGetValue(t.Key, out var r) && r.Scraper.Target == t ? r.Scraper.Status : new ScrapeTargetStatus(t))];

    public ScrapeTargetStatus? GetStatus(ScrapeTargetKey key)
    {
        var target = _registry.Find(key);
        if (target is null)
        {
            return null;
        }

        return _runners.TryGetValue(key, out var r) && r.Scraper.Target == target ? r.Scraper.Status : new ScrapeTargetStatus(target);
    }

    /// <summary>
    /// Scrapes until <paramref name="stoppingToken"/> is cancelled, then stops every schedule (without stale markers:
    /// the process is going away, not the targets). One run at a time per instance.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The scrape loop is already running.");
        }

        var changes = Channel.CreateUnbounded<ScrapeTargetChange>(new UnboundedChannelOptions { SingleReader = true });
        try
        {
            using (_registry.Subscribe(change => changes.Writer.TryWrite(change)))
            {
                foreach (var target in _registry.List())
                {
                    Start(target, stoppingToken);
                }

                PublishStatuses();
                await foreach (var change in changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    await ApplyAsync(change, stoppingToken).ConfigureAwait(false);
                    PublishStatuses();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            foreach (var runner in _runners.Values)
            {
                await runner.StopAsync().ConfigureAwait(false);
            }

            _runners.Clear();
            Volatile.Write(ref _started, 0);
        }
    }

    private async Task ApplyAsync(ScrapeTargetChange change, CancellationToken stoppingToken)
    {
        var key = change.Target.Key;
        if (change.Kind == ScrapeTargetChangeKind.Added)
        {
            // Started already from the initial list, or removed again before this change was read: nothing to do.
            if (_registry.Find(key) == change.Target && !_runners.ContainsKey(key))
            {
                Start(change.Target, stoppingToken);
            }

            return;
        }

        if (_runners.TryGetValue(key, out var runner) && runner.Scraper.Target == change.Target)
        {
            _runners.TryRemove(key, out _);
            await runner.StopAsync().ConfigureAwait(false);
            await runner.Scraper.MarkEndedAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private void Start(ScrapeTarget target, CancellationToken stoppingToken)
    {
        if (_runners.ContainsKey(target.Key))
        {
            return;
        }

        var scraper = new TargetScraper(target, _sink, _httpClient, _time, _registry.Options);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var runner = new Runner(scraper, stop);
        _runners[target.Key] = runner;
        runner.Task = Task.Run(() => scraper.RunAsync(PublishStatuses, stop.Token), CancellationToken.None);
    }

    private void PublishStatuses() => StatusFeed.Publish(GetStatuses());

    private static Func<HttpClient> ClientOf(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }

    private sealed class Runner(TargetScraper scraper, CancellationTokenSource stop)
    {
        public TargetScraper Scraper { get; } = scraper;

        public Task Task { get; set; } = Task.CompletedTask;

        public async Task StopAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // stopping one schedule must not stop the others
            catch (Exception)
#pragma warning restore CA1031
            {
                // Cancellation is how it stops; anything else was already recorded on the target's status.
            }
            finally
            {
                stop.Dispose();
            }
        }
    }
}
