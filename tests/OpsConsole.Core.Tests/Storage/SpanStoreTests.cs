using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

public sealed class SpanStoreTests
{
    private readonly FakeTimeProvider _time = new(Base + TimeSpan.FromHours(2));

    private SpanStore NewStore(TimeSpan? retention = null, long budget = long.MaxValue) =>
        new(new StoreLimits(retention ?? TimeSpan.FromDays(1), budget), _time);

    private static TraceId Trace(int n) => new(0xabc, (ulong)n);

    /// <summary>
    /// 60 traces: trace n starts at n minutes, api-gateway root "POST /v1/chat" → rag-service "rag.query" → llm
    /// "chat.completions"; duration (n + 1) × 10 ms; tenant acme for even n, globex for odd; every 5th has an error in
    /// rag.query; http.status_code on the root (500 when the trace has an error); resource attribute on llm spans.
    /// </summary>
    private static List<Span> Corpus()
    {
        var spans = new List<Span>();
        for (var n = 0; n < 60; n++)
        {
            var tenant = n % 2 == 0 ? "acme" : "globex";
            var start = TimeSpan.FromMinutes(n);
            var total = TimeSpan.FromMilliseconds((n + 1) * 10);
            var error = n % 5 == 0;
            spans.Add(Span(tenant, Trace(n), 1, "api-gateway", "POST /v1/chat", start, total, attributes: Attr("http.status_code", error ? 500 : 200)));
            spans.Add(Span(tenant, Trace(n), 2, "rag-service", "rag.query", start + TimeSpan.FromMilliseconds(1), total / 2, parent: 1, error: error, Attr("tenant.id", tenant), Attr("user.id", "u" + (n % 7))));
            spans.Add(Span(tenant, Trace(n), 3, "llm", "chat.completions", start + TimeSpan.FromMilliseconds(2), total / 4, parent: 2) with
            {
                Resource = ResourceOf("llm", Attr("llm.provider", n % 3 == 0 ? "openai" : "ollama")),
            });
        }

        return spans;
    }

    private static IEnumerable<int> Ns(PagedResult<TraceSummary> result) => result.Items.Select(t => (int)t.TraceId.Low);

    [Fact]
    public void GetTrace_SpansArrivingInSeveralBatches_MergedIntoOneTraceOrderedByStart()
    {
        // Arrange
        var store = NewStore();
        var trace = Trace(1);
        var child = Span("acme", trace, 2, "rag-service", "rag.query", TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), parent: 1);
        var root = Span("acme", trace, 1, "api-gateway", "POST /v1/chat", TimeSpan.Zero, TimeSpan.FromMilliseconds(30));
        var late = Span("acme", trace, 3, "llm", "chat.completions", TimeSpan.FromMilliseconds(6), TimeSpan.FromMilliseconds(2), parent: 2);

        // Act
        store.Add([child]);
        var beforeRoot = store.Search(new TraceQuery()).Items.Single();
        store.Add([late, root]);
        var spans = store.GetTrace("acme", trace);
        var summary = store.Search(new TraceQuery()).Items.Single();

