using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Data;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using LogsPage = OpsConsole.Web.Components.Pages.Logs;
using OpsConsole.Web.Logs;

namespace OpsConsole.Web.Tests.Components;

/// <summary>
/// The Logs page over a real hot store and a real (SQLite) database: search, tenant scope, bad queries, live tail, and
/// lines that are only in the database.
/// </summary>
public sealed class LogsPageTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-logs-page-").FullName;
    private readonly List<BunitContext> _contexts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A page context over a fresh database; memory holds every line of the last <paramref name="heldFor"/>
    /// (as the start-up reload marks it, default a day), older ones come from the database.</summary>
    private (BunitContext Ctx, TelemetryStores Stores) Create(Role role = Role.Operator, string? tenant = null, int tailCap = 100, TimeSpan? heldFor = null)
    {
        var ctx = ComponentTestContext.Create(role, tenant);
        var stores = new TelemetryStores(new HotStoreOptions(), TimeProvider.System);
        stores.Logs.MarkCoveredFrom(DateTimeOffset.UtcNow - (heldFor ?? TimeSpan.FromDays(1)));
        ctx.Services.AddOpsConsoleData(new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = $"Data Source=page{_contexts.Count}.db" }, _directory);
        ctx.Services.AddSingleton(stores);
        ctx.Services.AddSingleton(sp => new LogExplorer(
            stores, sp.GetRequiredService<LogHistorySearch>(), TimeProvider.System, Options.Create(new LogSearchOptions { TailMaxLinesPerSecond = tailCap })));
        ctx.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync().GetAwaiter().GetResult();
        _contexts.Add(ctx);
        return (ctx, stores);
    }

    private static LogRecord Record(string tenant, int secondsAgo, string message, string level = "info") => new()
    {
        TenantId = tenant,
        TimeUnixNano = (ulong)DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).ToUnixTimeMilliseconds() * 1_000_000UL,
        SeverityText = level,
        Body = AttributeValue.Of(message),
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of("rag-service"))]),
    };

    /// <summary>Opens the page the way a browser does: the query is in the URL.</summary>
    private static IRenderedComponent<LogsPage> Render(BunitContext ctx, string? query)
    {
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("q", query));
        return ctx.Render<LogsPage>();
    }

    private static string[] Messages(IRenderedComponent<LogsPage> cut, string container) =>
        [.. cut.FindAll($"[data-testid={container}] [data-testid=log-message]").Select(m => m.TextContent)];

    [Fact]
    public async Task Search_ShowsMatchesNewestFirstWithTheirCountAndHistogram()
    {
        var (ctx, stores) = Create();
        await using var _ = ctx;
        stores.Logs.Add([Record("acme", 300, "upstream timeout one", "error"), Record("globex", 200, "upstream timeout two", "warn"), Record("acme", 100, "all good")]);

        var cut = Render(ctx, "timeout");

        cut.WaitForAssertion(() => Assert.Equal(["upstream timeout two", "upstream timeout one"], Messages(cut, "log-results")));
        Assert.Contains("2 matching lines, newest first", cut.Find("[data-testid=log-count]").TextContent);
        Assert.Equal(2, cut.FindAll("[data-testid=histogram-bar]").Sum(b => int.Parse(b.GetAttribute("data-total")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("timeout", cut.Find("input[data-testid=log-query]").GetAttribute("value"));
    }

    [Fact]
    public async Task Search_OlderLinesComeFromTheDatabase_JoinedNewestFirstAndSaidSo()
    {
        var (ctx, stores) = Create(heldFor: TimeSpan.FromHours(1));
        await using var _ = ctx;
        stores.Logs.Add([Record("acme", 60, "upstream timeout in memory", "error")]);
        await ctx.Services.GetRequiredService<TelemetryWriter>().WriteAsync(
            new TelemetryBatch { Logs = [Record("acme", 3 * 3600, "upstream timeout stored", "warn")] }, CancellationToken.None);
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["q"] = "timeout", ["range"] = "6h" }));

        var cut = ctx.Render<LogsPage>();

        cut.WaitForAssertion(() => Assert.Equal(["upstream timeout in memory", "upstream timeout stored"], Messages(cut, "log-results")));
        Assert.Contains("2 matching lines", cut.Find("[data-testid=log-count]").TextContent);
        Assert.Contains("older ones from the database", cut.Find("[data-testid=log-held-since]").TextContent);
    }

    [Fact]
    public async Task TenantAdmin_SeesOnlyTheirTenant_EvenWhenTheQueryNamesAnother()
    {
        var (ctx, stores) = Create(Role.TenantAdmin, "globex");
        await using var _ = ctx;
        stores.Logs.Add([Record("acme", 30, "upstream timeout acme"), Record("globex", 20, "upstream timeout globex")]);

        var cut = Render(ctx, "timeout");
        cut.WaitForAssertion(() => Assert.Equal(["upstream timeout globex"], Messages(cut, "log-results")));

        // Changing the query in the URL searches again.
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("q", "timeout tenant:acme"));

        cut.WaitForAssertion(() => Assert.Contains("No lines match", cut.Find("[data-testid=log-empty]").TextContent));
    }

    [Fact]
    public async Task BadQuery_SaysWhatIsWrongAndPointsAtIt()
    {
        var (ctx, _) = Create();
        await using var __ = ctx;

        var cut = Render(ctx, "level:eror timeout");

        var alert = cut.WaitForElement("[data-testid=log-query-error]");
        Assert.Contains("Unknown level 'eror' at 7 — one of trace, debug, info, warn, error, fatal.", alert.TextContent);
        Assert.EndsWith("      ^", alert.QuerySelector("pre")!.TextContent.TrimEnd());
        Assert.Empty(cut.FindAll("[data-testid=log-results]"));
    }

    [Fact]
    public async Task LiveTail_PushesMatchingLinesAsTheyArrive_PausesAndSaysWhenCapped()
    {
        var (ctx, stores) = Create(tailCap: 5);
        await using var _ = ctx;
        var cut = Render(ctx, "level:error");
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=log-empty]")));

        cut.Find("input[data-testid=live-tail-switch]").Change(true);
        cut.WaitForElement("[data-testid=tail-waiting]");
        cut.WaitForAssertion(() => Assert.Equal(1, stores.Logs.Tail.SubscriberCount));
        stores.Logs.Add([Record("acme", 0, "first failure", "error"), Record("acme", 0, "just info"), Record("globex", 0, "second failure", "error")]);

        cut.WaitForAssertion(() => Assert.Equal(["first failure", "second failure"], Messages(cut, "tail-lines")));

        cut.Find("[data-testid=tail-pause]").Click();
        stores.Logs.Add([Record("acme", 0, "while paused", "error")]);
        cut.WaitForAssertion(() => Assert.Contains("1 new line not shown", cut.Find("[data-testid=tail-paused]").TextContent));
        cut.Find("[data-testid=tail-resume]").Click();

        stores.Logs.Add([.. Enumerable.Range(0, 40).Select(i => Record("acme", 0, $"burst {i}", "error"))]);
        cut.WaitForAssertion(() => Assert.Matches(@"showing 5 of \d+ lines/s", cut.Find("[data-testid=tail-capped]").TextContent));
        Assert.DoesNotContain("burst 39", Messages(cut, "tail-lines"));

        cut.Find("input[data-testid=live-tail-switch]").Change(false);
        cut.WaitForAssertion(() => Assert.Equal(0, stores.Logs.Tail.SubscriberCount));
    }

    [Fact]
    public async Task LeavingThePage_EndsTheTail()
    {
        var (ctx, stores) = Create();
        await using var _ = ctx;
        var cut = Render(ctx, null);
        cut.Find("input[data-testid=live-tail-switch]").Change(true);
        // The tail starts once the page's first query has been parsed (right away, or when that search runs).
        cut.WaitForAssertion(() => Assert.Equal(1, stores.Logs.Tail.SubscriberCount));

        await cut.Instance.DisposeAsync();

        Assert.Equal(0, stores.Logs.Tail.SubscriberCount);
    }
}
