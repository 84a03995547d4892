using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Tests.Support;

namespace OpsConsole.Simulator.Tests;

/// <summary>Each incident moves the signal its alert rule watches, and ends by itself after a few minutes.</summary>
public sealed class IncidentTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ErrorBurst_OnRagService_ItsServerErrorRatioExceedsFivePercentThenRecovers()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        var baseline = await MeasureAsync(run, ServiceNames.RagService, Signals.ServerErrorRatio);

        var incident = run.Workload.StartIncident(IncidentKind.ErrorBurst, ServiceNames.RagService);
        var during = await MeasureAsync(run, ServiceNames.RagService, Signals.ServerErrorRatio);
        var gatewayDuring = await MeasureAsync(run, ServiceNames.ApiGateway, Signals.ServerErrorRatio);
        RunPast(run, incident);
        var after = await MeasureAsync(run, ServiceNames.RagService, Signals.ServerErrorRatio);

        Assert.True(baseline < 0.01, $"baseline 5xx ratio {baseline:P2}");
        Assert.True(during > 0.05, $"5xx ratio during the burst {during:P2}");
        Assert.True(gatewayDuring > 0.03, $"gateway 5xx ratio during the burst {gatewayDuring:P2}");
        Assert.True(after < 0.01, $"5xx ratio after the burst {after:P2}");
        Assert.Empty(run.Workload.ActiveIncidents);
    }

    [Fact]
    public async Task SlowDependency_LlmP95RisesAboveTwoSecondsThenRecovers()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        static double P95(PrometheusText a, PrometheusText b) => Signals.Quantile(0.95, a, b, "llm_request_duration_seconds");
        var baseline = await MeasureAsync(run, ServiceNames.RagService, P95);

        var incident = run.Workload.StartIncident(IncidentKind.SlowDependency);
        var during = await MeasureAsync(run, ServiceNames.RagService, P95);
        RunPast(run, incident);
        var after = await MeasureAsync(run, ServiceNames.RagService, P95);

        Assert.InRange(baseline, 0.5, 1.9);
        Assert.True(during > 2, $"LLM p95 during the slowdown {during:0.00}s");
        Assert.InRange(after, 0.5, 1.9);
    }

    [Fact]
    public async Task ServiceDown_ItsEndpointRefusesAndCallersGet503_ThenItComesBackWithFreshCounters()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        var before = await run.ScrapeAsync(ServiceNames.MlEngine);
        var gatewayBefore = await run.ScrapeAsync(ServiceNames.ApiGateway);

        var incident = run.Workload.StartIncident(IncidentKind.ServiceDown, ServiceNames.MlEngine);
        await Eventually.TrueAsync(async () => !await run.AnswersAsync(ServiceNames.MlEngine), "ml-engine's /metrics stops answering");
        run.Run(Window);
        var gatewayDuring = await run.ScrapeAsync(ServiceNames.ApiGateway);
        Assert.False(await run.AnswersAsync(ServiceNames.MlEngine));
        RunPast(run, incident);
        await Eventually.TrueAsync(() => run.AnswersAsync(ServiceNames.MlEngine), "ml-engine's /metrics answers again");
        var restarted = await run.ScrapeAsync(ServiceNames.MlEngine);

        var unavailable = Signals.Increase(gatewayBefore, gatewayDuring, "http_requests_total", s => s["endpoint"] == "/v1/recommendations" && s["status"] == "503");
        var forwarded = Signals.Increase(gatewayBefore, gatewayDuring, "http_requests_total", s => s["endpoint"] == "/v1/recommendations" && !s["status"].StartsWith('4'));
        Assert.True(forwarded > 100 && unavailable == forwarded, $"{unavailable} of {forwarded} forwarded recommendation requests got 503");
        Assert.True(restarted.Sum("process_cpu_seconds_total") < before.Sum("process_cpu_seconds_total"), "a restarted process starts its counters again");
    }

    [Fact]
    public async Task CacheHitRateDrop_HitRateFallsBelowHalfThenRecovers()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        var baseline = await HitRateAsync(run);

        var incident = run.Workload.StartIncident(IncidentKind.CacheHitRateDrop);
        var during = await HitRateAsync(run);
        RunPast(run, incident);
        var after = await HitRateAsync(run);

        Assert.All(baseline.Values, rate => Assert.True(rate > 0.5, $"baseline hit rates {Show(baseline)}"));
        Assert.All(during.Values, rate => Assert.True(rate < 0.5, $"hit rates during the storm {Show(during)}"));
        Assert.All(after.Values, rate => Assert.True(rate > 0.5, $"hit rates after the storm {Show(after)}"));
    }

    [Fact]
    public async Task UploadBacklog_QueueBacksUpAboveAThousandThenDrains()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        var baseline = (await run.ScrapeAsync(ServiceNames.UploadPipeline)).Sum("job_queue_size");

        var incident = run.Workload.StartIncident(IncidentKind.UploadBacklog);
        run.Run(incident.Duration / 2);
        var during = (await run.ScrapeAsync(ServiceNames.UploadPipeline)).Sum("job_queue_size");
        RunPast(run, incident);
        var after = (await run.ScrapeAsync(ServiceNames.UploadPipeline)).Sum("job_queue_size");

        Assert.InRange(baseline, 0, 200);
        Assert.True(during > 1000, $"queue during the backlog {during}");
        Assert.InRange(after, 0, 200);
    }

    [Fact]
    public async Task ModelQualityDrop_TheTenantsNewVersionRanksWorseUntilRolledBack()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        var before = await run.ScrapeAsync(ServiceNames.MlEngine);

        var incident = run.Workload.StartIncident(IncidentKind.ModelQualityDrop, "globex");
        run.Run(TimeSpan.FromMinutes(1));
        var during = await run.ScrapeAsync(ServiceNames.MlEngine);
        RunPast(run, incident);
        var after = await run.ScrapeAsync(ServiceNames.MlEngine);

        Assert.Equal("v2.4.1", DeployedVersion(before, "globex"));
        Assert.Equal("v2.5.0", DeployedVersion(during, "globex"));
        Assert.Equal("v2.4.1", DeployedVersion(after, "globex"));
        Assert.True(Ndcg(before, "globex") > 0.6 && Ndcg(during, "globex") < 0.5 && Ndcg(after, "globex") > 0.6,
            $"globex NDCG@10 {Ndcg(before, "globex")} → {Ndcg(during, "globex")} → {Ndcg(after, "globex")}");
        Assert.True(Ndcg(during, "acme") > 0.6, "other tenants keep their model");
        Assert.Single(during.Of("model_quality_ndcg_at_10"), s => s["tenant_id"] == "globex");
    }

    [Fact]
    public async Task KafkaLag_ConsumerLagExceedsTenThousandThenCatchesUp()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));
        static double MaxLag(PrometheusText page) => page.Of("kafka_consumer_lag").Max(s => s.Value);
        var baseline = MaxLag(await run.ScrapeAsync(ServiceNames.DataPipeline));

        var incident = run.Workload.StartIncident(IncidentKind.KafkaLag);
        run.Run(incident.Duration / 2);
        var during = await run.ScrapeAsync(ServiceNames.DataPipeline);
        RunPast(run, incident);
        var after = MaxLag(await run.ScrapeAsync(ServiceNames.DataPipeline));

        Assert.InRange(baseline, 0, 1000);
        Assert.True(MaxLag(during) > 10_000, $"lag during the incident {MaxLag(during)}");
        Assert.All(during.Of("kafka_consumer_lag").Where(s => s["topic"] == "user-events"), s => Assert.True(s.Value > 10_000));
        Assert.InRange(after, 0, 1000);
    }

    [Theory]
    [InlineData(IncidentKind.ErrorBurst)]
    [InlineData(IncidentKind.SlowDependency)]
    [InlineData(IncidentKind.ServiceDown)]
    [InlineData(IncidentKind.CacheHitRateDrop)]
    [InlineData(IncidentKind.UploadBacklog)]
    [InlineData(IncidentKind.ModelQualityDrop)]
    [InlineData(IncidentKind.KafkaLag)]
    public async Task Incident_AnyKind_LastsAFewMinutesAndEndsByItself(IncidentKind kind)
    {
        await using var run = await DemoRun.StartAsync();

        var incident = run.Workload.StartIncident(kind);
        run.Run(incident.Duration - TimeSpan.FromSeconds(5));
        var stillOn = run.Workload.ActiveIncidents.Contains(incident);
        run.Run(TimeSpan.FromSeconds(10));

        Assert.InRange(incident.Duration, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(7));
        Assert.True(stillOn);
        Assert.Empty(run.Workload.ActiveIncidents);
    }

    [Fact]
    public async Task Schedule_IncidentsOn_StartAtRandomAboutEveryIntervalAndAllEnd()
    {
        await using var run = await DemoRun.StartAsync(configure: o => o with { Incidents = true, IncidentInterval = TimeSpan.FromMinutes(10) });
        var seen = new HashSet<DemoIncident>();

        for (var minute = 0; minute < 180; minute++)
        {
            run.Run(TimeSpan.FromMinutes(1));
            seen.UnionWith(run.Workload.ActiveIncidents);
        }

        Assert.InRange(seen.Count, 8, 20);
        Assert.True(seen.Select(i => i.Kind).Distinct().Count() >= 4, "incidents of several kinds");
        Assert.All(seen.Where(i => i.EndsAt <= run.Time.GetUtcNow()), i => Assert.DoesNotContain(i, run.Workload.ActiveIncidents));
        Assert.True(run.Workload.ActiveIncidents.Count <= 1);
    }

    [Fact]
    public async Task Schedule_IncidentsOff_NothingHappensByItself()
    {
        await using var run = await DemoRun.StartAsync(configure: o => o with { Incidents = false, IncidentInterval = TimeSpan.FromMinutes(1) });

        for (var minute = 0; minute < 60; minute++)
        {
            run.Run(TimeSpan.FromMinutes(1));
            Assert.Empty(run.Workload.ActiveIncidents);
        }

        Assert.True(await run.AnswersAsync(ServiceNames.RagService));
    }

    [Fact]
    public async Task Incident_StartAndEnd_AreLoggedForTheOperatorRunningTheDemo()
    {
        var log = new RecordingLogger();
        await using var run = await DemoRun.StartAsync(logger: log);

        var incident = run.Workload.StartIncident(IncidentKind.KafkaLag);
        RunPast(run, incident);

        Assert.Contains(log.Lines, l => l.StartsWith("Warning: Demo incident started: Kafka consumer lag on topic user-events", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.StartsWith("Information: Demo incident ended: Kafka consumer lag on topic user-events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartIncident_UnknownTarget_IsRefusedWithTheChoices()
    {
        await using var run = await DemoRun.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => run.Workload.StartIncident(IncidentKind.ServiceDown, "api-gateway"));

        Assert.Contains("agent-api", error.Message);
        Assert.Empty(run.Workload.ActiveIncidents);
    }

    /// <summary>The signal over a two-minute window, from a scrape at its start and one at its end.</summary>
    private static async Task<double> MeasureAsync(DemoRun run, string service, Func<PrometheusText, PrometheusText, double> signal)
    {
        var start = await run.ScrapeAsync(service);
        run.Run(Window);
        return signal(start, await run.ScrapeAsync(service));
    }

    private static void RunPast(DemoRun run, DemoIncident incident)
    {
        var left = incident.EndsAt - run.Time.GetUtcNow();
        run.Run((left > TimeSpan.Zero ? left : TimeSpan.Zero) + TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(incident, run.Workload.ActiveIncidents);
    }

    /// <summary>Hit rate per cache type over two minutes, across the services that have caches.</summary>
    private static async Task<Dictionary<string, double>> HitRateAsync(DemoRun run)
    {
        var before = await run.ScrapeAllAsync();
        run.Run(Window);
        var after = await run.ScrapeAllAsync();
        return new[] { "query", "embedding", "redis" }.ToDictionary(type => type, type =>
        {
            var hits = before.Keys.Sum(s => Signals.Increase(before[s], after[s], "cache_hits_total", x => x["cache_type"] == type));
            var misses = before.Keys.Sum(s => Signals.Increase(before[s], after[s], "cache_misses_total", x => x["cache_type"] == type));
            return hits / (hits + misses);
        });
    }

    private static string Show(Dictionary<string, double> rates) => string.Join(", ", rates.Select(r => $"{r.Key} {r.Value:P0}"));

    private static string DeployedVersion(PrometheusText page, string tenant) =>
        page.Of("model_version_deployed").Single(s => s["tenant_id"] == tenant && s.Value == 1)["version"];

    private static double Ndcg(PrometheusText page, string tenant) =>
        page.Of("model_quality_ndcg_at_10").Single(s => s["tenant_id"] == tenant).Value;
}
