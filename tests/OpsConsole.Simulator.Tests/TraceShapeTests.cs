using System.Diagnostics;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Tests.Support;

namespace OpsConsole.Simulator.Tests;

/// <summary>The traces of TELEMETRY.md, captured from each service's own tracer provider.</summary>
public sealed class TraceShapeTests
{
    [Fact]
    public async Task ChatRequest_GatewayToAgentToRagToRetrieveAndGenerate_AcrossServices()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromSeconds(30));
        var traces = new Traces(run.Telemetry!.Spans);

        var root = traces.RootWith("POST /v1/chat", containing: "rag.generate");
        var turn = traces.Child(root, ServiceNames.AgentApi, "chat.turn");
        var query = traces.Child(turn, ServiceNames.RagService, "rag.query");
        var retrieve = traces.Child(query, ServiceNames.RagService, "rag.retrieve");
        var generate = traces.Child(query, ServiceNames.RagService, "rag.generate");
        var search = traces.Child(retrieve, ServiceNames.RagService, "search");
        var completion = traces.Child(generate, ServiceNames.RagService, "chat.completions");

        Assert.Equal(ActivityKind.Server, root.Activity.Kind);
        Assert.Equal("POST", root.Tag("http.request.method"));
        Assert.Equal("/v1/chat", root.Tag("http.route"));
        Assert.Equal(200, root.Tag("http.response.status_code"));
        Assert.Equal(ActivityKind.Server, turn.Activity.Kind);
        Assert.Equal(ActivityKind.Server, query.Activity.Kind);
        Assert.Equal(ActivityKind.Client, search.Activity.Kind);
        Assert.Equal("vector-store", search.Tag("peer.service"));
        Assert.Equal(ActivityKind.Client, completion.Activity.Kind);
        Assert.Equal("llm", completion.Tag("peer.service"));
        Assert.True((int)completion.Tag("llm.tokens.input")! > 0 && (int)completion.Tag("llm.tokens.output")! > 0);
        var tenant = root.Tag("tenant.id");
        Assert.Contains(tenant, Tenant.All.Select(t => (object)t.Id));
        Assert.All(new[] { turn, query }, s => Assert.Equal(tenant, s.Tag("tenant.id")));
        Assert.All(new[] { turn, query }, s => Assert.Equal(root.Tag("user.id"), s.Tag("user.id")));
        AssertNested(traces, root);
    }

    [Fact]
    public async Task UploadRequest_GatewayToUploadPipeline_ParsesChunksEmbedsIndexesAndRecords()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromSeconds(30));
        var traces = new Traces(run.Telemetry!.Spans);

        var root = traces.RootWith("POST /v1/documents", containing: "INSERT");
        var upload = traces.Child(root, ServiceNames.UploadPipeline, "document.upload");

        var parse = traces.Child(upload, ServiceNames.UploadPipeline, "document.parse");
        var chunk = traces.Child(upload, ServiceNames.UploadPipeline, "document.chunk");
        var embed = traces.Child(upload, ServiceNames.MlEngine, "embed.batch");
        var upsert = traces.Child(upload, ServiceNames.UploadPipeline, "upsert");
        var insert = traces.Child(upload, ServiceNames.UploadPipeline, "INSERT");
        Assert.Equal(201, root.Tag("http.response.status_code"));
        Assert.Equal("vector-store", upsert.Tag("peer.service"));
        Assert.Equal("postgres", insert.Tag("peer.service"));
        Assert.Equal(ActivityKind.Server, embed.Activity.Kind);
        Assert.True(parse.Activity.StartTimeUtc <= chunk.Activity.StartTimeUtc && chunk.Activity.StartTimeUtc <= embed.Activity.StartTimeUtc);
        AssertNested(traces, root);
    }

    [Fact]
    public async Task RecommendationRequest_GatewayToMlEngine_LooksUpRedisThenSearchesFaiss()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromSeconds(30));
        var traces = new Traces(run.Telemetry!.Spans);

        var root = traces.RootWith("GET /v1/recommendations", containing: "recommend");
        var recommend = traces.Child(root, ServiceNames.MlEngine, "recommend");
        var cache = traces.Child(recommend, ServiceNames.MlEngine, "GET");
        var search = traces.Child(recommend, ServiceNames.MlEngine, "search");

        Assert.Equal("redis", cache.Tag("peer.service"));
        Assert.Equal("faiss", search.Tag("db.system.name"));
        Assert.True(cache.Activity.StartTimeUtc + cache.Activity.Duration <= search.Activity.StartTimeUtc);
        AssertNested(traces, root);
    }

    [Fact]
    public async Task BackgroundEtl_RunWithAChildSpanPerBatch_EachReadingAndWriting()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromMinutes(3));
        var traces = new Traces(run.Telemetry!.Spans);

        var etl = traces.Roots.Where(r => r.Activity.DisplayName == "etl.run").ToList();
        Assert.Contains(etl, r => (string?)r.Tag("etl.job_name") == "events_to_warehouse");
        foreach (var jobRun in etl)
        {
            Assert.Equal(ServiceNames.DataPipeline, jobRun.Service);
            var batches = traces.ChildrenOf(jobRun);
            Assert.InRange(batches.Count, 1, 8);
            Assert.All(batches, b => Assert.Equal("etl.batch", b.Activity.DisplayName));
            Assert.All(batches, b => Assert.Contains(traces.ChildrenOf(b), c => c.Activity.Kind == ActivityKind.Client));
        }

        var kafka = etl.First(r => (string?)r.Tag("etl.job_name") == "events_to_warehouse");
        Assert.Equal("kafka", traces.Child(traces.ChildrenOf(kafka)[0], ServiceNames.DataPipeline, "poll").Tag("peer.service"));
    }

    [Fact]
    public async Task Spans_EachService_ExportedWithItsOwnDemoResource()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromMinutes(2));

        var byService = run.Telemetry!.Spans.GroupBy(s => s.Service).ToDictionary(g => g.Key, g => g.First().Resource);

        Assert.Equal(ServiceNames.All.Order(), byService.Keys.Order());
        foreach (var (service, resource) in byService)
        {
            Assert.Equal(service, resource["service.name"]);
            Assert.False(string.IsNullOrEmpty(resource["service.version"] as string));
            Assert.Equal("demo", resource["deployment.environment"]);
            Assert.Equal(true, resource["opsconsole.demo"]);
        }
    }

    [Fact]
    public async Task Spans_OfATenantsRequest_AllCarryThatTenantInTheirResource()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromMinutes(2));
        var traces = new Traces(run.Telemetry!.Spans);

        var requests = traces.Roots.Where(r => r.Service == ServiceNames.ApiGateway).ToList();
        var etl = traces.Roots.Where(r => r.Activity.DisplayName == "etl.run").ToList();

        Assert.NotEmpty(requests);
        Assert.All(requests, root => Assert.All(traces.Trace(root.Activity.TraceId),
            span => Assert.Equal(root.Tag("tenant.id"), span.Resource.GetValueOrDefault("tenant.id"))));
        Assert.Equal(Tenant.All.Select(t => t.Id).Order(), requests.Select(r => (string)r.Resource["tenant.id"]).Distinct().Order());
        Assert.NotEmpty(etl);
        Assert.All(etl, root => Assert.All(traces.Trace(root.Activity.TraceId), span => Assert.False(span.Resource.ContainsKey("tenant.id"))));
    }

    [Fact]
    public async Task Spans_AllRequests_EndBeforeTheClockAndStartAfterTheRunBegan()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        var begun = run.Time.GetUtcNow();
        run.Run(TimeSpan.FromSeconds(20));
        var now = run.Time.GetUtcNow().UtcDateTime;

        var requests = run.Telemetry!.Spans.Where(s => s.Service == ServiceNames.ApiGateway && s.ParentId is null).ToList();

        Assert.InRange(requests.Count, 250, 550);
        Assert.All(requests, r => Assert.True(r.Activity.StartTimeUtc + r.Activity.Duration <= now));
        Assert.All(requests, r => Assert.True(r.Activity.StartTimeUtc >= begun.UtcDateTime - TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task ErrorBurst_FailedSpans_CarryErrorStatusAndAnExceptionEvent()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Workload.StartIncident(IncidentKind.ErrorBurst, ServiceNames.RagService);
        run.Run(TimeSpan.FromMinutes(1));
        var traces = new Traces(run.Telemetry!.Spans);

        var failed = run.Telemetry.Spans.First(s => s.Service == ServiceNames.RagService && s.Activity.DisplayName == "rag.query" && s.Activity.Status == ActivityStatusCode.Error);
        var exception = Assert.Single(failed.Activity.Events, e => e.Name == "exception");
        var tags = exception.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("psycopg_pool.PoolTimeout", tags["exception.type"]);
        Assert.False(string.IsNullOrEmpty(tags["exception.message"] as string));
        Assert.Contains("Traceback (most recent call last)", (string)tags["exception.stacktrace"]!);
        Assert.Equal(500, failed.Tag("http.response.status_code"));
        var root = traces.Trace(failed.Activity.TraceId).Single(s => s.ParentId is null);
        Assert.Equal(502, root.Tag("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, root.Activity.Status);
    }

    [Fact]
    public async Task ServiceDown_CallsToIt_FailWithConnectionRefusedAndItEmitsNothing()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Workload.StartIncident(IncidentKind.ServiceDown, ServiceNames.RagService);
        run.Run(TimeSpan.FromSeconds(30));

        var spans = run.Telemetry!.Spans.ToList();
        Assert.DoesNotContain(spans, s => s.Service == ServiceNames.RagService);
        var turn = spans.First(s => s.Activity.DisplayName == "chat.turn");
        Assert.Equal(503, turn.Tag("http.response.status_code"));
        Assert.Contains("Connection refused", (string?)turn.Activity.Events.Single(e => e.Name == "exception").Tags.First(t => t.Key == "exception.message").Value);
    }

    /// <summary>Every span of the trace lies within its parent's time range, and the trace has one root.</summary>
    private static void AssertNested(Traces traces, CapturedSpan root)
    {
        var spans = traces.Trace(root.Activity.TraceId);
        Assert.Single(spans, s => s.ParentId is null);
        foreach (var span in spans.Where(s => s.ParentId is not null))
        {
            var parent = spans.Single(s => s.Activity.SpanId == span.ParentId);
            Assert.True(span.Activity.StartTimeUtc >= parent.Activity.StartTimeUtc, $"{span.Activity.DisplayName} starts before {parent.Activity.DisplayName}");
            Assert.True(span.Activity.StartTimeUtc + span.Activity.Duration <= parent.Activity.StartTimeUtc + parent.Activity.Duration,
                $"{span.Activity.DisplayName} ends after {parent.Activity.DisplayName}");
        }
    }
}
