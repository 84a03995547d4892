using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Data.Telemetry;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Tests.Shared;

namespace OpsConsole.Data.Tests;

/// <summary>
/// The database trace search on both providers: every construct of the shared corpus gives the answer computed
/// independently from the spans (with the database's rule that the matching span starts inside the range), and a
/// tenant never sees another tenant's traces.
/// </summary>
public abstract class TraceSearchTests<TFixture>(TFixture db) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : DatabaseFixture
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly HashSet<string> Loaded = [];
    private readonly TelemetryReader _reader = db.GetRequiredService<TelemetryReader>();

    public static TheoryData<string> CaseNames => [.. TraceCorpus.Cases().Select(c => c.Name)];

    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (Loaded.Add(db.ConnectionString))
            {
                var corpus = TraceCorpus.Generate();
                await db.GetRequiredService<TelemetryWriter>().WriteAsync(new TelemetryBatch { Spans = corpus }, CancellationToken.None);
                // A re-sent export: the same spans again must not change any count.
                await db.GetRequiredService<TelemetryWriter>().WriteAsync(new TelemetryBatch { Spans = corpus.Take(50).ToList() }, CancellationToken.None);
            }
        }
        finally
        {
            Once.Release();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static TraceQuery Bounded(TraceQuery q) => q with
    {
        From = q.From ?? TraceCorpus.Base - TimeSpan.FromMinutes(1),
        To = q.To ?? TraceCorpus.Base + TimeSpan.FromHours(3),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task SearchTracesAsync_Construct_FindsExactlyTheExpectedTracesInOrder(string name)
    {
        var query = Bounded(TraceCorpus.Cases().Single(c => c.Name == name).Query);
        var (ids, total) = TraceCorpus.Expected(TraceCorpus.Generate(), query, matchingSpanStartsInRange: true);

        var page = await _reader.SearchTracesAsync(query);

        Assert.True(page.Complete);
        Assert.Equal(total, page.TotalCount);
        Assert.Equal(ids, page.Items.Select(t => t.TraceId));
    }

    [Fact]
    public async Task SearchTracesAsync_SummariesMatchWhatTheHotStoreReports()
    {
        var corpus = TraceCorpus.Generate();
        var store = new SpanStore(new Core.Storage.StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TraceCorpus.Base + TimeSpan.FromHours(3)));
        store.Add(corpus);
        var query = Bounded(new TraceQuery { Limit = 1000 });

        var fromDb = await _reader.SearchTracesAsync(query);
        var fromMemory = store.Search(query);

        Assert.Equal(fromMemory.Items, fromDb.Items, SummaryComparer.Instance);
    }

    [Fact]
    public async Task SearchTracesAsync_Tenant_NeverSeesAnotherTenantsTraces()
    {
        var globexIds = TraceCorpus.Generate().Where(s => s.TenantId == "globex").Select(s => s.TraceId).ToHashSet();

        var acme = await _reader.SearchTracesAsync(Bounded(new TraceQuery { TenantId = "acme", Limit = 1000 }));
        var nobody = await _reader.SearchTracesAsync(Bounded(new TraceQuery { TenantId = "initech", Limit = 1000 }));

        Assert.NotEmpty(acme.Items);
        Assert.DoesNotContain(acme.Items, t => globexIds.Contains(t.TraceId) || t.TenantId != "acme");
        Assert.Empty(nobody.Items);
    }

    [Fact]
    public async Task SearchTracesAsync_Cancelled_StopsWithCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _reader.SearchTracesAsync(Bounded(new TraceQuery()), cancelled.Token));
    }

    private sealed class SummaryComparer : IEqualityComparer<TraceSummary>
    {
        public static readonly SummaryComparer Instance = new();

        public bool Equals(TraceSummary? x, TraceSummary? y) => x is not null && y is not null
            && x.TraceId == y.TraceId && x.TenantId == y.TenantId && x.RootService == y.RootService && x.RootOperation == y.RootOperation
            && x.HasRootSpan == y.HasRootSpan && x.Start == y.Start && x.Duration == y.Duration && x.SpanCount == y.SpanCount
            && x.Services.SequenceEqual(y.Services) && x.ErrorCount == y.ErrorCount;

        public int GetHashCode(TraceSummary obj) => obj.TraceId.GetHashCode();
    }
}

public sealed class SqliteTraceSearchTests(SqliteDatabaseFixture db) : TraceSearchTests<SqliteDatabaseFixture>(db);

public sealed class PostgresTraceSearchTests(PostgresDatabaseFixture db) : TraceSearchTests<PostgresDatabaseFixture>(db);
