using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

public sealed class LogStoreTests
{
    private const int CorpusSize = 200;

    private static readonly string[] Services = ["api-gateway", "rag-service", "ml-engine"];
    private static readonly int[] Severities = [9, 13, 17, 5]; // info, warn, error, debug
    private static readonly string[] LevelNames = ["info", "warn", "error", "debug"];

    private readonly FakeTimeProvider _time = new(Base + TimeSpan.FromHours(1));

    private LogStore NewStore(int segmentCapacity = LogStore.SegmentCapacity, TimeSpan? retention = null, long budget = long.MaxValue) =>
        new(new StoreLimits(retention ?? TimeSpan.FromDays(1), budget), _time, segmentCapacity);

    private static TraceId TraceOf(int i) => new(0x4bf92f3577b34da6, (ulong)i);

    private static string BodyOf(int i) => (i % 10) switch
    {
        0 => "Connection refused from 10.0.0.12:5432",
        1 when i % 20 == 1 => "order-8812 failed: payment declined",
        1 => $"order-{i} created",
        _ => $"request handled in {i} ms user_id={i % 5}",
    };

    private static string TenantOf(int i) => i % 2 == 0 ? "acme" : "globex";

    /// <summary>Record i happens at i seconds; tenant, service, level, body, trace and attributes follow from i.</summary>
    private static LogRecord Record(int i) => Log(
        TenantOf(i),
        TimeSpan.FromSeconds(i),
        BodyOf(i),
        severity: Severities[i % 4],
        service: Services[i % 3],
        trace: i % 4 == 0 ? TraceOf(i) : default,
        span: i % 4 == 0 ? new SpanId((ulong)i + 1) : default,
        Attr("user.id", "u" + (i % 5)),
        Attr("duration_ms", i));

    /// <summary>Adds the corpus shuffled, in batches, so that arrival order differs from time order.</summary>
    private static LogStore Fill(LogStore store)
    {
        var order = Enumerable.Range(0, CorpusSize).OrderBy(i => (i * 7919) % 211).ToList();
        foreach (var batch in order.Chunk(13))
        {
            store.Add([.. batch.Select(Record)]);
        }

        return store;
    }

    private static int IndexOf(LogRecord r) => (int)r.Attributes.Single(a => a.Key == "duration_ms").Value.IntValue;

