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
}
