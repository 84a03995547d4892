using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Core.Tests.Support;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

public sealed class TelemetryStoresTests
{
    private readonly TimerCountingTimeProvider _time = new();

    public TelemetryStoresTests() => _time.SetUtcNow(Base + TimeSpan.FromHours(1));

    private static TelemetryBatch Batch(int n, int offsetSeconds = 0) => new()
    {
        Spans = [.. Enumerable.Range(0, n).Select(i => Span("acme", new TraceId(1, (ulong)(offsetSeconds + i + 1)), 1, "api-gateway", "GET /", TimeSpan.FromSeconds(offsetSeconds + i), TimeSpan.FromMilliseconds(5)))],
        Logs = [.. Enumerable.Range(0, n * 2).Select(i => Log("acme", TimeSpan.FromSeconds(offsetSeconds + i), "hello " + i))],
        Samples = [.. Enumerable.Range(0, n * 3).Select(i => new SeriesSample("acme", LabelSet.From(("__name__", "up"), ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), (Base + TimeSpan.FromSeconds(offsetSeconds)).ToUnixTimeMilliseconds(), 1))],
        Metadata = [new MetricMetadata("up", MetricType.Gauge, "Target up.", null)],
    };

    [Fact]
    public void Store_Batch_EachSignalLandsInItsStore()
    {
        // Arrange
        var stores = new TelemetryStores(new HotStoreOptions(), _time);

        // Act
        var stored = stores.Store(Batch(4));

        // Assert
        Assert.Equal(4, stored.Spans);
        Assert.Equal(8, stored.Logs);
        Assert.Equal(12, stored.Samples.Appended);
        Assert.Equal(4, stores.Spans.Search(new TraceQuery { TenantId = "acme" }).TotalCount);
        Assert.Equal(8, stores.Logs.Query(new LogQuery { TenantId = "acme", Include = [LogPosting.Term("hello")] }).TotalCount);
        Assert.Equal(12, stores.Series.Select("acme", [LabelMatcher.Equal("__name__", "up")], long.MinValue, long.MaxValue).Count);
        Assert.Equal(MetricType.Gauge, Assert.Single(stores.Series.Metadata("acme")).Type);
    }

    [Fact]
    public async Task Store_Batches_SubscriberToldTotalsAndRate()
    {
        // Arrange
        var stores = new TelemetryStores(new HotStoreOptions(), _time);
        var recorder = new Recorder<TelemetryActivity>();
        using var subscription = stores.Events.Subscribe(recorder.OnValueAsync, TimeSpan.FromMilliseconds(250));

        // Act
        stores.Store(Batch(10));
        await recorder.WaitForCountAsync(1);
        _time.Advance(TimeSpan.FromSeconds(1));
        stores.Store(Batch(10, offsetSeconds: 100));
        // The subscription may have armed its throttle timer just after the clock moved; nudging the fake clock
        // while waiting fires such a timer too (the rates were fixed when the batch was recorded).
        await Eventually.TrueAsync(() =>
        {
            if (recorder.Values[^1].SpansTotal == 20)
            {
                return true;
            }

            _time.Advance(TimeSpan.FromMilliseconds(300));
            return false;
        }, "the second batch was announced");

        // Assert
        var first = recorder.Values[0];
        var latest = recorder.Values[^1];
        Assert.Equal((10, 20, 30), (first.SpansTotal, first.LogsTotal, first.SamplesTotal));
        Assert.Equal((20, 40, 60), (latest.SpansTotal, latest.LogsTotal, latest.SamplesTotal));
        var window = TelemetryEvents.RateWindow.TotalSeconds;
        Assert.Equal(20 / window, latest.SpansPerSecond, 9); // 20 spans over the rate window
        Assert.Equal(60 / window, latest.SamplesPerSecond, 9);
    }

    [Fact]
    public void Record_AfterTheRateWindow_RateCountsOnlyRecentBatches()
    {
        // Arrange
        var events = new TelemetryEvents(_time);
        events.Record(100, 0, 0);

        // Act
        _time.Advance(TelemetryEvents.RateWindow + TimeSpan.FromSeconds(1));
        events.Record(10, 0, 0);

        // Assert
        Assert.Equal(110, events.Latest!.SpansTotal);
        Assert.Equal(10 / TelemetryEvents.RateWindow.TotalSeconds, events.Latest.SpansPerSecond, 9); // the first 100 have left the window
    }

    [Fact]
    public void RatesFor_ATenant_CountsOnlyThatTenantsItems_WhileLatestCountsEveryones()
    {
        // Arrange
        var events = new TelemetryEvents(_time);
        var window = TelemetryEvents.RateWindow.TotalSeconds;

        // Act
        events.Record(6, 3, 30, [new TenantItemCounts("acme", 2, 1, 10), new TenantItemCounts("globex", 4, 2, 20)]);

        // Assert
        Assert.Equal((6 / window, 3 / window, 30 / window), (events.Latest!.SpansPerSecond, events.Latest.LogsPerSecond, events.Latest.SamplesPerSecond));
        Assert.Equal((2 / window, 1 / window, 10 / window), events.RatesFor("acme"));
        Assert.Equal((0d, 0d, 0d), events.RatesFor("initech"));
        _time.Advance(TelemetryEvents.RateWindow + TimeSpan.FromSeconds(1));
        Assert.Equal((0d, 0d, 0d), events.RatesFor("acme")); // left the window
    }
}