    public static TheoryData<string, LogQuery, Func<int, bool>> QueryCases()
    {
        var trace8 = TraceOf(8).ToString().ToUpperInvariant();
        return new()
        {
            { "ip address", new LogQuery { Include = [LogPosting.Term("10.0.0.12")] }, i => i % 10 == 0 },
            { "id with hyphen", new LogQuery { Include = [LogPosting.Term("order-8812")] }, i => i % 20 == 1 },
            { "part of an id, any case", new LogQuery { Include = [LogPosting.Term("ORDER")] }, i => i % 10 == 1 },
            { "number part of an id", new LogQuery { Include = [LogPosting.Term("8812")] }, i => i % 20 == 1 },
            { "two words in any order", new LogQuery { Include = [LogPosting.Term("refused connection")] }, i => i % 10 == 0 },
            { "unknown term", new LogQuery { Include = [LogPosting.Term("kaboom")] }, _ => false },
            { "level", new LogQuery { Include = [LogPosting.Field("level", "ERROR")] }, i => i % 4 == 2 },
            { "service", new LogQuery { Include = [LogPosting.Field("service", "rag-service")] }, i => i % 3 == 1 },
            { "tenant field", new LogQuery { Include = [LogPosting.Field("tenant", "globex")] }, i => i % 2 == 1 },
            { "tenant restriction", new LogQuery { TenantId = "acme" }, i => i % 2 == 0 },
            { "trace id, upper-case hex", new LogQuery { Include = [LogPosting.Field("trace_id", trace8)] }, i => i == 8 },
            { "span id", new LogQuery { Include = [LogPosting.Field("span_id", new SpanId(17).ToString())] }, i => i == 16 },
            { "string attribute", new LogQuery { Include = [LogPosting.Field("user.id", "u3")] }, i => i % 5 == 3 },
            { "integer attribute", new LogQuery { Include = [LogPosting.Field("duration_ms", "42")] }, i => i == 42 },
            { "resource attribute", new LogQuery { Include = [LogPosting.Field("service.name", "ml-engine")] }, i => i % 3 == 2 },
            { "term and fields", new LogQuery { Include = [LogPosting.Term("request"), LogPosting.Field("level", "warn"), LogPosting.Field("service", "api-gateway")] }, i => i % 10 >= 2 && i % 4 == 1 && i % 3 == 0 },
            { "excluded term", new LogQuery { Include = [LogPosting.Term("order")], Exclude = [LogPosting.Term("8812")] }, i => i % 10 == 1 && i % 20 != 1 },
            { "excluded field", new LogQuery { Exclude = [LogPosting.Field("level", "info")], TenantId = "acme" }, i => i % 2 == 0 && i % 4 != 0 },
            { "excluded unknown term excludes nothing", new LogQuery { Exclude = [LogPosting.Term("kaboom")] }, _ => true },
            { "time range is half-open", new LogQuery { From = Base + TimeSpan.FromSeconds(50), To = Base + TimeSpan.FromSeconds(60) }, i => i is >= 50 and < 60 },
            { "filter for a phrase", new LogQuery { Include = [LogPosting.Term("payment")], Filter = r => r.Body.StringValue.Contains("payment declined", StringComparison.Ordinal) }, i => i % 20 == 1 },
        };
    }

    [Theory]
    [MemberData(nameof(QueryCases))]
    public void Query_Construct_ReturnsTheKnownRecordsNewestFirst(string name, LogQuery query, Func<int, bool> expected)
    {
        foreach (var capacity in new[] { 7, LogStore.SegmentCapacity })
        {
            // Arrange
            var store = Fill(NewStore(capacity));
            var want = Enumerable.Range(0, CorpusSize).Where(expected).Reverse().ToList();

            // Act
            var result = store.Query(query with { Limit = 1000 });

            // Assert
            var got = result.Items.Select(IndexOf).ToList();
            Assert.True(want.SequenceEqual(got), $"{name} (segments of {capacity}): expected [{string.Join(",", want)}], got [{string.Join(",", got)}]");
            Assert.Equal(want.Count, result.TotalCount);
        }
    }

    [Fact]
    public void Query_Limit_ReturnsTheNewestAcrossSegmentsWithTheTotal()
    {
        // Arrange
        var store = Fill(NewStore(segmentCapacity: 16));

        // Act
        var result = store.Query(new LogQuery { Include = [LogPosting.Field("level", "error")], Limit = 3 });

        // Assert
        Assert.Equal([198, 194, 190], result.Items.Select(IndexOf));
        Assert.Equal(50, result.TotalCount);
        Assert.True(result.IsTruncated);
    }

    [Fact]
    public void Query_TenantRestricted_NeverReturnsAnotherTenantsRecords()
    {
        // Arrange
        var store = Fill(NewStore(segmentCapacity: 16));

        // Act: "order-8812" is only ever logged by globex (odd i).
        var acme = store.Query(new LogQuery { TenantId = "acme", Include = [LogPosting.Term("order-8812")] });
        var acmeAsField = store.Query(new LogQuery { TenantId = "acme", Include = [LogPosting.Field("tenant", "globex")] });
        var histogram = store.Histogram(new LogQuery { TenantId = "acme", From = Base, To = Base + TimeSpan.FromSeconds(200) }, TimeSpan.FromSeconds(200));

        // Assert
        Assert.Empty(acme.Items);
        Assert.Equal(0, acme.TotalCount);
        Assert.Empty(acmeAsField.Items);
        Assert.Equal(100, Assert.Single(histogram).Total);
    }

