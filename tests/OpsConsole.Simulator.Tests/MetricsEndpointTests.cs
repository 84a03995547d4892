using System.Diagnostics;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Tests.Support;

namespace OpsConsole.Simulator.Tests;

/// <summary>The /metrics endpoints, scraped over HTTP as the console's scraper (or Prometheus) would.</summary>
public sealed class MetricsEndpointTests
{
    /// <summary>Every metric family of TELEMETRY.md, with its type and its labels, written down from the catalogue.</summary>
    private static readonly (string Name, string Type, string[] Labels)[] Catalogue =
    [
        ("http_requests_total", "counter", ["service", "method", "endpoint", "status", "tenant_id"]),
        ("http_request_duration_seconds", "histogram", ["service", "method", "endpoint"]),
        ("http_requests_in_progress", "gauge", ["service"]),
        ("upload_requests_total", "counter", ["method", "endpoint", "status"]),
        ("upload_request_duration_seconds", "histogram", ["method", "endpoint"]),
        ("documents_uploaded_total", "counter", ["tenant_id", "file_type", "status"]),
        ("documents_processed_total", "counter", ["status", "file_type"]),
        ("document_processing_duration_seconds", "histogram", ["stage"]),
        ("job_queue_size", "gauge", []),
        ("upload_errors_total", "counter", ["error_type", "stage"]),
        ("rag_queries_total", "counter", ["tenant_id", "query_type", "status"]),
        ("rag_query_duration_seconds", "histogram", ["query_type"]),
        ("rag_retrieval_duration_seconds", "histogram", []),
        ("chunks_retrieved_total", "counter", []),
        ("response_quality_scores", "histogram", []),
        ("response_quality_average", "gauge", ["tenant_id"]),
        ("similarity_scores", "histogram", ["query_type"]),
        ("chat_requests_total", "counter", ["tenant_id", "language", "status"]),
        ("chat_response_duration_seconds", "histogram", ["workflow_stage"]),
        ("chat_sessions_total", "counter", ["tenant_id", "language"]),
        ("messages_sent_total", "counter", ["tenant_id", "message_type"]),
        ("workflow_executions_total", "counter", ["workflow_type", "status"]),
        ("active_sessions", "gauge", []),
        ("llm_requests_total", "counter", ["provider", "model", "status"]),
        ("llm_request_duration_seconds", "histogram", ["provider", "model"]),
        ("llm_tokens_total", "counter", ["provider", "model", "type"]),
        ("llm_cost_dollars_total", "counter", ["provider", "model", "tenant_id"]),
        ("llm_monthly_budget_dollars", "gauge", []),
        ("cache_hits_total", "counter", ["cache_type"]),
        ("cache_misses_total", "counter", ["cache_type"]),
        ("model_quality_ndcg_at_10", "gauge", ["tenant_id", "model_version"]),
        ("model_quality_map_at_10", "gauge", ["tenant_id", "model_version"]),
        ("model_quality_precision_at_10", "gauge", ["tenant_id", "model_version"]),
        ("model_quality_recall_at_10", "gauge", ["tenant_id", "model_version"]),
        ("model_inference_duration_seconds", "histogram", ["model_name", "quantization_type"]),
        ("embedding_generation_duration_seconds", "histogram", ["model"]),
        ("faiss_search_duration_seconds", "histogram", ["index_type"]),
        ("training_jobs_completed_total", "counter", ["tenant_id"]),
        ("training_job_failures_total", "counter", ["tenant_id", "reason"]),
        ("training_job_running", "gauge", ["tenant_id"]),
        ("model_version_deployed", "gauge", ["tenant_id", "model_name", "version"]),
        ("recommendations_served_total", "counter", ["tenant_id", "algorithm"]),
        ("api_requests_total", "counter", ["tenant_id"]),
        ("users_registered_total", "counter", ["registration_method"]),
        ("users_active_daily", "gauge", []),
        ("users_active_monthly", "gauge", []),
        ("user_satisfaction_score", "gauge", []),
        ("revenue_dollars_total", "counter", ["tenant_id"]),
        ("search_queries_total", "counter", ["tenant_id"]),
        ("etl_job_duration_seconds", "histogram", ["job_name"]),
        ("etl_job_failures_total", "counter", ["job_name", "reason"]),
        ("etl_records_processed_total", "counter", ["job_name", "source"]),
        ("kafka_consumer_lag", "gauge", ["topic", "partition"]),
        ("db_connections_active", "gauge", []),
        ("db_query_duration_seconds", "histogram", ["query_type"]),
        ("process_cpu_seconds_total", "counter", []),
        ("process_resident_memory_bytes", "gauge", []),
        ("system_disk_usage_ratio", "gauge", ["path"]),
    ];

