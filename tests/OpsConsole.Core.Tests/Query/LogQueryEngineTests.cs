using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Tests.Shared;

namespace OpsConsole.Core.Tests.Query;

/// <summary>
/// Every construct of the log query language, run through the parser and the store's index over a generated
/// corpus; the expected answers come from the generator's facts by plain list operations.
/// </summary>
public sealed class LogQueryEngineTests
{
    private static LogCorpus Corpus => LogCorpus.Shared;

    public static TheoryData<string, Func<Line, bool>> Cases => LogCorpus.QueryCases;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Query_OverTheIndex_FindsExactlyTheExpectedLinesNewestFirst(string query, Func<Line, bool> expected)
    {
        var want = LogCorpus.NewestFirst(Corpus.Lines.Where(expected)).Select(l => l.Arrival).ToList();

        var result = Corpus.Store.Search(new LogSearch { Match = LogQueryParser.Parse(query), Limit = LogQuery.MaxLimit });

        Assert.Equal(want, result.Items.Select(h => LogCorpus.ArrivalOf(h.Record)));
        Assert.Equal(want.Count, result.TotalCount);
        Assert.Null(result.Next);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Query_OnOneRecordAtATime_AgreesWithTheIndex(string query, Func<Line, bool> expected)
    {
        var match = LogQueryParser.Parse(query);

        var matched = Corpus.Lines.Where(l => match.Matches(LogCorpus.ToRecord(l))).Select(l => l.Arrival);

        Assert.Equal(Corpus.Lines.Where(expected).Select(l => l.Arrival), matched);
    }

    [Fact]
    public void Corpus_MakesEveryCaseMeaningful()
    {
        // Each non-empty expectation should select some but not all lines, or the case proves little.
        var trivial = Cases.Select(c => ((string)c[0], (Func<Line, bool>)c[1]))
            .Where(c => c.Item1 is not ("" or "kaboom" or "level:>fatal" or "service:Rag-service" or "service:attr-ml-engine"))
            .Where(c => Corpus.Lines.Count(c.Item2) is 0 or LogCorpus.Size)
            .Select(c => c.Item1);

        Assert.Empty(trivial);
        Assert.True(Corpus.Store.Stats().Items == LogCorpus.Size);
    }

    [Fact]
    public void Search_TenantAndTimeRange_ScopeTheMatches()
    {
        var (from, to) = (LogCorpus.At(400), LogCorpus.At(900));
        var want = LogCorpus.NewestFirst(Corpus.Lines.Where(l => l.Tenant == "acme" && l.Second >= 400 && l.Second < 900 && l.HasPart("retry"))).Select(l => l.Arrival);

        var result = Corpus.Store.Search(new LogSearch { Match = LogQueryParser.Parse("retry"), TenantId = "acme", From = from, To = to, Limit = 1000 });
        var otherTenant = Corpus.Store.Search(new LogSearch { Match = LogQueryParser.Parse("retry tenant:globex"), TenantId = "acme", Limit = 1000 });

        Assert.Equal(want, result.Items.Select(h => LogCorpus.ArrivalOf(h.Record)));
        Assert.Empty(otherTenant.Items);
        Assert.Equal(0, otherTenant.TotalCount);
    }

    [Fact]
    public void Search_PagedWithTheCursor_WalksEveryMatchOnceInOrder()
    {
        var match = LogQueryParser.Parse("(timeout OR retry) -level:trace");
        var want = LogCorpus.NewestFirst(Corpus.Lines.Where(l => (l.HasPart("timeout") || l.HasPart("retry")) && l.Level != "trace")).Select(l => l.Arrival).ToList();

        var seen = new List<int>();
        LogRecordId? cursor = null;
        var pages = 0;
        do
        {
            var page = Corpus.Store.Search(new LogSearch { Match = match, Limit = 37, Before = cursor });
            Assert.Equal(want.Count, page.TotalCount);
            seen.AddRange(page.Items.Select(h => LogCorpus.ArrivalOf(h.Record)));
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null && pages < 1000);

        Assert.Equal(want, seen);
        Assert.Equal((want.Count + 36) / 37, pages);
    }

    [Fact]
    public void Histogram_CountsMatchingLinesPerBucketAndLevel()
    {
        var match = LogQueryParser.Parse("level:>=warn OR timeout");

        var buckets = Corpus.Store.Histogram(match, "globex", LogCorpus.At(0), LogCorpus.At(1500), TimeSpan.FromMinutes(1));

        var lines = Corpus.Lines.Where(l => l.Tenant == "globex" && l.Second >= 0 && l.Second < 1500 && (l.LevelRank >= 3 || l.HasPart("timeout"))).ToList();
        Assert.Equal(25, buckets.Count);
        for (var b = 0; b < buckets.Count; b++)
        {
            var inBucket = lines.Where(l => l.Second / 60 == b).ToList();
            Assert.Equal(LogCorpus.At(b * 60), buckets[b].Start);
            Assert.Equal(inBucket.Count, buckets[b].Total);
            Assert.Equal(inBucket.Count(l => l.Level == "error"), buckets[b].Error);
            Assert.Equal(inBucket.Count(l => l.Level == "info"), buckets[b].Info);
            Assert.Equal(inBucket.Count(l => l.Level == "fatal"), buckets[b].Fatal);
        }
    }

    [Fact]
    public void Context_GivesTheLinesRightBeforeAndAfterFromTheSameServiceAndTenant()
    {
        var anchor = Corpus.Lines[1234];
        var hit = Corpus.Store.Search(new LogSearch { Match = LogQueryParser.Parse("attr.arrival:1234") }).Items.Single();
        var ordered = Corpus.Lines.Where(l => l.Service == anchor.Service && l.Tenant == anchor.Tenant)
            .OrderBy(l => l.Second).ThenBy(l => l.Arrival).Select(l => l.Arrival).ToList();
        var at = ordered.IndexOf(anchor.Arrival);

        var context = Corpus.Store.Context(hit.Id, tenantId: null, before: 5, after: 4)!;
        var otherTenant = Corpus.Store.Context(hit.Id, tenantId: anchor.Tenant == "acme" ? "globex" : "acme", 5, 5);

        Assert.Equal(1234, LogCorpus.ArrivalOf(context.Anchor.Record));
        Assert.Equal(ordered[(at - 5)..at], context.Before.Select(h => LogCorpus.ArrivalOf(h.Record)));
        Assert.Equal(ordered[(at + 1)..(at + 5)], context.After.Select(h => LogCorpus.ArrivalOf(h.Record)));
        Assert.Null(otherTenant);
        Assert.Equal(hit, Corpus.Store.Get(hit.Id));
        Assert.True(LogRecordId.TryParse(hit.Id.ToString(), out var parsed) && parsed == hit.Id);
        Assert.Null(Corpus.Store.Get(hit.Id with { TimeUnixNano = hit.Id.TimeUnixNano + 1 }));
    }
}
