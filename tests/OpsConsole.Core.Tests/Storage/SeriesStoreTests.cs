using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Storage;

public sealed class SeriesStoreTests
{
    private static readonly long BaseMs = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(BaseMs) + TimeSpan.FromHours(1));

    private SeriesStore NewStore(TimeSpan? retention = null, long budget = long.MaxValue) =>
        new(new StoreLimits(retention ?? TimeSpan.FromDays(1), budget), _time);

    private static LabelSet Http(string service, string status, string? env = null)
    {
        var labels = new List<(string, string)> { ("__name__", "http_requests_total"), ("service", service), ("status", status) };
        if (env is not null)
        {
            labels.Add(("env", env));
        }

        return LabelSet.From([.. labels]);
    }

    /// <summary>A generated corpus: 3 services × 4 statuses × 2 tenants, env on some series only, 10 samples each.</summary>
    private static (SeriesStore Store, List<(string Tenant, LabelSet Labels)> All) Corpus(SeriesStore store)
    {
        var all = new List<(string, LabelSet)>();
        string[] services = ["api-gateway", "rag-service", "ml-engine"];
        string[] statuses = ["200", "404", "500", "503"];
        foreach (var tenant in new[] { "acme", "globex" })
        {
            for (var s = 0; s < services.Length; s++)
            {
                for (var c = 0; c < statuses.Length; c++)
                {
                    var labels = Http(services[s], statuses[c], (s + c) % 3 == 0 ? null : (c % 2 == 0 ? "prod" : "staging"));
                    all.Add((tenant, labels));
                    for (var i = 0; i < 10; i++)
                    {
                        store.Append(tenant, labels, BaseMs + (i * 15_000L), i * (s + 1));
                    }
                }
            }
        }

        return (store, all);
    }

    public static TheoryData<string, string, string> MatcherCases => new()
    {
        { "service", "=", "rag-service" },
        { "service", "!=", "rag-service" },
        { "service", "=~", "rag-.*|ml-engine" },
        { "service", "!~", ".*-service" },
        { "status", "=~", "5.." },
        { "status", "=~", "5" },
        { "env", "=", "" },
        { "env", "!=", "" },
        { "env", "=~", ".*" },
        { "env", "=~", ".+" },
        { "env", "!~", "prod" },
        { "env", "=", "prod" },
        { "missing", "=", "" },
        { "missing", "!=", "" },
        { "__name__", "=", "http_requests_total" },
    };

    [Theory]
    [MemberData(nameof(MatcherCases))]
    public void Select_Matcher_ReturnsExactlyTheSeriesThePredicateAccepts(string name, string op, string value)
    {
        // Arrange
        var (store, all) = Corpus(NewStore());
        var type = op switch { "=" => LabelMatchType.Equal, "!=" => LabelMatchType.NotEqual, "=~" => LabelMatchType.Regex, _ => LabelMatchType.NotRegex };
        var matcher = LabelMatcher.Create(name, type, value);
        var expected = all.Where(s => s.Tenant == "acme" && matcher.Matches(s.Labels)).Select(s => s.Labels.ToString()).Order(StringComparer.Ordinal).ToList();

        // Act
        var selected = store.Select("acme", [matcher], long.MinValue, long.MaxValue);

        // Assert
        Assert.Equal(expected, selected.Select(s => s.Labels.ToString()).Order(StringComparer.Ordinal).ToList());
        Assert.All(selected, s => Assert.Equal("acme", s.TenantId));
    }

    [Fact]
    public void Select_SeveralMatchers_AllMustHold()
    {
        // Arrange
        var (store, _) = Corpus(NewStore());

        // Act
        var selected = store.Select(
            "globex",
            [LabelMatcher.Equal("__name__", "http_requests_total"), LabelMatcher.Regex("status", "5.."), LabelMatcher.NotEqual("service", "ml-engine"), LabelMatcher.Equal("env", "")],
            long.MinValue,
            long.MaxValue);

        // Assert: 5xx of api-gateway (s=0) and rag-service (s=1) without env: (s + c) % 3 == 0 → (0,3) and (1,2).
        Assert.Equal(
            ["http_requests_total{service=\"api-gateway\", status=\"503\"}", "http_requests_total{service=\"rag-service\", status=\"500\"}"],
            selected.Select(s => s.Labels.ToString()));
    }

    [Fact]
    public void Select_TimeRange_IsInclusiveAtBothEndsAndSkipsSeriesWithoutSamplesInRange()
    {
        // Arrange
        var store = NewStore();
        var early = LabelSet.From(("__name__", "m"), ("k", "early"));
        var late = LabelSet.From(("__name__", "m"), ("k", "late"));
        for (var i = 0; i < 10; i++)
        {
            store.Append("acme", early, BaseMs + (i * 1000L), i);
            store.Append("acme", late, BaseMs + 100_000 + (i * 1000L), i);
        }

        // Act
        var selected = store.Select("acme", [LabelMatcher.Equal("__name__", "m")], BaseMs + 3000, BaseMs + 6000);

        // Assert
        var only = Assert.Single(selected);
        Assert.Equal("early", only.Labels.Get("k"));
        Assert.Equal([3.0, 4, 5, 6], only.ToList().Select(s => s.Value));
    }

    [Fact]
    public void Select_TenantRestricted_NeverReturnsAnotherTenantsSeries()
    {
        // Arrange: both tenants send the very same label set with different values.
        var store = NewStore();
        var labels = Http("api-gateway", "200");
        store.Append("acme", labels, BaseMs, 1);
        store.Append("globex", labels, BaseMs, 2);
        store.Append("globex", Http("secret-service", "200"), BaseMs, 3);

        // Act
        var acme = store.Select("acme", [], long.MinValue, long.MaxValue);
        var admin = store.Select(null, [LabelMatcher.Equal("service", "api-gateway")], long.MinValue, long.MaxValue);
        var acmeNames = store.LabelValues("acme", "service");
        var unknownTenant = store.Select("initech", [], long.MinValue, long.MaxValue);

        // Assert
        var series = Assert.Single(acme);
        Assert.Equal(1.0, Assert.Single(series.ToList()).Value);
        Assert.Equal(["acme", "globex"], admin.Select(s => s.TenantId));
        Assert.Equal(["api-gateway"], acmeNames);
        Assert.Empty(unknownTenant);
    }

    [Fact]
    public void Append_OutOfOrderAndDuplicates_RejectedLikePrometheus()
    {
        // Arrange
        var store = NewStore();
        var labels = Http("api-gateway", "200");
        store.Append("acme", labels, BaseMs + 2000, 5);

        // Act
        var older = store.Append("acme", labels, BaseMs + 1000, 4);
        var sameValue = store.Append("acme", labels, BaseMs + 2000, 5);
        var otherValue = store.Append("acme", labels, BaseMs + 2000, 6);
        var newer = store.Append("acme", labels, BaseMs + 3000, 7);

        // Assert
        Assert.Equal(new SeriesAppendResult(0, 1, 0, 0), older);
        Assert.Equal(default, sameValue);
        Assert.Equal(new SeriesAppendResult(0, 0, 1, 0), otherValue);
        Assert.Equal(1, newer.Appended);
        Assert.Equal([new Sample(BaseMs + 2000, 5), new Sample(BaseMs + 3000, 7)], Assert.Single(store.Select("acme", [], long.MinValue, long.MaxValue)).ToList());
        Assert.Equal(new SeriesAppendResult(0, 1, 1, 0), store.Rejections());
        Assert.Equal(2, store.Stats().Rejected);
    }

    [Fact]
    public void Append_Batch_CountsEveryOutcome()
    {
        // Arrange
        var store = NewStore(retention: TimeSpan.FromHours(2));
        var labels = Http("api-gateway", "200");
        SeriesSample[] batch =
        [
            new("acme", labels, BaseMs, 1),
            new("acme", labels, BaseMs + 1000, 2),
            new("acme", labels, BaseMs + 500, 3),
            new("acme", labels, BaseMs + 1000, 9),
            new("acme", labels, BaseMs - (long)TimeSpan.FromHours(2).TotalMilliseconds, 0),
        ];

        // Act
        var result = store.Append(batch);

        // Assert
        Assert.Equal(new SeriesAppendResult(2, 1, 1, 1), result);
        Assert.Equal(3, result.Rejected);
        Assert.Equal(2, store.Stats().Items);
    }

    [Fact]
    public void LabelNamesAndValues_ListWhatIsHeldPerTenantAndMatchers()
    {
        // Arrange
        var (store, _) = Corpus(NewStore());
        store.Append("globex", LabelSet.From(("__name__", "up"), ("job", "scraper")), BaseMs, 1);

        // Act
        var allNames = store.LabelNames(null);
        var acmeNames = store.LabelNames("acme");
        var jobValues = store.LabelValues("globex", "job");
        var acmeJobValues = store.LabelValues("acme", "job");
        var statusesOf5xx = store.LabelValues(null, "status", [LabelMatcher.Regex("status", "5..")]);
        var metricNames = store.LabelValues(null, "__name__");
        var outOfRange = store.LabelNames(null, null, BaseMs + 1_000_000, BaseMs + 2_000_000);

        // Assert
        Assert.Equal(["__name__", "env", "job", "service", "status"], allNames);
        Assert.Equal(["__name__", "env", "service", "status"], acmeNames);
        Assert.Equal(["scraper"], jobValues);
        Assert.Empty(acmeJobValues);
        Assert.Equal(["500", "503"], statusesOf5xx);
        Assert.Equal(["http_requests_total", "up"], metricNames);
        Assert.Empty(outOfRange);
    }

    [Fact]
    public void Metadata_OnlyForMetricsTheTenantHas()
    {
        // Arrange
        var store = NewStore();
        store.Append("acme", LabelSet.From(("__name__", "http_requests_total")), BaseMs, 1);
        store.Append("globex", LabelSet.From(("__name__", "revenue_dollars_total")), BaseMs, 1);
        store.SetMetadata([
            new MetricMetadata("http_requests_total", MetricType.Counter, "Requests.", null),
            new MetricMetadata("revenue_dollars_total", MetricType.Counter, "Revenue.", "dollars"),
        ]);

        // Act
        var acme = store.Metadata("acme");
        var all = store.Metadata(null);
        var one = store.Metadata(null, "revenue_dollars_total");

        // Assert
        Assert.Equal(["http_requests_total"], acme.Select(m => m.Name));
        Assert.Equal(2, all.Count);
        Assert.Equal("dollars", Assert.Single(one).Unit);
    }

    [Fact]
    public void Retention_ClockSteppedPastChunks_OldChunksAndEmptySeriesEvicted()
    {
        // Arrange: 300 samples a second apart (2 sealed chunks of 120 + 60 in the head), and a short series.
        _time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(BaseMs));
        var store = NewStore(retention: TimeSpan.FromMinutes(10));
        var steady = Http("api-gateway", "200");
        var brief = Http("ml-engine", "500");
        for (var i = 0; i < 300; i++)
        {
            store.Append("acme", steady, BaseMs + (i * 1000L), i);
        }

        store.Append("acme", brief, BaseMs, 1);
        var before = store.Stats();

        // Act: now = base + 10 min + 130 s, so the cutoff is base + 130 s: chunk 1 (0..119 s) and the brief series expire.
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(BaseMs + 730_000));
        var after = store.Stats();
        var samples = Assert.Single(store.Select("acme", [], long.MinValue, long.MaxValue)).ToList();

        // Assert
        Assert.Equal(301, before.Items);
        Assert.Equal(180, after.Items);
        Assert.Equal(121, after.Evicted);
        Assert.Equal(120_000, samples[0].TimestampMs - BaseMs);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(BaseMs + 120_000), after.Oldest);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(BaseMs + 299_000), after.Newest);
        Assert.Equal(1, store.SeriesCount);
        Assert.True(after.EstimatedBytes < before.EstimatedBytes);

        // Everything expires once the clock passes the newest sample by the retention.
        _time.Advance(TimeSpan.FromHours(1));
        store.EvictExpired();
        Assert.Equal(0, store.Stats().Items);
        Assert.Equal(0, store.SeriesCount);
        Assert.Null(store.Stats().Oldest);
    }

    [Fact]
    public void MemoryBudget_Exceeded_OldestChunksEvictedFirstAndStaysUnderBudget()
    {
        // Arrange
        const long budget = 64 * 1024;
        var store = NewStore(budget: budget);
        var labels = Enumerable.Range(0, 10).Select(i => LabelSet.From(("__name__", "g"), ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToArray();

        // Act: random values compress badly, so the budget is hit quickly.
        var random = new Random(3);
        for (var t = 0; t < 3000; t++)
        {
            foreach (var l in labels)
            {
                store.Append("acme", l, BaseMs + (t * 1000L), random.NextDouble());
            }
        }

        var stats = store.Stats();
        var selected = store.Select("acme", [], long.MinValue, long.MaxValue);

        // Assert
        Assert.True(stats.EstimatedBytes <= budget, $"{stats.EstimatedBytes} bytes held over a budget of {budget}");
        Assert.True(stats.Evicted > 0);
        Assert.Equal(30_000, stats.Items + stats.Evicted);
        Assert.Equal(10, selected.Count);
        Assert.All(selected, s => Assert.Equal(BaseMs + 2_999_000, s.ToList()[^1].TimestampMs));
        Assert.True(stats.Oldest > DateTimeOffset.FromUnixTimeMilliseconds(BaseMs), "the oldest samples went first");
    }

    [Fact]
    public void Stats_HoldsSamplesCompactly_UnderFourBytesPerSampleForRegularData()
    {
        // Arrange: counters scraped every 15 s, the shape most series have.
        var store = NewStore(retention: TimeSpan.FromDays(400));
        var random = new Random(5);
        var labels = Enumerable.Range(0, 50).Select(i => LabelSet.From(("__name__", "http_requests_total"), ("instance", "pod-" + i))).ToArray();
        var values = new double[labels.Length];

        // Act
        for (var t = 0; t < 2000; t++)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                values[i] += random.Next(0, 20);
                store.Append("acme", labels[i], BaseMs - 40_000_000 + (t * 15_000L), values[i]);
            }
        }

        var stats = store.Stats();

        // Assert
        Assert.Equal(100_000, stats.Items);
        Assert.True(stats.EstimatedBytes / (double)stats.Items < 4, $"{stats.EstimatedBytes / (double)stats.Items:0.00} bytes per sample");
    }
}