    [Fact]
    public async Task Scrape_AllServices_ServeEveryCatalogueFamilyWithItsTypeAndLabels()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(3));

        var pages = await run.ScrapeAllAsync();

        var problems = new List<string>();
        foreach (var (name, type, labels) in Catalogue)
        {
            var exposing = pages.Where(p => p.Value.Types.ContainsKey(name)).ToList();
            if (exposing.Count == 0)
            {
                problems.Add($"{name}: no service exposes it");
                continue;
            }

            foreach (var (service, page) in exposing)
            {
                if (page.Types[name] != type)
                {
                    problems.Add($"{name} on {service}: type {page.Types[name]}, expected {type}");
                }

                var series = type == "histogram" ? page.Of(name + "_bucket").ToList() : page.Of(name).ToList();
                var expected = type == "histogram" ? [.. labels, "le"] : labels;
                if (series.Count == 0)
                {
                    problems.Add($"{name} on {service}: no series");
                }

                foreach (var sample in series.Where(s => !s.Labels.Keys.Order().SequenceEqual(expected.Order())))
                {
                    problems.Add($"{name} on {service}: labels {string.Join(",", sample.Labels.Keys)}, expected {string.Join(",", expected)}");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task Scrape_AllServices_ExposeNothingButTheCatalogue()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromSeconds(30));

        var pages = await run.ScrapeAllAsync();

        var known = Catalogue.Select(c => c.Name).ToHashSet();
        var extra = pages.SelectMany(p => p.Value.Types.Keys.Where(n => !known.Contains(n)).Select(n => $"{p.Key}: {n}")).ToList();
        Assert.Empty(extra);
    }

    [Fact]
    public async Task Scrape_EachService_ReportsItsOwnProcessAndRequestsUnderItsName()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(1));

        foreach (var service in ServiceNames.All)
        {
            var page = await run.ScrapeAsync(service);
            Assert.True(page.Sum("process_cpu_seconds_total") > 0, $"{service} used no CPU");
            Assert.InRange(page.Sum("process_resident_memory_bytes"), 50e6, 8e9);
            Assert.NotEmpty(page.Of("http_requests_total"));
            Assert.All(page.Of("http_requests_total"), s => Assert.Equal(service, s["service"]));
        }
    }

    [Fact]
    public async Task Scrape_EachEndpoint_PassesPromtoolCheckMetrics()
    {
        Assert.True(File.Exists(Promtool.Path), $"promtool is required at {Promtool.Path} (Debian package prometheus)");
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(3));

        foreach (var service in ServiceNames.All)
        {
            var text = await run.ScrapeTextAsync(service);
            var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
            Assert.True(exitCode == 0 && output.Length == 0, $"promtool check metrics on {service} exited {exitCode}: {output}");
        }
    }

    [Fact]
    public async Task Scrape_Gateway_CountsTheConfiguredRateAtThePeak()
    {
        await using var run = await DemoRun.StartAsync(at: DemoRun.Peak - TimeSpan.FromMinutes(5));
        run.Run(TimeSpan.FromMinutes(10));

        var page = await run.ScrapeAsync(ServiceNames.ApiGateway);

        var perSecond = page.Sum("api_requests_total") / 600;
        Assert.InRange(perSecond, 20 * 0.8, 20 * 1.2);
    }

    [Fact]
    public async Task ScrapeTargets_OnePerService_JobIsTheServiceName()
    {
        await using var run = await DemoRun.StartAsync();

        var targets = run.Workload.ScrapeTargets;

        Assert.Equal(ServiceNames.All, targets.Select(t => t.Job));
        Assert.All(targets, t => Assert.Matches(@"^http://127\.0\.0\.1:\d+/metrics$", t.Url.ToString()));
        Assert.Equal(6, targets.Select(t => t.Url.Port).Distinct().Count());
    }

    [Fact]
    public void ScrapeTargets_BeforeStart_FollowThePortBase()
    {
        var workload = new DemoWorkload(new DemoWorkloadOptions { MetricsPortBase = 9301 });

        Assert.Equal(
            ["http://127.0.0.1:9301/metrics", "http://127.0.0.1:9302/metrics", "http://127.0.0.1:9303/metrics",
             "http://127.0.0.1:9304/metrics", "http://127.0.0.1:9305/metrics", "http://127.0.0.1:9306/metrics"],
            workload.ScrapeTargets.Select(t => t.Url.ToString()));
    }

    [Fact]
    public async Task StartAsync_PortTaken_FailsWithAClearMessage()
    {
        await using var first = await DemoRun.StartAsync();
        var taken = first.UrlOf(ServiceNames.ApiGateway).Port;
        var second = new DemoWorkload(new DemoWorkloadOptions { OtlpEndpoint = null, MetricsPortBase = taken });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{taken}", error.Message);
        Assert.True(await first.AnswersAsync(ServiceNames.ApiGateway));
    }
}

/// <summary>Runs <c>promtool check metrics</c> (Debian package prometheus) on a scraped page.</summary>
internal static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string text)
    {
        using var process = Process.Start(new ProcessStartInfo(Path, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}
