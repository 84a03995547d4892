using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

/// <summary>
/// The log store's shortcuts — the per-segment filter that skips segments lacking a term, counting matches from the
/// postings (bitmaps of dense postings, walks of sparse ones), and newest-first search that stops listing once the page
/// is full — checked against the facts each line was generated from: the same lines, order, totals and cursors as a
/// plain scan, across segment sizes, late arrivals, equal times, time ranges, tenants and eviction.
/// </summary>
public sealed class LogSearchShortcutTests
{
    private const int Lines = 1200;

    private static readonly string[] Common = ["timeout", "refused", "handled", "miss"];
    private static readonly string[] Dependencies = ["postgres", "redis", "llm"];
    private static readonly string[] Services = ["api-gateway", "rag-service", "ml-engine", "upload-pipeline"];

    private readonly FakeTimeProvider _time = new(Base + TimeSpan.FromHours(2));

    /// <summary>What line i holds. Every 9th arrives late (stamped 300 s early), every 7th shares its second with the
    /// line before; one line in 97 carries the rare word.</summary>
    private sealed record Fact(int Arrival, long Second, string[] Words, string Service, string Level, string Tenant)
    {
        public ulong TimeNs => Nanos(TimeSpan.FromSeconds(Second));

        public bool Has(string word) => Words.Contains(word);
    }

    private static Fact FactOf(int i)
    {
        long second = i % 9 == 0 ? Math.Max(0, i - 300) : i % 7 == 0 ? i - 1 : i;
        List<string> words = [Common[i % 4], "calling", Dependencies[i % 3], "n" + i];
        if (i % 97 == 0)
        {
            words.Add("unicorn");
        }

        var level = i % 5 == 0 ? "error" : i % 3 == 0 ? "warn" : "info";
        return new Fact(i, second, [.. words], Services[i % 4], level, i % 3 == 0 ? "acme" : "globex");
    }

    private static LogRecord RecordOf(Fact f) =>
        Log(f.Tenant, TimeSpan.FromSeconds(f.Second), string.Join(' ', f.Words), severity: f.Level switch { "error" => 17, "warn" => 13, _ => 9 }, service: f.Service);

    private LogStore Fill(int capacity, IReadOnlyList<Fact> facts, TimeSpan? retention = null, TimeProvider? time = null)
    {
        var store = new LogStore(new StoreLimits(retention ?? TimeSpan.FromDays(1), long.MaxValue), time ?? _time, capacity);
        foreach (var batch in facts.Chunk(50))
        {
            store.Add([.. batch.Select(RecordOf)]);
        }

        return store;
    }

    public static TheoryData<string> CaseNames() => [.. Cases().Select(c => c.Name)];

    private static IEnumerable<(string Name, LogMatch Match, Func<Fact, bool> Expected)> Cases()
    {
        var rag = LogMatch.FieldEquals(LogField.Service, "rag-service");
        var error = LogMatch.FieldEquals(LogField.Level, "error");
        yield return ("dense term", LogMatch.Term("timeout"), f => f.Has("timeout"));
        yield return ("dense conjunction", LogMatch.And(LogMatch.Term("timeout"), rag, error), f => f.Has("timeout") && f.Service == "rag-service" && f.Level == "error");
        yield return ("rare term", LogMatch.Term("unicorn"), f => f.Has("unicorn"));
        yield return ("one line", LogMatch.Term("n777"), f => f.Arrival == 777);
        yield return ("rare and dense", LogMatch.And(LogMatch.Term("unicorn"), LogMatch.Term("calling"), error), f => f.Has("unicorn") && f.Level == "error");
        yield return ("absent term", LogMatch.Term("nowhere"), _ => false);
        yield return ("absent field value", LogMatch.And(LogMatch.Term("timeout"), LogMatch.FieldEquals(LogField.Service, "billing")), _ => false);
        yield return ("dense minus dense", LogMatch.And(LogMatch.Term("calling"), LogMatch.Not(LogMatch.Term("redis"))), f => !f.Has("redis"));
        yield return ("dense minus one line", LogMatch.And(LogMatch.Term("refused"), LogMatch.Not(LogMatch.Term("n1001"))), f => f.Has("refused") && f.Arrival != 1001);
        yield return ("dense minus both kinds", LogMatch.And(rag, LogMatch.Not(LogMatch.Term("llm")), LogMatch.Not(LogMatch.Term("n9"))), f => f.Service == "rag-service" && !f.Has("llm") && f.Arrival != 9);
        yield return ("only a negation", LogMatch.Not(LogMatch.Term("timeout")), f => !f.Has("timeout"));
        yield return ("every line", LogMatch.All, _ => true);
        yield return ("phrase", LogMatch.Phrase("calling redis"), f => f.Has("redis"));
        yield return ("either", LogMatch.Or(LogMatch.Term("unicorn"), LogMatch.Term("n3")), f => f.Has("unicorn") || f.Arrival == 3);
        yield return ("prefix", LogMatch.And(LogMatch.TermPrefix("time"), error), f => f.Has("timeout") && f.Level == "error");
    }

