using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Scrape.Tests.Support;

namespace OpsConsole.Scrape.Tests.Scraping;

/// <summary>The real scrape loop against real HTTP targets on 127.0.0.1, with a fixed clock stepped by whole intervals.</summary>
public sealed class ScrapeLoopTests : IAsyncLifetime
{
    private const string Page = """
        # HELP http_requests_total Requests served.
        # TYPE http_requests_total counter
        http_requests_total{method="get",status="200"} 1027
        http_requests_total{method="post",status="500"} 3
        # TYPE job_queue_size gauge
        job_queue_size 7

        """;

    private ScrapeHarness _harness = new();
    private MetricsEndpoint _endpoint = null!;

    private string Instance => $"127.0.0.1:{_endpoint.Url.Port}";

    private static long StartMs => ScrapeHarness.Start.ToUnixTimeMilliseconds();

    public async Task InitializeAsync()
    {
        _endpoint = await MetricsEndpoint.StartAsync();
        _endpoint.Page = Page;
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Scrape_HealthyTarget_WritesItsSamplesWithJobAndInstanceAndTheReportSeries()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url, labels: new() { ["env"] = "demo" });

        // Act
        _harness.StartLoop();
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        var sink = _harness.Sink;
        var up = sink.Latest("up");
        Assert.Equal($$"""up{env="demo", instance="{{Instance}}", job="rag-service"}""", up.Labels.ToString());
        Assert.Equal((1d, StartMs, "default"), (up.Value, up.TimestampMs, up.TenantId));

        var requests = sink.Latest("http_requests_total", ("method", "get"));
        Assert.Equal(
            $$"""http_requests_total{env="demo", instance="{{Instance}}", job="rag-service", method="get", status="200"}""",
            requests.Labels.ToString());
        Assert.Equal((1027d, StartMs), (requests.Value, requests.TimestampMs));
        Assert.Equal(7, sink.Latest("job_queue_size", ("job", "rag-service")).Value);

        Assert.True(sink.Latest("scrape_duration_seconds", ("instance", Instance)).Value >= 0);
        Assert.Equal(3, sink.Latest("scrape_samples_scraped", ("job", "rag-service")).Value);
        Assert.Equal(3, sink.Latest("scrape_samples_post_metric_relabeling", ("job", "rag-service")).Value);
        Assert.Equal(3, sink.Latest("scrape_series_added", ("job", "rag-service")).Value);

        var batch = Assert.Single(sink.Batches);
        Assert.Equal(
            [new MetricMetadata("http_requests_total", MetricType.Counter, "Requests served.", null), new MetricMetadata("job_queue_size", MetricType.Gauge, null, null)],
            batch.Metadata);

