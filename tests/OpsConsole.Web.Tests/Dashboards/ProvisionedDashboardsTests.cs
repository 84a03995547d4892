using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Data;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Simulator;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Hosting;
using OpsConsole.Web.Observability;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>
/// Every provisioned dashboard (dashboards/*.json) over what the console holds after twenty minutes of the demo SaaS:
/// the simulator runs on a fake clock, its six /metrics endpoints are scraped every 15 s into the real ingest pipeline
/// (SQLite, hot stores), and the console records its own telemetry as it does when running. Every panel must show data.
/// </summary>
public sealed class ProvisionedDashboardsTests
{
    private static readonly DateTimeOffset Peak = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    internal static string RepoDashboards()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "dashboards");
    }

    [Fact]
    public async Task EveryPanelOfEveryProvisionedDashboard_HasData_OverTheDemoWorkload()
    {
        var clock = new FakeTimeProvider(Peak);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var services = new ServiceCollection();
        var writer = await DashboardServices.AddAsync(services, stores);
        await using var provider = services.BuildServiceProvider();
        var data = provider.GetRequiredService<ServiceProvider>();
        var tally = new IngestTally();
        await using var pipeline = new IngestPipeline(writer, [new HotStoreFeeder(stores), tally, new HealthCheckStore()], new IngestPipelineOptions(), NullLogger<IngestPipeline>.Instance);
        var self = new SelfTelemetry(tally, stores, new SelfCounters(), pipeline, clock);
        await using var checks = new ServiceCollection().AddLogging()
            .AddHealthChecks()
            .AddCheck("database", new DatabaseHealthCheck(data.GetRequiredService<DatabaseMigrator>(), data.GetRequiredService<ResolvedStorage>()))
            .AddCheck("ingest-pipeline", new IngestPipelineHealthCheck(pipeline))
            .Services.BuildServiceProvider();
        var healthChecks = checks.GetRequiredService<HealthCheckService>();

        await using var demo = new DemoWorkload(new DemoWorkloadOptions { OtlpEndpoint = null, MetricsPortBase = 0, Incidents = false, Seed = 7 }, clock);
        await demo.StartAsync(CancellationToken.None);
        var registry = new ScrapeTargetRegistry();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var scrapers = demo.ScrapeTargets
            .Select(t => registry.Add(new ScrapeTargetDefinition { Job = t.Job, Url = t.Url.ToString(), Interval = "15s", Timeout = "5s" }).Target!)
            .Select(t => new TargetScraper(t, pipeline, () => http, clock, registry.Options))
            .ToList();
        Assert.Equal(6, scrapers.Count);

        for (var i = 0; i < 80; i++) // twenty minutes, a scrape every 15 s
        {
            clock.Advance(TimeSpan.FromSeconds(15));
            demo.Tick();
            foreach (var scraper in scrapers)
            {
                await scraper.ScrapeOnceAsync(CancellationToken.None);
            }

            Assert.Equal(IngestOutcome.Accepted, (await self.RecordAsync(healthChecks, CancellationToken.None)).Outcome);
        }

        var catalog = new InMemoryDashboardCatalog();
        Assert.Equal(5, catalog.LoadDirectory(RepoDashboards(), NullLogger.Instance));
        Assert.Empty(catalog.Problems);
        var evaluator = new PanelEvaluator(stores.Series, new PromQlOptions());
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var failures = new List<string>();
        var evaluated = 0;
        foreach (var entry in catalog.List())
        {
            var d = entry.Dashboard;
            var variables = DashboardVariables.Resolve(d, stores.Series, tenantScope: null, new Dictionary<string, string>());
            var values = DashboardVariables.ToValues(variables);
            var window = new DashboardRange(d.Time.From, d.Time.To).Window(nowMs);
            foreach (var panel in d.Panels.Where(p => p.Kind != PanelType.Text))
            {
                var result = evaluator.Evaluate(panel, values, window, tenantId: null);
                evaluated++;
                if (result.Error is not null || result.IsEmpty)
                {
                    failures.Add($"{d.Uid}/{panel.Id}: {result.Error ?? "no data"}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {evaluated} panels have no data:\n" + string.Join("\n", failures));
        Assert.True(evaluated > 80, $"only {evaluated} panels");
    }
}