    /// <summary>Every page of a search, following the cursors, next to what a scan of the facts gives.</summary>
    private static void AssertSameAsScan(LogStore store, IReadOnlyList<Fact> held, string name, LogMatch match, Func<Fact, bool> expected, string capacity)
    {
        (DateTimeOffset? From, DateTimeOffset? To)[] ranges =
        [
            (null, null),
            (Base + TimeSpan.FromSeconds(100), Base + TimeSpan.FromSeconds(650)),
            (Base + TimeSpan.FromSeconds(1100), null),
        ];
        foreach (var (from, to) in ranges)
        {
            foreach (var tenant in new[] { null, "acme" })
            {
                var inRange = held
                    .Where(f => (tenant is null || f.Tenant == tenant) && (from is null || f.TimeNs >= (ulong)from.Value.ToUnixTimeMilliseconds() * 1_000_000UL)
                        && (to is null || f.TimeNs < (ulong)to.Value.ToUnixTimeMilliseconds() * 1_000_000UL) && expected(f))
                    .OrderByDescending(f => f.TimeNs).ThenByDescending(f => f.Arrival)
                    .Select(f => new LogRecordId(f.TimeNs, f.Arrival))
                    .ToList();
                var count = store.Count(match, tenant, from ?? Base.AddDays(-1), to ?? Base.AddDays(1));
                Assert.True(inRange.Count == count, $"{name}, {capacity}, {from}–{to}, {tenant}: Count {count}, expected {inRange.Count}");
                foreach (var limit in new[] { 1, 7, 100 })
                {
                    LogRecordId? cursor = null;
                    var offset = 0;
                    for (var page = 0; page < 5; page++)
                    {
                        var result = store.Search(new LogSearch { Match = match, TenantId = tenant, From = from, To = to, Limit = limit, Before = cursor });
                        var want = inRange.Skip(offset).Take(limit).ToList();
                        var where = $"{name}, {capacity}, {from}–{to}, {tenant}, limit {limit}, page {page}";
                        Assert.True(want.SequenceEqual(result.Items.Select(h => h.Id)), $"{where}: expected [{string.Join(",", want)}], got [{string.Join(",", result.Items.Select(h => h.Id))}]");
                        Assert.True(inRange.Count == result.TotalCount, $"{where}: total {result.TotalCount}, expected {inRange.Count}");
                        Assert.True((offset + limit < inRange.Count ? want[^1] : (LogRecordId?)null) == result.Next, $"{where}: next {result.Next}");
                        if (result.Next is null)
                        {
                            break;
                        }

                        cursor = result.Next;
                        offset += limit;
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Search_AnySegmentSize_SameLinesTotalsAndCursorsAsAScan(string name)
    {
        var (_, match, expected) = Cases().Single(c => c.Name == name);
        var facts = Enumerable.Range(0, Lines).Select(FactOf).ToList();
        foreach (var capacity in new[] { 1, 16, 100, 512, LogStore.SegmentCapacity })
        {
            var store = Fill(capacity, facts);
            AssertSameAsScan(store, facts, name, match, expected, $"segments of {capacity}");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Search_LinesArrivingInTimeOrder_SameLinesTotalsAndCursorsAsAScan(string name)
    {
        // Without late lines a sealed segment keeps its arrival order (nothing is re-ordered or re-posted); equal times
        // still occur. Then 430 s pass with a 2 h retention, dropping lines from the middle of those segments.
        var (_, match, expected) = Cases().Single(c => c.Name == name);
        var facts = Enumerable.Range(0, Lines).Select(i => FactOf(i) with { Second = i % 7 == 0 && i > 0 ? i - 1 : i }).ToList();
        foreach (var capacity in new[] { 16, 100, 512, LogStore.SegmentCapacity })
        {
            var time = new FakeTimeProvider(Base + TimeSpan.FromHours(2));
            var store = Fill(capacity, facts, retention: TimeSpan.FromHours(2), time: time);
            AssertSameAsScan(store, facts, name, match, expected, $"segments of {capacity}, in time order");

            time.Advance(TimeSpan.FromSeconds(430));
            store.EvictExpired();
            var held = facts.Where(f => f.Second >= 430).ToList();
            Assert.Equal(held.Count, store.Stats().Items);
            AssertSameAsScan(store, held, name, match, expected, $"segments of {capacity}, in time order, after eviction");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Search_AfterRetentionDropsPartOfSegments_CountsOnlyWhatIsHeld(string name)
    {
        // Lines at 0..1199 s (some late); the clock at 2 h, retention 2 h: moving the clock 430 s on drops the lines
        // stamped before 430 s, from the middle of sealed segments.
        var (_, match, expected) = Cases().Single(c => c.Name == name);
        var facts = Enumerable.Range(0, Lines).Select(FactOf).ToList();
        foreach (var capacity in new[] { 16, 100, 512 })
        {
            var time = new FakeTimeProvider(Base + TimeSpan.FromHours(2));
            var store = Fill(capacity, facts, retention: TimeSpan.FromHours(2), time: time);
            time.Advance(TimeSpan.FromSeconds(430));
            store.EvictExpired();
            var held = facts.Where(f => f.Second >= 430).ToList();
            Assert.Equal(held.Count, store.Stats().Items);
            AssertSameAsScan(store, held, name, match, expected, $"segments of {capacity}, after eviction");
        }
    }

    [Fact]
    public void Search_TermOnlyInTheOpenSegment_FoundAndCountedBeforeAndAfterSealing()
    {
        var facts = Enumerable.Range(0, 300).Select(FactOf).ToList();
        var store = Fill(64, facts);
        var unique = Log("acme", TimeSpan.FromSeconds(10), "zebra crossing", severity: 17, service: "rag-service");

        store.Add([unique]);
        var open = store.Search(new LogSearch { Match = LogMatch.Term("zebra"), Limit = 5 });
        var openCount = store.Count(LogMatch.And(LogMatch.Term("zebra"), LogMatch.FieldEquals(LogField.Level, "error")), "acme", Base, Base.AddDays(1));
        store.Add([.. Enumerable.Range(300, 64).Select(FactOf).Select(RecordOf)]); // seals the segment holding it
        var sealedResult = store.Search(new LogSearch { Match = LogMatch.Term("zebra"), Limit = 5 });
        var sealedCount = store.Count(LogMatch.And(LogMatch.Term("zebra"), LogMatch.FieldEquals(LogField.Level, "error")), "acme", Base, Base.AddDays(1));
        var otherTenant = store.Count(LogMatch.Term("zebra"), "globex", Base, Base.AddDays(1));

        Assert.Equal(["zebra crossing"], open.Items.Select(h => h.Record.Body.StringValue));
        Assert.Equal(1, open.TotalCount);
        Assert.Equal(1, openCount);
        Assert.Equal(open.Items.Select(h => h.Id), sealedResult.Items.Select(h => h.Id));
        Assert.Equal(1, sealedResult.TotalCount);
        Assert.Null(sealedResult.Next);
        Assert.Equal(1, sealedCount);
        Assert.Equal(0, otherTenant);
    }

    [Fact]
    public void Search_MemoryBudgetEvictsOldestSegments_TotalsMatchPagesCountAndHistogram()
    {
        // Over the budget the store drops the oldest lines one by one, wherever its segments' time ranges overlap;
        // whatever remains, a search's total, the lines its pages list, Count and the histogram agree.
        var store = new LogStore(new StoreLimits(TimeSpan.FromDays(1), 400_000), _time, 64);
        foreach (var batch in Enumerable.Range(0, Lines).Select(FactOf).Chunk(50))
        {
            store.Add([.. batch.Select(RecordOf)]);
        }

        var match = LogMatch.And(LogMatch.Term("calling"), LogMatch.Not(LogMatch.Term("redis")), LogMatch.FieldEquals(LogField.Tenant, "globex"));
        var first = store.Search(new LogSearch { Match = match, Limit = 10 });
        var listed = new List<HeldLogRecord>(first.Items);
        for (var next = first.Next; next is not null;)
        {
            var page = store.Search(new LogSearch { Match = match, Limit = 10, Before = next });
            listed.AddRange(page.Items);
            next = page.Next;
        }

        var count = store.Count(match, null, Base.AddDays(-1), Base.AddDays(1));
        var histogram = store.Histogram(match, null, Base, Base + TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)).Sum(b => b.Total);
        var stats = store.Stats();

        Assert.True(stats.Evicted > 0, "the budget evicted nothing");
        Assert.True(first.TotalCount > 0);
        Assert.Equal(first.TotalCount, listed.Count);
        Assert.Equal(listed.Count, listed.Select(h => h.Id).Distinct().Count());
        Assert.All(listed, h => Assert.True(h.Record.TenantId == "globex" && !h.Record.Body.StringValue.Contains("redis", StringComparison.Ordinal)));
        Assert.Equal(first.TotalCount, count);
        Assert.Equal(first.TotalCount, histogram);
    }
}