    [Fact]
    public void Histogram_PerMinute_CountsMatchesPerBucketAndLevel()
    {
        // Arrange
        var store = Fill(NewStore(segmentCapacity: 16));
        var query = new LogQuery { From = Base, To = Base + TimeSpan.FromSeconds(CorpusSize), Exclude = [LogPosting.Field("service", "ml-engine")] };

        // Act
        var buckets = store.Histogram(query, TimeSpan.FromMinutes(1));

        // Assert
        Assert.Equal([Base, Base.AddMinutes(1), Base.AddMinutes(2), Base.AddMinutes(3)], buckets.Select(b => b.Start));
        for (var b = 0; b < 4; b++)
        {
            var inBucket = Enumerable.Range(b * 60, 60).Where(i => i < CorpusSize && i % 3 != 2).ToList();
            Assert.Equal(inBucket.Count, buckets[b].Total);
            Assert.Equal(inBucket.Count(i => LevelNames[i % 4] == "error"), buckets[b].Error);
            Assert.Equal(inBucket.Count(i => LevelNames[i % 4] == "warn"), buckets[b].Warn);
            Assert.Equal(inBucket.Count(i => LevelNames[i % 4] == "info"), buckets[b].Info);
            Assert.Equal(inBucket.Count(i => LevelNames[i % 4] == "debug"), buckets[b].Debug);
            Assert.Equal(0, buckets[b].Fatal + buckets[b].Trace);
        }
    }

    [Fact]
    public void Histogram_OpenRange_CoversWhatIsHeldIncludingEmptyBuckets()
    {
        // Arrange
        var store = NewStore();
        store.Add([Record(0), Record(125)]);

        // Act
        var buckets = store.Histogram(new LogQuery(), TimeSpan.FromMinutes(1));

        // Assert
        Assert.Equal([1, 0, 1], buckets.Select(b => b.Total));
    }

    [Fact]
    public void Retention_ClockStepped_OldestRecordsEvictedAndNoLongerFound()
    {
        // Arrange: records at 0..199 s; the clock at 1 h; retention 1 h.
        var store = Fill(NewStore(segmentCapacity: 16, retention: TimeSpan.FromHours(1)));
        var before = store.Stats();

        // Act
        _time.Advance(TimeSpan.FromSeconds(100));
        var after = store.Stats();
        var found = store.Query(new LogQuery { Include = [LogPosting.Term("10.0.0.12")], Limit = 1000 });
        var tooOld = store.Add([Record(99)]);

        // Assert
        Assert.Equal(200, before.Items);
        Assert.Equal(Base, before.Oldest);
        Assert.Equal(100, after.Items);
        Assert.Equal(100, after.Evicted);
        Assert.Equal(Base + TimeSpan.FromSeconds(100), after.Oldest);
        Assert.Equal(Base + TimeSpan.FromSeconds(199), after.Newest);
        Assert.True(after.EstimatedBytes < before.EstimatedBytes);
        Assert.Equal([190, 180, 170, 160, 150, 140, 130, 120, 110, 100], found.Items.Select(IndexOf));
        Assert.Equal(0, tooOld);
        Assert.Equal(1, store.Stats().Rejected);
    }

    [Fact]
    public void Retention_QuietHeadSegment_StillEvictedOnTime()
    {
        // Arrange: a handful of records that never fill a segment.
        var store = NewStore(retention: TimeSpan.FromHours(1));
        store.Add([Record(0), Record(1), Record(2)]);

        // Act
        _time.Advance(TimeSpan.FromSeconds(2));
        store.EvictExpired();
        var stats = store.Stats();
        var held = store.Query(new LogQuery());

        // Assert
        Assert.Equal(1, stats.Items);
        Assert.Equal([2], held.Items.Select(IndexOf));
    }