        Assert.Equal((ScrapeHealth.Up, null, 3, ScrapeHarness.Start), (status.Health, status.LastError, status.SamplesScraped, status.LastScrape));
        Assert.Contains("text/plain;version=0.0.4", _endpoint.LastRequestHeaders["Accept"], StringComparison.Ordinal);
        Assert.Contains("application/openmetrics-text;version=1.0.0", _endpoint.LastRequestHeaders["Accept"], StringComparison.Ordinal);
        Assert.Equal("5", _endpoint.LastRequestHeaders["X-Prometheus-Scrape-Timeout-Seconds"]);
    }

    [Fact]
    public async Task Scrape_EveryInterval_StampsTheScrapeTimeAndCountsNoNewSeriesAndSendsUnchangedMetadataOnce()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url, interval: "15s");
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);

        // Act
        await _harness.NextScrapeAsync(target);

        // Assert
        var sink = _harness.Sink;
        Assert.Equal([StartMs, StartMs + 15_000], sink.SamplesOf("http_requests_total", ("method", "get")).Select(s => s.TimestampMs));
        Assert.Equal(0, sink.Latest("scrape_series_added").Value);
        Assert.Equal(2, _endpoint.RequestCount);
        Assert.NotEmpty(sink.Batches[0].Metadata);
        Assert.Empty(sink.Batches[1].Metadata);
    }

    [Fact]
    public async Task Scrape_ExposedJobAndInstanceLabels_AreKeptAsExportedLabels()
    {
        // Arrange
        _endpoint.Page = "batch_runs_total{job=\"nightly\",instance=\"worker-3\"} 12\n";
        var target = _harness.Add("data-pipeline", _endpoint.Url);

        // Act
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        var sample = _harness.Sink.Latest("batch_runs_total");
        Assert.Equal(
            $$"""batch_runs_total{exported_instance="worker-3", exported_job="nightly", instance="{{Instance}}", job="data-pipeline"}""",
            sample.Labels.ToString());
    }

    [Fact]
    public async Task Scrape_TargetAnswers500_UpIsZeroWithTheErrorAndTheLoopGoesOn()
    {
        // Arrange
        _endpoint.Status = 500;
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var failed = await _harness.WaitForScrapesAsync(target, 1);
        _endpoint.Status = 200;
        var recovered = await _harness.NextScrapeAsync(target);

        // Assert
        Assert.Equal((ScrapeHealth.Down, "server returned HTTP status 500 Internal Server Error"), (failed.Health, failed.LastError));
        Assert.Equal([0d, 1d], _harness.Sink.SamplesOf("up").Select(s => s.Value));
        Assert.Equal([0d, 3d], _harness.Sink.SamplesOf("scrape_samples_scraped").Select(s => s.Value));
        Assert.Equal((ScrapeHealth.Up, null), (recovered.Health, recovered.LastError));
    }

    [Fact]
    public async Task Scrape_TargetDoesNotAnswerInTime_UpIsZeroWithATimeoutError()
    {
        // Arrange
        _endpoint.Hang = true;
        var target = _harness.Add("rag-service", _endpoint.Url, interval: "15s", timeout: "5s");
        _harness.StartLoop();
        await Eventually.TrueAsync(() => _endpoint.RequestCount == 1, "the target received the scrape");

        // Act
        _harness.Time.Advance(TimeSpan.FromSeconds(5));
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal((ScrapeHealth.Down, "scrape timed out after 5s"), (status.Health, status.LastError));
        Assert.Equal(0, _harness.Sink.Latest("up").Value);
        Assert.Equal(5, _harness.Sink.Latest("scrape_duration_seconds").Value);
    }

    [Fact]
    public async Task Scrape_ConnectionRefused_UpIsZeroAndOtherTargetsAreStillScraped()
    {
        // Arrange
        var refused = _harness.Add("ml-engine", MetricsEndpoint.RefusingUrl());
        var healthy = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var refusedStatus = await _harness.WaitForScrapesAsync(refused, 1);
        await _harness.WaitForScrapesAsync(healthy, 1);
        await _harness.NextScrapeAsync(healthy);
        var refusedAgain = await _harness.WaitForScrapesAsync(refused, 2);

        // Assert
        Assert.Equal(ScrapeHealth.Down, refusedStatus.Health);
        Assert.Contains("refused", refusedStatus.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ScrapeHealth.Down, refusedAgain.Health);
        Assert.Equal([0d, 0d], _harness.Sink.SamplesOf("up", ("job", "ml-engine")).Select(s => s.Value));
        Assert.Equal([1d, 1d], _harness.Sink.SamplesOf("up", ("job", "rag-service")).Select(s => s.Value));
    }

    [Fact]
    public async Task Scrape_SeriesDisappears_GetsOneStaleMarkerAtTheNextScrape()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);
        _endpoint.Page = "http_requests_total{method=\"get\",status=\"200\"} 1030\njob_queue_size 8\n";

        // Act
        var second = await _harness.NextScrapeAsync(target);
        await _harness.NextScrapeAsync(target);

        // Assert
        var ended = _harness.Sink.SamplesOf("http_requests_total", ("method", "post"));
        Assert.Equal(2, ended.Count);
        Assert.False(StaleMarker.IsStaleNaN(ended[0].Value));
        Assert.True(StaleMarker.IsStaleNaN(ended[1].Value));
        Assert.Equal(StaleMarker.StaleNaNBits, BitConverter.DoubleToUInt64Bits(ended[1].Value));
        Assert.Equal(StartMs + 15_000, ended[1].TimestampMs);
        Assert.DoesNotContain(_harness.Sink.SamplesOf("http_requests_total", ("method", "get")), s => double.IsNaN(s.Value));
        Assert.Equal(1, second.SeriesEnded);
    }

    [Fact]
    public async Task Scrape_TargetFailsAfterASuccess_AllItsSeriesGetStaleMarkers()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);
        _endpoint.Status = 503;

        // Act
        await _harness.NextScrapeAsync(target);

        // Assert
        var secondScrape = _harness.Sink.Batches[1].Samples;
        Assert.Equal(3, secondScrape.Count(s => StaleMarker.IsStaleNaN(s.Value)));
        Assert.All(secondScrape.Where(s => StaleMarker.IsStaleNaN(s.Value)), s => Assert.Equal(StartMs + 15_000, s.TimestampMs));
        Assert.Equal(0, _harness.Sink.Latest("up").Value);
    }

    [Fact]
    public async Task Scrape_SeriesWithExposedTimestamps_KeepThemAndGetNoStaleMarkers()
    {
        // Arrange
        _endpoint.Page = "batch_last_success 1 1700000000000\nplain 1\n";
        var target = _harness.Add("data-pipeline", _endpoint.Url);
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);
        _endpoint.Page = "plain 2\n";

        // Act
        await _harness.NextScrapeAsync(target);

        // Assert
        var batch = Assert.Single(_harness.Sink.SamplesOf("batch_last_success"));
        Assert.Equal(1_700_000_000_000, batch.TimestampMs);
        Assert.Equal(StartMs, _harness.Sink.SamplesOf("plain")[0].TimestampMs);
    }

    [Fact]
    public async Task RemoveTarget_MarksAllItsSeriesAndReportSeriesStaleAndStopsScrapingIt()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);
        _harness.Time.Advance(TimeSpan.FromSeconds(3));

        // Act
        _harness.Registry.Remove(target.Key);
        await Eventually.TrueAsync(() => _harness.Sink.Batches.Count == 2, "the stale markers of the removed target were written");

        // Assert
        var markers = _harness.Sink.Batches[1].Samples;
        Assert.All(markers, s => Assert.True(StaleMarker.IsStaleNaN(s.Value), $"{s.Labels} is not stale"));
        Assert.All(markers, s => Assert.Equal(StartMs + 3_000, s.TimestampMs));
        Assert.Equal(
            [
                "http_requests_total", "http_requests_total", "job_queue_size", "scrape_duration_seconds", "scrape_samples_post_metric_relabeling",
                "scrape_samples_scraped", "scrape_series_added", "up",
            ],
            markers.Select(s => s.Labels.Name!).Order(StringComparer.Ordinal));
        Assert.Null(_harness.Loop.GetStatus(target.Key));
        Assert.Empty(_harness.Loop.GetStatuses());
        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, _endpoint.RequestCount);
    }

    [Fact]
    public async Task AddTarget_WhileRunning_IsScrapedAtOnce()
    {
        // Arrange
        _harness.StartLoop();
        await Eventually.TrueAsync(() => _harness.Loop.IsRunning, "the loop runs");

        // Act
        var target = _harness.Add("agent-api", _endpoint.Url, tenant: "acme");
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal(ScrapeHealth.Up, status.Health);
        Assert.All(_harness.Sink.Samples, s => Assert.Equal("acme", s.TenantId));
    }

    [Fact]
    public async Task Scrape_PageWithMalformedLines_RecordsTheGoodSamplesAndReportsTheBadLines()
    {
        // Arrange
        _endpoint.Page = "good_one 1\nbroken{a=\"x} 2\ngood_two{a=\"y\"} 3\nbad_value 12x\n";
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal((ScrapeHealth.Up, 2, 2), (status.Health, status.SamplesScraped, status.ParseErrorCount));
        Assert.Equal(
            [new ExpositionError(2, "unterminated value of label a (missing closing '\"')"), new ExpositionError(4, "invalid value '12x' for bad_value")],
            status.ParseErrors);
        Assert.Equal(1, _harness.Sink.Latest("good_one").Value);
        Assert.Equal(3, _harness.Sink.Latest("good_two").Value);
        Assert.Equal(2, _harness.Sink.Latest("scrape_samples_scraped").Value);
        Assert.Equal(1, _harness.Sink.Latest("up").Value);
    }

    [Fact]
    public async Task Scrape_OpenMetricsResponse_IsReadAsOpenMetrics()
    {
        // Arrange
        _endpoint.ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        _endpoint.Page = "# TYPE orders counter\norders_total 5 1700000000.5\norders_created 1600000000\n# EOF\n";
        var target = _harness.Add("api-gateway", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal(0, status.ParseErrorCount);
        Assert.Equal(1_700_000_000_500, _harness.Sink.Latest("orders_total").TimestampMs);
        Assert.Empty(_harness.Sink.SamplesOf("orders_created"));
        Assert.Equal(new MetricMetadata("orders", MetricType.Counter, null, null), Assert.Single(_harness.Sink.Batches[0].Metadata));
    }

    [Fact]
    public async Task Scrape_GzipResponseWithAPlainHttpClient_IsDecompressed()
    {
        // Arrange
        await _harness.DisposeAsync();
        _harness = new ScrapeHarness(http: new HttpClient());
        _endpoint.Gzip = true;
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal((ScrapeHealth.Up, 3, 0), (status.Health, status.SamplesScraped, status.ParseErrorCount));
        Assert.Equal("gzip", _endpoint.LastRequestHeaders["Accept-Encoding"]);
    }

    [Fact]
    public async Task Scrape_MoreSamplesThanTheLimit_FailsTheScrape()
    {
        // Arrange
        await _harness.DisposeAsync();
        _harness = new ScrapeHarness(new ScrapeOptions { SampleLimit = 2 });
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal((ScrapeHealth.Down, "sample limit of 2 exceeded (3 samples); none were kept"), (status.Health, status.LastError));
        Assert.Empty(_harness.Sink.SamplesOf("http_requests_total"));
        Assert.Equal(0, _harness.Sink.Latest("up").Value);
    }

    [Fact]
    public async Task Scrape_ResponseLargerThanTheBodyLimit_FailsTheScrape()
    {
        // Arrange
        await _harness.DisposeAsync();
        _harness = new ScrapeHarness(new ScrapeOptions { BodySizeLimitBytes = 64 });
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();

        // Act
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.Equal(ScrapeHealth.Down, status.Health);
        Assert.Contains("exceeds the body size limit of 64 bytes", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_StoreFails_ShowsTheWriteErrorAndTheNextScrapeWritesAgain()
    {
        // Arrange
        _harness.Sink.Failure = new InvalidOperationException("disk full");
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();
        var failed = await _harness.WaitForScrapesAsync(target, 1);
        _harness.Sink.Failure = null;

        // Act
        var next = await _harness.NextScrapeAsync(target);

        // Assert
        Assert.Equal((ScrapeHealth.Up, "writing the samples failed: disk full"), (failed.Health, failed.LastWriteError));
        Assert.Null(next.LastWriteError);
        Assert.Equal(1, _harness.Sink.Latest("up").Value);
    }

    [Fact]
    public async Task Scrape_StoreThrottles_ShowsItAndSendsTheMetadataAgainNextTime()
    {
        // Arrange
        _harness.Sink.Answer = new Core.Ingestion.IngestResult(Core.Ingestion.IngestOutcome.Throttled, Message: "queue full");
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();
        var throttled = await _harness.WaitForScrapesAsync(target, 1);
        _harness.Sink.Answer = Core.Ingestion.IngestResult.Accepted;

        // Act
        await _harness.NextScrapeAsync(target);

        // Assert
        Assert.Equal("the store did not take the samples (Throttled: queue full)", throttled.LastWriteError);
        Assert.NotEmpty(_harness.Sink.Batches[0].Metadata);
        Assert.Equal(_harness.Sink.Batches[0].Metadata, _harness.Sink.Batches[1].Metadata);
    }

    [Fact]
    public async Task StatusFeed_AfterAScrape_PublishesTheTargetsHealth()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url);
        var seen = new List<IReadOnlyList<ScrapeTargetStatus>>();
        using var subscription = _harness.Loop.StatusFeed.Subscribe(
            statuses =>
            {
                lock (seen)
                {
                    seen.Add(statuses);
                }

                return Task.CompletedTask;
            },
            TimeSpan.Zero);

        // Act
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        await Eventually.TrueAsync(
            () =>
            {
                lock (seen)
                {
                    return seen.Any(s => s.Count == 1 && s[0].Health == ScrapeHealth.Up && s[0].Target == target);
                }
            },
            "the feed published the target as up");
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsAHangingScrapeWithoutStaleMarkers()
    {
        // Arrange
        var target = _harness.Add("rag-service", _endpoint.Url);
        _harness.StartLoop();
        await _harness.WaitForScrapesAsync(target, 1);
        _endpoint.Hang = true;
        _harness.Time.Advance(target.Interval);
        await Eventually.TrueAsync(() => _endpoint.RequestCount == 2, "the second scrape is under way");

        // Act
        await _harness.StopLoopAsync();

        // Assert
        Assert.False(_harness.Loop.IsRunning);
        Assert.Single(_harness.Sink.Batches);
    }

    [Fact]
    public async Task Scrape_PrometheusNetEndpoint_ParsesWithoutErrorsAndKeepsTheTypes()
    {
        // Arrange
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        factory.CreateCounter("llm_requests_total", "LLM requests.", new Prometheus.CounterConfiguration { LabelNames = ["provider"] }).WithLabels("openai").Inc(4);
        factory.CreateHistogram("llm_request_duration_seconds", "LLM latency.").Observe(0.7);
        factory.CreateSummary("response_quality_scores", "Quality.").Observe(0.9);
        factory.CreateGauge("active_sessions", "Sessions.").Set(12);
        await using var prometheusNet = await MetricsEndpoint.StartAsync(app => Prometheus.MetricServerMiddlewareExtensions.MapMetrics(app, "/prometheus-net", registry));
        var url = new Uri(prometheusNet.Url, "/prometheus-net");
        var target = _harness.Add("agent-api", url);
        _harness.StartLoop();

        // Act
        var status = await _harness.WaitForScrapesAsync(target, 1);

        // Assert
        Assert.True(status.ParseErrorCount == 0, string.Join("; ", status.ParseErrors));
        Assert.Equal(ScrapeHealth.Up, status.Health);
        Assert.Equal(4, _harness.Sink.Latest("llm_requests_total", ("provider", "openai")).Value);
        Assert.Equal(12, _harness.Sink.Latest("active_sessions").Value);
        var types = _harness.Sink.Batches[0].Metadata.ToDictionary(m => m.Name, m => m.Type);
        Assert.Equal(MetricType.Histogram, types["llm_request_duration_seconds"]);
        Assert.Equal(MetricType.Summary, types["response_quality_scores"]);
        Assert.Equal(MetricType.Gauge, types["active_sessions"]);
        Assert.Equal(MetricType.Counter, types.Single(t => t.Key.StartsWith("llm_requests", StringComparison.Ordinal)).Value);
    }
}