        // Assert
        Assert.Equal([1UL, 2, 3], spans.Select(s => s.SpanId.Value));
        Assert.False(beforeRoot.HasRootSpan);
        Assert.Equal("rag-service", beforeRoot.RootService);
        Assert.True(summary.HasRootSpan);
        Assert.Equal("api-gateway", summary.RootService);
        Assert.Equal("POST /v1/chat", summary.RootOperation);
        Assert.Equal(Base, summary.Start);
        Assert.Equal(TimeSpan.FromMilliseconds(30), summary.Duration);
        Assert.Equal(3, summary.SpanCount);
        Assert.Equal(["api-gateway", "llm", "rag-service"], summary.Services);
    }

    [Fact]
    public void GetTrace_StoredSpan_ReadsBackWithEveryFieldAndAttributeAsSent()
    {
        // Arrange: fresh string instances, as a decoder makes them, and every attribute kind.
        var store = NewStore();
        Domain.Telemetry.Attribute[] attributes =
        [
            new(new string("http.method".AsSpan()), AttributeValue.Of(new string("POST".AsSpan()))),
            new("http.status_code", AttributeValue.Of(503L)),
            new("sampled", AttributeValue.Of(true)),
            new("ratio", AttributeValue.Of(0.25)),
            new("payload", AttributeValue.Of([1, 2, 3])),
            new("tags", AttributeValue.Of([AttributeValue.Of("a"), AttributeValue.Of(2L)])),
            new("long.text", AttributeValue.Of(new string('x', 500))),
        ];
        var sent = Span("acme", Trace(3), 9, "rag-service", "rag.query", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(12), parent: 4, error: true, attributes) with
        {
            Kind = SpanKind.Server,
            StatusMessage = "upstream timeout",
            TraceState = "vendor=1",
            Events = [new SpanEvent("exception", Nanos(TimeSpan.FromSeconds(1.005)), [Attr("exception.type", "TimeoutException")])],
            Links = [new SpanLink(Trace(4), new SpanId(1), null, [])],
        };

        // Act
        store.Add([sent, Span("acme", Trace(5), 1, "rag-service", "rag.query", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1), attributes: attributes)]);
        var read = Assert.Single(store.GetTrace("acme", Trace(3)));

        // Assert
        Assert.Equal(sent with { Attributes = [] }, read with { Attributes = [] });
        Assert.Equal(sent.Attributes, read.Attributes);
        Assert.Equal(sent.Attributes.Select(a => a.Value.Kind), read.Attributes.Select(a => a.Value.Kind));
    }

    [Fact]
    public void Add_SameSpanSentTwice_StoredOnce()
    {
        // Arrange
        var store = NewStore();
        var span = Span("acme", Trace(1), 1, "api-gateway", "GET /", TimeSpan.Zero, TimeSpan.FromMilliseconds(3));

        // Act
        var first = store.Add([span]);
        var again = store.Add([span]);

        // Assert
        Assert.Equal(1, first);
        Assert.Equal(0, again);
        Assert.Single(store.GetTrace("acme", Trace(1)));
        Assert.Equal(1, store.Stats().Items);
    }

    [Fact]
    public void GetTrace_TenantRestricted_SeesOnlyItsOwnSpansOfATraceId()
    {
        // Arrange: a trace id reported under two tenants.
        var store = NewStore();
        store.Add([
            Span("acme", Trace(7), 1, "api-gateway", "GET /", TimeSpan.Zero, TimeSpan.FromMilliseconds(5)),
            Span("globex", Trace(7), 2, "billing", "charge", TimeSpan.Zero, TimeSpan.FromMilliseconds(5)),
        ]);

        // Act
        var acme = store.GetTrace("acme", Trace(7));
        var initech = store.GetTrace("initech", Trace(7));
        var admin = store.GetTrace(null, Trace(7));

        // Assert
        Assert.Equal(["api-gateway"], acme.Select(s => s.ServiceName));
        Assert.Empty(initech);
        Assert.Equal(2, admin.Count);
    }

    public static TheoryData<string, Func<TraceQuery, TraceQuery>, int[]> SearchCases => new()
    {
        // name, query, expected trace numbers (newest first)
        { "tenant", q => q with { TenantId = "acme", Limit = 100 }, [.. Enumerable.Range(0, 60).Where(n => n % 2 == 0).Reverse()] },
        { "errors", q => q with { ErrorsOnly = true, Limit = 100 }, [55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 0] },
        { "errors in api-gateway (none: the error is on rag.query)", q => q with { Service = "api-gateway", ErrorsOnly = true }, [] },
        { "errors in rag-service of globex", q => q with { Service = "rag-service", ErrorsOnly = true, TenantId = "globex" }, [55, 45, 35, 25, 15, 5] },
        { "operation only", q => q with { Operation = "chat.completions", From = Base + TimeSpan.FromMinutes(57) }, [59, 58, 57] },
        { "operation of another service", q => q with { Service = "api-gateway", Operation = "rag.query" }, [] },
        { "tag equal", q => q with { Tags = [TagFilter.Parse("user.id=u3")], Limit = 100 }, [.. Enumerable.Range(0, 60).Where(n => n % 7 == 3).Reverse()] },
        { "integer tag", q => q with { Tags = [TagFilter.Parse("http.status_code=500")], Limit = 100 }, [55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 0] },
        { "tag regex", q => q with { Tags = [TagFilter.Parse("user.id=~u[12]")], TenantId = "acme", From = Base + TimeSpan.FromMinutes(40) }, [.. Enumerable.Range(40, 20).Where(n => n % 2 == 0 && n % 7 is 1 or 2).Reverse()] },
        { "resource tag", q => q with { Tags = [TagFilter.Parse("llm.provider=openai")], Limit = 100 }, [.. Enumerable.Range(0, 60).Where(n => n % 3 == 0).Reverse()] },
        { "tag exists", q => q with { Tags = [TagFilter.Parse("tenant.id")], Limit = 100 }, [.. Enumerable.Range(0, 60).Reverse()] },
        { "tags on different spans never combine", q => q with { Tags = [TagFilter.Parse("user.id=u0"), TagFilter.Parse("llm.provider=openai")] }, [] },
        { "tags on the same span combine", q => q with { Tags = [TagFilter.Parse("user.id=u0"), TagFilter.Parse("tenant.id=acme")], Limit = 100 }, [56, 42, 28, 14, 0] },
        { "min duration", q => q with { MinDuration = TimeSpan.FromMilliseconds(560) }, [59, 58, 57, 56, 55] },
        { "max duration", q => q with { MaxDuration = TimeSpan.FromMilliseconds(30) }, [2, 1, 0] },
        { "duration window", q => q with { MinDuration = TimeSpan.FromMilliseconds(100), MaxDuration = TimeSpan.FromMilliseconds(120) }, [11, 10, 9] },
        { "time range is half-open", q => q with { From = Base + TimeSpan.FromMinutes(10), To = Base + TimeSpan.FromMinutes(13) }, [12, 11, 10] },
        { "limit", q => q with { Limit = 4 }, [59, 58, 57, 56] },
        { "sort by duration", q => q with { Sort = TraceSort.DurationDescending, Limit = 3 }, [59, 58, 57] },
        { "sort by duration ascending", q => q with { Sort = TraceSort.DurationAscending, Limit = 3 }, [0, 1, 2] },
        { "sort by start ascending", q => q with { Sort = TraceSort.StartTimeAscending, Limit = 2, TenantId = "globex" }, [1, 3] },
        { "unknown service", q => q with { Service = "nope" }, [] },
    };

    [Theory]
    [MemberData(nameof(SearchCases))]
    public void Search_QueryConstruct_ReturnsTheKnownTraces(string name, Func<TraceQuery, TraceQuery> build, int[] expected)
    {
        // Arrange
        var store = NewStore();
        store.Add(Corpus());

        // Act
        var result = store.Search(build(new TraceQuery()));

        // Assert
        Assert.True(expected.SequenceEqual(Ns(result)), $"{name}: expected [{string.Join(",", expected)}], got [{string.Join(",", Ns(result))}]");
    }

    [Fact]
    public void Search_Limited_TotalCountsAllMatches()
    {
        // Arrange
        var store = NewStore();
        store.Add(Corpus());

        // Act
        var result = store.Search(new TraceQuery { ErrorsOnly = true, Limit = 5 });

        // Assert
        Assert.Equal(5, result.Items.Count);
        Assert.Equal(12, result.TotalCount);
        Assert.True(result.IsTruncated);
        Assert.All(result.Items, t => Assert.Equal(1, t.ErrorCount));
    }

    [Fact]
    public void Search_TenantRestricted_NeverReturnsAnotherTenantsTraces()
    {
        // Arrange
        var store = NewStore();
        store.Add(Corpus());

        // Act
        var byService = store.Search(new TraceQuery { TenantId = "acme", Service = "rag-service", Limit = 1000 });
        var byTag = store.Search(new TraceQuery { TenantId = "acme", Tags = [TagFilter.Parse("tenant.id=globex")] });
        var services = store.Services("initech");

        // Assert
        Assert.Equal(30, byService.TotalCount);
        Assert.All(byService.Items, t => Assert.Equal("acme", t.TenantId));
        Assert.Empty(byTag.Items);
        Assert.Empty(services);
    }

    [Fact]
    public void ServicesAndOperations_ListWhatIsHeld()
    {
        // Arrange
        var store = NewStore();
        store.Add(Corpus());

        // Act
        var services = store.Services(null);
        var operations = store.Operations("acme", "rag-service");

        // Assert
        Assert.Equal(["api-gateway", "llm", "rag-service"], services);
        Assert.Equal(["rag.query"], operations);
    }

    [Fact]
    public void Retention_ClockStepped_TracesOlderThanRetentionEvicted()
    {
        // Arrange: corpus traces start at 0..59 minutes; the clock is at 2 h.
        var store = NewStore(retention: TimeSpan.FromHours(2));
        var stored = store.Add(Corpus());
        var before = store.Stats();

        // Act: the cutoff moves from 0 to 40 minutes.
        _time.Advance(TimeSpan.FromMinutes(40));
        var after = store.Stats();
        var tooOld = store.Add([Span("acme", Trace(999), 1, "api-gateway", "GET /", TimeSpan.FromMinutes(39), TimeSpan.FromSeconds(1))]);

        // Assert
        Assert.Equal(180, stored);
        Assert.Equal(Base, before.Oldest);
        Assert.Equal(60, after.Items);
        Assert.Equal(120, after.Evicted);
        Assert.Equal(Base + TimeSpan.FromMinutes(40), after.Oldest);
        Assert.Equal(Base + TimeSpan.FromMinutes(59) + TimeSpan.FromMilliseconds(600), after.Newest);
        Assert.Equal(0, tooOld);
        Assert.Equal(1, store.Stats().Rejected);
        Assert.Empty(store.GetTrace(null, Trace(39)));
        Assert.Equal(20, store.Search(new TraceQuery { Limit = 100 }).TotalCount);
        Assert.Empty(store.Search(new TraceQuery { Service = "api-gateway", To = Base + TimeSpan.FromMinutes(40) }).Items);
    }

    [Fact]
    public void MemoryBudget_Exceeded_EarliestTracesEvictedWholeFirst()
    {
        // Arrange
        var store = NewStore(budget: 40_000);

        // Act
        store.Add(Corpus());
        var stats = store.Stats();
        var held = store.Search(new TraceQuery { Limit = 100 });

        // Assert
        Assert.True(stats.EstimatedBytes <= 40_000);
        Assert.True(stats.Evicted > 0);
        Assert.Equal(180, stats.Items + stats.Evicted);
        Assert.Equal(stats.Items, held.Items.Sum(t => t.SpanCount));
        Assert.All(held.Items, t => Assert.Equal(3, t.SpanCount));
        Assert.Equal(59, (int)held.Items[0].TraceId.Low);
        Assert.Equal(Enumerable.Range(60 - held.TotalCount, held.TotalCount).Reverse(), Ns(held));
    }
}
