using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Data;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using TracesPage = OpsConsole.Web.Components.Pages.Traces;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Traces;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The Traces page over real stores and a real (SQLite) database: the URL drives the search; results, the
/// scatter and the empty and error states.</summary>
public sealed class TracesPageTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-traces-page-").FullName;
    private BunitContext _ctx = default!;
    private TelemetryStores _stores = default!;

    public async Task InitializeAsync()
    {
        _ctx = ComponentTestContext.Create(Role.TenantAdmin, "acme");
        var clock = new FakeTimeProvider(Now);
        _stores = new TelemetryStores(new HotStoreOptions(), clock);
        _ctx.Services.AddOpsConsoleData(new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = "Data Source=page.db" }, _directory);
        _ctx.Services.AddSingleton<TimeProvider>(clock);
        _ctx.Services.AddSingleton(_stores);
        _ctx.Services.AddSingleton<TraceExplorer>();
        await _ctx.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        _stores.Spans.MarkCoveredFrom(Now - TimeSpan.FromHours(6)); // as the start-up reload does: memory holds the last 6 h
        for (var i = 0; i < 6; i++)
        {
            var tenant = i % 2 == 0 ? "acme" : "globex";
            var start = (ulong)(Now - TimeSpan.FromMinutes(10 + i)).ToUnixTimeMilliseconds() * 1_000_000;
            _stores.Spans.Add(
            [
                new Span
                {
                    TenantId = tenant, TraceId = new TraceId(5, (ulong)i + 1), SpanId = new SpanId(1), Name = "GET /v1/documents", Kind = SpanKind.Server,
                    StartTimeUnixNano = start, EndTimeUnixNano = start + ((ulong)(i + 1) * 100_000_000), StatusCode = i == 2 ? SpanStatusCode.Error : SpanStatusCode.Unset,
                    Resource = new TelemetryResource([new("service.name", AttributeValue.Of("api-gateway"))]),
                },
            ]);
        }
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private IRenderedComponent<TracesPage> Open(string url)
    {
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return _ctx.Render<TracesPage>();
    }

    [Fact]
    public void Url_DrivesTheSearch_ResultsAndScatterShowOnlyTheTenantsTraces()
    {
        var cut = Open("/traces?service=api-gateway&minDuration=200ms&tenant=globex");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=trace-row]").Count));
        Assert.Equal(
            [new TraceId(5, 3).ToString(), new TraceId(5, 5).ToString()],
            cut.FindAll("[data-testid=trace-row]").Select(r => r.GetAttribute("data-trace")));
        Assert.Equal(2, cut.FindAll("[data-testid=scatter-dot]").Count);
        Assert.Equal($"/traces/{new TraceId(5, 3)}", cut.Find("[data-testid=scatter-dot]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=field-tenant]")); // tenant admins are not offered a tenant
    }

    [Fact]
    public void Url_WithBadParameters_ExplainsInsteadOfSearching()
    {
        var cut = Open("/traces?minDuration=soon&tag=k%3D~(");

        var errors = cut.Find("[data-testid=search-errors]").TextContent;
        Assert.Contains("not a duration", errors);
        Assert.Contains("not a valid regular expression", errors);
        Assert.Empty(cut.FindAll("[data-testid=trace-results]"));
    }

    [Fact]
    public void Search_NothingMatches_SaysSo()
    {
        var cut = Open("/traces?operation=nothing-like-this");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=search-empty]")));
        Assert.Contains("No traces", cut.Find("[data-testid=search-summary]").TextContent);
    }

    private Span Child(ulong id, int offsetMs) => new()
    {
        TenantId = "acme", TraceId = new TraceId(5, 1), SpanId = new SpanId(id), ParentSpanId = new SpanId(1), Name = "rag.query", Kind = SpanKind.Client,
        StartTimeUnixNano = ((ulong)(Now - TimeSpan.FromMinutes(10)).ToUnixTimeMilliseconds() + (ulong)offsetMs) * 1_000_000,
        EndTimeUnixNano = ((ulong)(Now - TimeSpan.FromMinutes(10)).ToUnixTimeMilliseconds() + (ulong)offsetMs + 20) * 1_000_000,
        Attributes = [new("db.system", AttributeValue.Of("postgresql"))],
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of("rag-service"))]),
    };

    [Fact]
    public async Task TraceView_ShowsTheWaterfallAndLogsLink_LateSpansAreAnnouncedAndMergedOnReload()
    {
        var id = new TraceId(5, 1);
        _stores.Store(new Core.Ingestion.TelemetryBatch { Spans = [Child(2, 10)] });
        var cut = _ctx.Render<TraceDetail>(p => p.Add(c => c.TraceIdText, id.ToString()));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=span-row]").Count));

        _stores.Store(new Core.Ingestion.TelemetryBatch { Spans = [Child(3, 50)] }); // arrives after the page opened
        cut.WaitForAssertion(() => Assert.Contains("1 new span arrived", cut.Find("[data-testid=trace-reload]").TextContent), TimeSpan.FromSeconds(10));
        await cut.Find("[data-testid=trace-reload]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=span-row]").Count));
        Assert.Equal($"/logs?q=trace_id%3A{id}", cut.Find("[data-testid=trace-logs-link]").GetAttribute("href"));
        await cut.Find($"[data-span='{new SpanId(3)}'] .oc-wf-label").ClickAsync(new());
        Assert.Contains("postgresql", cut.Find("[data-testid=span-attributes]").TextContent);
    }

    [Fact]
    public void TraceView_OtherTenantsTraceOrMalformedId_SaysSo()
    {
        var other = _ctx.Render<TraceDetail>(p => p.Add(c => c.TraceIdText, new TraceId(5, 2).ToString())); // globex's
        var malformed = _ctx.Render<TraceDetail>(p => p.Add(c => c.TraceIdText, "not-a-trace"));

        other.WaitForAssertion(() => Assert.NotNull(other.Find("[data-testid=trace-not-found]")));
        Assert.Contains("not a trace id", malformed.Find("[data-testid=trace-invalid]").TextContent);
    }

    [Fact]
    public void ServiceMapPage_DrawsTheTenantsServicesAndDependencies()
    {
        _stores.Store(new Core.Ingestion.TelemetryBatch { Spans = [Child(2, 10)] });

        var cut = _ctx.Render<ServiceMap>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=map-node]").Count));
        Assert.Equal(["api-gateway", "rag-service", "postgresql"], cut.FindAll("[data-testid=map-node]").Select(n => n.GetAttribute("data-node")));
        Assert.Equal(2, cut.FindAll("[data-testid=map-edge]").Count);
    }
}