    [Fact]
    public void MemoryBudget_Exceeded_OldestRecordsEvictedFirst()
    {
        // Arrange
        const long budget = 120_000;
        var store = NewStore(segmentCapacity: 32, budget: budget);

        // Act: in time order, 2,000 records.
        for (var b = 0; b < 100; b++)
        {
            store.Add([.. Enumerable.Range(b * 20, 20).Select(i => Record(i) with { TimeUnixNano = Nanos(TimeSpan.FromMilliseconds(i * 100)) })]);
        }

        var stats = store.Stats();
        var newest = store.Query(new LogQuery { Limit = 10_000 });

        // Assert
        Assert.True(stats.EstimatedBytes <= budget, $"{stats.EstimatedBytes} > {budget}");
        Assert.Equal(2000, stats.Items + stats.Evicted);
        Assert.True(stats.Evicted > 0);
        Assert.Equal(stats.Items, newest.TotalCount);
        Assert.Equal(Enumerable.Range(2000 - newest.TotalCount, newest.TotalCount).Reverse(), newest.Items.Select(IndexOf));
    }

    [Fact]
    public void CompleteSince_FromCreation_BackToTheReloadedWindow_AndPastWhatTheBudgetEvicted()
    {
        var store = NewStore(segmentCapacity: 32, budget: 120_000);
        var created = store.CompleteSince;
        store.MarkCoveredFrom(Base);
        var reloaded = store.CompleteSince;
        store.MarkCoveredFrom(Base + TimeSpan.FromMinutes(30)); // never moves forward

        // A late line stamped before everything else, then enough lines in time order to overflow the budget.
        store.Add([Record(0) with { TimeUnixNano = Nanos(TimeSpan.FromMilliseconds(-5_000)) }]);
        for (var b = 0; b < 100; b++)
        {
            store.Add([.. Enumerable.Range(b * 20, 20).Select(i => Record(i) with { TimeUnixNano = Nanos(TimeSpan.FromMilliseconds(i * 100)) })]);
        }

        var held = store.Query(new LogQuery { Limit = 10_000 }).Items.Select(IndexOf).ToHashSet();
        var firstHeld = Enumerable.Range(0, 2000).First(held.Contains);

        Assert.Equal(_time.GetUtcNow(), created);
        Assert.Equal(Base, reloaded);
        Assert.True(store.Stats().Evicted > 0);

        // Every line from CompleteSince on is held; the one just before it is not (it left over the budget).
        Assert.InRange(store.CompleteSince, Base + TimeSpan.FromMilliseconds(((firstHeld - 1) * 100) + 0.0001), Base + TimeSpan.FromMilliseconds(firstHeld * 100));
        Assert.All(Enumerable.Range(firstHeld, 2000 - firstHeld), i => Assert.Contains(i, held));
    }

    [Fact]
    public void Add_RecordWithoutEventTime_UsesObservedTime()
    {
        // Arrange
        var store = NewStore();
        var record = Record(5) with { TimeUnixNano = 0, ObservedTimeUnixNano = Nanos(TimeSpan.FromSeconds(30)) };

        // Act
        store.Add([record]);
        var inRange = store.Query(new LogQuery { From = Base + TimeSpan.FromSeconds(30), To = Base + TimeSpan.FromSeconds(31) });

        // Assert
        Assert.Single(inRange.Items);
        Assert.Equal(Base + TimeSpan.FromSeconds(30), store.Stats().Oldest);
    }

    [Fact]
    public void Query_StructuredBody_SearchableByItsText()
    {
        // Arrange
        var store = NewStore();
        var body = AttributeValue.Of([new KeyValuePair<string, AttributeValue>("event", AttributeValue.Of("cache_miss")), new("key", AttributeValue.Of(42L))]);
        store.Add([Record(1) with { Body = body }]);

        // Act
        var found = store.Query(new LogQuery { Include = [LogPosting.Term("cache_miss")] });

        // Assert
        Assert.Equal(1, found.TotalCount);
        Assert.Equal(42.ToString(CultureInfo.InvariantCulture), found.Items[0].Body.MapValue[1].Value.ToString());
    }
}
