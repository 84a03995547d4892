using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Tests.Shared;

namespace OpsConsole.Core.Tests.Traces;

/// <summary>Every trace-search construct over a generated corpus, against answers computed independently (<see cref="TraceCorpus.Expected"/>).</summary>
public sealed class TraceSearchTests
{
    public static TheoryData<string> CaseNames => [.. TraceCorpus.Cases().Select(c => c.Name)];

    private static SpanStore Loaded()
    {
        var store = new SpanStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(TraceCorpus.Base + TimeSpan.FromHours(3)));
        var corpus = TraceCorpus.Generate();
        // In several batches, children before their roots for half of them: late and early spans join one trace.
        store.Add([.. corpus.Where((_, i) => i % 2 == 1)]);
        store.Add([.. corpus.Where((_, i) => i % 2 == 0)]);
        return store;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Search_Construct_FindsExactlyTheExpectedTracesInOrder(string name)
    {
        var store = Loaded();
        var query = TraceCorpus.Cases().Single(c => c.Name == name).Query;
        var (ids, total) = TraceCorpus.Expected(TraceCorpus.Generate(), query);

        var result = store.Search(query);

        Assert.Equal(total, result.TotalCount);
        Assert.Equal(ids, result.Items.Select(t => t.TraceId));
    }

    [Fact]
    public void Corpus_CasesAreNotTrivial_EachFilterKeepsSomeButNotAllTraces()
    {
        // Guards the corpus itself: a filter that matched everything or nothing would prove little.
        var corpus = TraceCorpus.Generate();
        foreach (var (name, query) in TraceCorpus.Cases().Where(c => c.Name is not ("everything" or "nothing" or "shortest first" or "oldest first")))
        {
            var (_, total) = TraceCorpus.Expected(corpus, query with { Limit = 10_000 });
            Assert.True(total is > 0 and < TraceCorpus.TraceCount, $"{name}: {total} of {TraceCorpus.TraceCount}");
        }
    }

    [Fact]
    public void Summaries_ListRootServiceSpanCountServicesAndErrors_StandInWhenTheRootIsMissing()
    {
        var store = Loaded();
        var corpus = TraceCorpus.Generate();

        var all = store.Search(new TraceQuery { Limit = 1000 }).Items;

        Assert.Equal(TraceCorpus.TraceCount, all.Count);
        foreach (var t in all)
        {
            var spans = corpus.Where(s => s.TraceId == t.TraceId).ToList();
            var root = spans.SingleOrDefault(s => s.IsRoot) ?? spans.MinBy(s => s.StartTimeUnixNano)!;
            Assert.Equal(root.ServiceName, t.RootService);
            Assert.Equal(root.Name, t.RootOperation);
            Assert.Equal(spans.Any(s => s.IsRoot), t.HasRootSpan);
            Assert.Equal(spans.Count, t.SpanCount);
            Assert.Equal(spans.Select(s => s.ServiceName).Distinct().Order(StringComparer.Ordinal), t.Services);
            Assert.Equal(spans.Count(s => s.StatusCode == Domain.Telemetry.SpanStatusCode.Error), t.ErrorCount);
        }

        Assert.Contains(all, t => !t.HasRootSpan);
    }

    [Fact]
    public void CompleteSince_FollowsReloadRetentionAndBudgetEvictions()
    {
        var clock = new FakeTimeProvider(TraceCorpus.Base + TimeSpan.FromHours(3));
        var created = clock.GetUtcNow();
        var store = new SpanStore(new StoreLimits(TimeSpan.FromHours(4), 200_000), clock);

        Assert.Equal(created, store.CompleteSince);
        store.MarkCoveredFrom(created - TimeSpan.FromHours(6));
        Assert.Equal(created - TimeSpan.FromHours(4), store.CompleteSince); // never before the retention cutoff
        store.Add(TraceCorpus.Generate()); // over the 200 kB budget: the earliest traces leave memory
        var oldestHeld = store.Search(new TraceQuery { Sort = TraceSort.StartTimeAscending, Limit = 1 }).Items.Single().Start;
        Assert.True(store.CompleteSince > TraceCorpus.Base && store.CompleteSince <= oldestHeld, $"{store.CompleteSince:O} vs {oldestHeld:O}");
    }
}
