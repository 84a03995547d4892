using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Data.Telemetry;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Tests.Shared;

namespace OpsConsole.Data.Tests;

/// <summary>
/// Log search over the database on both providers, held to the same answers as the hot store: every construct of the
/// shared query cases over the shared corpus, with half of the lines in the full-text index and half not yet reached
/// by the background indexer (so both paths answer together).
/// </summary>
public abstract class LogHistorySearchTests<TFixture>(TFixture db) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : DatabaseFixture
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly HashSet<string> Loaded = [];
    private readonly LogHistorySearch _search = db.GetRequiredService<LogHistorySearch>();

    public static TheoryData<string, Func<Line, bool>> Cases => LogCorpus.QueryCases;

    private static LogCorpus Corpus => LogCorpus.Shared;

    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (Loaded.Add(db.ConnectionString))
            {
                // In arrival order, so row ids order lines of the same time as the hot store's arrival sequence does.
                foreach (var batch in Corpus.Lines.Chunk(500))
                {
                    await db.GetRequiredService<TelemetryWriter>().WriteAsync(
                        new TelemetryBatch { Logs = [.. batch.Select(LogCorpus.ToRecord)] }, CancellationToken.None);
                }

                var indexed = await db.GetRequiredService<LogSearchIndexer>().IndexPendingAsync(TimeSpan.Zero, LogCorpus.Size / 2);
                Assert.Equal(LogCorpus.Size / 2, indexed);
            }
        }
        finally
        {
            Once.Release();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static LogHistoryQuery Query(string text, string? tenant = null, int limit = 1000) => new()
    {
        Match = LogQueryParser.Parse(text),
        TenantId = tenant,
        FromUnixNano = Nanos(LogCorpus.At(-10)),
        ToUnixNano = Nanos(LogCorpus.At(LogCorpus.Size)),
        Limit = limit,
    };

    private static ulong Nanos(DateTimeOffset t) => (ulong)t.ToUnixTimeMilliseconds() * 1_000_000UL;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Search_EveryConstruct_FindsExactlyWhatTheHotStoreFinds(string query, Func<Line, bool> expected)
    {
        var want = LogCorpus.NewestFirst(Corpus.Lines.Where(expected)).Select(l => l.Arrival).ToList();

        var page = await _search.SearchAsync(Query(query, limit: LogCorpus.Size));

        Assert.Equal(want, page.Items.Select(i => LogCorpus.ArrivalOf(i.Record)));
        Assert.Equal(want.Count, page.TotalCount);
        Assert.False(page.CountIsLowerBound);
    }

    [Fact]
    public async Task Search_Tenant_SeesOnlyItsOwnLines_EvenWhenTheQueryAsksForAnother()
    {
        var want = LogCorpus.NewestFirst(Corpus.Lines.Where(l => l.Tenant == "acme" && l.HasPart("retry"))).Select(l => l.Arrival);

        var acme = await _search.SearchAsync(Query("retry", tenant: "acme"));
        var sneaky = await _search.SearchAsync(Query("retry tenant:globex", tenant: "acme"));

        Assert.Equal(want, acme.Items.Select(i => LogCorpus.ArrivalOf(i.Record)));
        Assert.Empty(sneaky.Items);
        Assert.Equal(0, sneaky.TotalCount);
    }

    [Fact]
    public async Task Search_PagedWithTheCursor_WalksEveryMatchOnceInOrder()
    {
        var want = LogCorpus.NewestFirst(Corpus.Lines.Where(l => l.HasPart("timeout"))).Select(l => l.Arrival).ToList();
        var seen = new List<int>();
        LogRecordId? cursor = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await _search.SearchAsync(Query("timeout", limit: 40) with { Before = cursor });
            Assert.Equal(want.Count, page.TotalCount);
            seen.AddRange(page.Items.Select(i => LogCorpus.ArrivalOf(i.Record)));
            if (page.Items.Count < 40)
            {
                break;
            }

            cursor = page.Items[^1].Id;
        }

        Assert.Equal(want, seen);
    }

    [Fact]
    public async Task Histogram_CountsMatchesPerBucketByLevel()
    {
        var query = Query("timeout OR declined");
        var lines = Corpus.Lines.Where(l => l.HasPart("timeout") || l.HasPart("declined")).ToList();

        var (buckets, lowerBound) = await _search.HistogramAsync(query, TimeSpan.FromMinutes(5));

        Assert.False(lowerBound);
        Assert.Equal(lines.Count, buckets.Sum(b => b.Total));
        Assert.Equal(lines.Count(l => l.Level == "error"), buckets.Sum(b => b.Error));
        var first = buckets[0];
        Assert.Equal(lines.Count(l => l.Second is >= -10 and < 290), first.Total);
    }

    [Theory]
    [InlineData("level:error")]
    [InlineData("service:rag-service level:warn")]
    [InlineData("")]
    public async Task Histogram_OfColumnsOnlyQueries_CountsInSqlTheSameAsTheLines(string text)
    {
        var query = Query(text);
        var expected = LogCorpus.QueryCases.Select(c => ((string)c[0], (Func<Line, bool>)c[1])).FirstOrDefault(c => c.Item1 == text).Item2
            ?? (l => l.Service == "rag-service" && l.Level == "warn");
        var lines = Corpus.Lines.Where(expected).ToList();

        var (buckets, lowerBound) = await _search.HistogramAsync(query, TimeSpan.FromMinutes(5));

        Assert.False(lowerBound);
        Assert.Equal(lines.Count, buckets.Sum(b => b.Total));
        Assert.Equal(lines.Count(l => l.Level == "warn"), buckets.Sum(b => b.Warn));
        Assert.Equal(lines.Count(l => l.Second is >= 290 and < 590), buckets[1].Total);
    }

    [Fact]
    public async Task Search_PastTheScanBudget_SaysTheCountIsALowerBound()
    {
        // Every line is a candidate for a NOT (no text to look up), so the budget is what stops the walk.
        var page = await _search.SearchAsync(Query("NOT kaboom") with { ScanBudget = 100, Limit = 10 });

        Assert.True(page.CountIsLowerBound);
        Assert.Equal(100, page.TotalCount);
        Assert.Equal(10, page.Items.Count);
    }

    [Fact]
    public async Task Indexer_LeavesLinesInsideTheLag_AndTheIndexHoldsWhatItIndexed()
    {
        var indexer = db.GetRequiredService<LogSearchIndexer>();

        // Every corpus line is months old, but a lag longer than that leaves them all for later.
        var none = await indexer.IndexPendingAsync(TimeSpan.FromDays(3650), 100);
        await using var context = await db.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var watermark = await LogSearchIndexer.WatermarkAsync(context, CancellationToken.None);
        var rows = await context.Logs.OrderBy(l => l.Id).Select(l => l.Id).ToListAsync();
        var held = await context.Database.SqlQueryRaw<long>(
            db.Provider == StorageProvider.Postgres ? "SELECT count(*) AS \"Value\" FROM log_search_terms" : "SELECT count(*) AS \"Value\" FROM log_search_fts").SingleAsync();

        Assert.Equal(0, none);
        Assert.True(held >= LogCorpus.Size / 2, $"the index holds {held} lines");
        Assert.True(watermark >= rows[(LogCorpus.Size / 2) - 1]);
    }
}

public sealed class SqliteLogHistorySearchTests(SqliteDatabaseFixture db) : LogHistorySearchTests<SqliteDatabaseFixture>(db);

public sealed class PostgresLogHistorySearchTests(PostgresDatabaseFixture db) : LogHistorySearchTests<PostgresDatabaseFixture>(db);
