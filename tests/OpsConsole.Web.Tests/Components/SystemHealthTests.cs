using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Live;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Data;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Observability;

namespace OpsConsole.Web.Tests.Components;

public sealed class SystemHealthTests
{
    private static ProcessSnapshot Sample(long requests, long workingSet = 150L * 1024 * 1024) => new(
        DateTimeOffset.UtcNow, TimeSpan.FromMinutes(90) + TimeSpan.FromSeconds(5), workingSet, 40L * 1024 * 1024, 12.5, 31,
        requests, 4.2, 3, 1);

    private static (BunitContext Ctx, LiveFeed<ProcessSnapshot> Feed) Create() => Create(out _, out _);

    private static (BunitContext Ctx, LiveFeed<ProcessSnapshot> Feed) Create(out TelemetryStores stores, out HealthCheckStore health)
    {
        var ctx = ComponentTestContext.Create(Role.Operator);
        var feed = new LiveFeed<ProcessSnapshot>(TimeProvider.System);
        stores = new TelemetryStores(new HotStoreOptions(), TimeProvider.System);
        health = new HealthCheckStore();
        ctx.Services.AddSingleton(feed);
        ctx.Services.AddSingleton(new ResolvedStorage(StorageProvider.Sqlite, "Data Source=unused.db"));
        ctx.Services.AddSingleton(stores);
        ctx.Services.AddSingleton(health);
        ctx.Services.AddSingleton(new ScrapeLoop(new ScrapeTargetRegistry(new ScrapeOptions()), new StoresSink(stores), new HttpClient(), TimeProvider.System));
        return (ctx, feed);
    }

    /// <summary>Hands batches straight to the stores (the page only reads them).</summary>
    private sealed class StoresSink(TelemetryStores stores) : ITelemetrySink
    {
        public ValueTask<IngestResult> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            stores.Store(batch);
            return ValueTask.FromResult(IngestResult.Accepted);
        }
    }

    [Fact]
    public async Task Page_WhenTelemetryArrives_ListsTheServiceWithItsStateAndTheIngestRate()
    {
        var (ctx, _) = Create(out var stores, out var health);
        await using var _ctx = ctx;
        var cut = ctx.Render<SystemHealth>();
        Assert.NotNull(cut.Find("[data-testid=services-empty]"));
        var now = DateTimeOffset.UtcNow;
        var batch = new TelemetryBatch
        {
            Spans = [new Span
            {
                TenantId = "acme", TraceId = new TraceId(1, 2), SpanId = new SpanId(3), Name = "rag.query",
                StartTimeUnixNano = (ulong)now.ToUnixTimeMilliseconds() * 1_000_000, EndTimeUnixNano = (ulong)now.ToUnixTimeMilliseconds() * 1_000_000 + 5_000_000,
                Resource = new TelemetryResource([new("service.name", AttributeValue.Of("rag-service"))]),
            }],
            HealthChecks = [new HealthCheckResult("acme", "rag-service", "db", HealthStatus.Unhealthy, "connection refused", 3, now.ToUnixTimeMilliseconds())],
        };

        health.OnCommitted(batch);
        stores.Store(batch);

        cut.WaitForAssertion(() =>
        {
            var row = cut.Find("[data-testid=service-row][data-service=rag-service]");
            Assert.Contains("Down", row.TextContent);
            Assert.Contains("connection refused", row.TextContent);
            Assert.Contains("1 spans held", cut.Find("[data-testid=ingest-spans]").TextContent);
        });
    }

    [Fact]
    public async Task Page_BeforeTheFirstSample_SaysItIsWaitingInsteadOfShowingZeros()
    {
        var (ctx, _) = Create();
        await using var _ctx = ctx;

        var cut = ctx.Render<SystemHealth>();

        Assert.Contains("Waiting for the first sample", cut.Markup);
        Assert.Empty(cut.FindAll("[data-testid=stat-requests]"));
    }

    [Fact]
    public async Task Page_WhenTheServerPublishesASample_UpdatesWithoutAnyInteraction()
    {
        var (ctx, feed) = Create();
        await using var _ctx = ctx;
        feed.Publish(Sample(requests: 1_000));
        var cut = ctx.Render<SystemHealth>();
        Assert.Contains("1,000", cut.Find("[data-testid=stat-requests]").TextContent);

        feed.Publish(Sample(requests: 123_456, workingSet: 2L * 1024 * 1024 * 1024));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("123,456", cut.Find("[data-testid=stat-requests]").TextContent);
            Assert.Contains("2.0 GB", cut.Find("[data-testid=stat-memory]").TextContent);
            Assert.Contains("1h 30m 5s", cut.Find("[data-testid=stat-uptime]").TextContent);
        });
    }

    [Fact]
    public async Task Page_WhenDisposed_StopsListeningToTheFeed()
    {
        var (ctx, feed) = Create();
        await using var _ctx = ctx;
        var cut = ctx.Render<SystemHealth>();
        Assert.Equal(1, feed.SubscriberCount);

        cut.Instance.Dispose();

        Assert.Equal(0, feed.SubscriberCount);
    }
}
