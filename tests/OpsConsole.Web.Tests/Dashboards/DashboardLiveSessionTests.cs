using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Dashboards;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>The live session over real stores: ingestion's new-data events drive it, and it sends only the newest steps.</summary>
public sealed class DashboardLiveSessionTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly LabelSet Requests = LabelSet.From(("__name__", "http_requests_total"), ("service", "api-gateway"));

    /// <summary>A panel on screen, recording what it is sent.</summary>
    private sealed class RecordingPanel(DashboardPanel panel) : ILivePanel
    {
        private readonly Lock _gate = new();
        private readonly List<LiveAppend> _appends = [];
        private readonly List<PanelResult> _updates = [];

        public DashboardPanel Panel { get; } = panel;

        public IReadOnlyList<LiveAppend> Appends
        {
            get
            {
                lock (_gate)
                {
                    return [.. _appends];
                }
            }
        }

        public IReadOnlyList<PanelResult> Updates
        {
            get
            {
                lock (_gate)
                {
                    return [.. _updates];
                }
            }
        }

        public Task AppendAsync(LiveAppend update)
        {
            lock (_gate)
            {
                _appends.Add(update);
            }

            return Task.CompletedTask;
        }

        public Task UpdateAsync(PanelResult result, QueryWindow window)
        {
            lock (_gate)
            {
                _updates.Add(result);
            }

            return Task.CompletedTask;
        }
    }

    private static DashboardPanel Panel(string id, string type, string expr) => new()
    {
        Id = id, Title = id, Type = type, GridPos = new GridPos(0, 0, 12, 8), Targets = [new PanelTarget { Expr = expr, LegendFormat = "{{service}}" }],
    };

    private static TelemetryBatch Samples(long fromMs, int count, double startValue) => new()
    {
        Samples = [.. Enumerable.Range(0, count).Select(i => new SeriesSample("default", Requests, fromMs + (i * 15_000L), startValue + (i * 30)))],
    };

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task NewSamples_AreAppendedAsOnlyTheNewestSteps_AndInstantPanelsGetTheirNewValue()
    {
        var clock = new FakeTimeProvider(Start);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var startMs = Start.ToUnixTimeMilliseconds();
        stores.Store(Samples(startMs - 600_000, 41, 0)); // ten minutes up to now, 2 req/s
        var window = QueryWindow.Ending(startMs, TimeSpan.FromMinutes(5));
        var chart = new RecordingPanel(Panel("rate", "timeseries", "sum by (service) (rate(http_requests_total[1m]))"));
        var stat = new RecordingPanel(Panel("total", "stat", "sum(http_requests_total)"));
        using var session = new DashboardLiveSession(stores, new SharedPanelEvaluations(stores.Series, stores, clock), clock, NullLogger<DashboardLiveSession>.Instance);
        session.Start(new LiveView([chart, stat], VariableValues.None, new PromQlOptions(), window));

        clock.Advance(TimeSpan.FromSeconds(20));
        stores.Store(Samples(startMs + 15_000, 1, 1230)); // one new scrape

        await Until(() => chart.Appends.Count == 1 && stat.Updates.Count == 1, "the first live update");
        var append = chart.Appends[0];
        Assert.Equal(window.ToMs, append.ReplaceFromMs);
        var series = Assert.Single(append.Series);
        Assert.Equal("api-gateway", series.Name);
        // The last drawn step again, the step since, and a point at now: not the five minutes before.
        Assert.Equal([window.ToMs, window.ToMs + 15_000, startMs + 20_000], series.Points.Select(p => p.TimestampMs));
        Assert.Equal(startMs + 20_000, append.XMaxMs);
        Assert.Equal(startMs + 20_000 - 300_000, append.XMinMs);
        Assert.Equal(1230, stat.Updates[0].Value);
        Assert.Equal(1, session.Updates);
    }

    [Fact]
    public async Task OnlySpansArriving_DoesNotReevaluateAnything()
    {
        var clock = new FakeTimeProvider(Start);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var startMs = Start.ToUnixTimeMilliseconds();
        stores.Store(Samples(startMs - 60_000, 5, 0));
        var chart = new RecordingPanel(Panel("rate", "timeseries", "sum(rate(http_requests_total[1m]))"));
        using var session = new DashboardLiveSession(stores, new SharedPanelEvaluations(stores.Series, stores, clock), clock, NullLogger<DashboardLiveSession>.Instance);
        session.Start(new LiveView([chart], VariableValues.None, new PromQlOptions(), QueryWindow.Ending(startMs, TimeSpan.FromMinutes(5))));

        stores.Events.Record(spans: 10, logs: 3, samples: 0);
        clock.Advance(TimeSpan.FromSeconds(2));
        stores.Store(Samples(startMs + 15_000, 1, 200));

        await Until(() => chart.Appends.Count >= 1, "the update for the samples");
        Assert.Equal(1, session.Updates);
    }

    [Fact]
    public async Task Stop_EndsTheUpdates()
    {
        var clock = new FakeTimeProvider(Start);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var startMs = Start.ToUnixTimeMilliseconds();
        var chart = new RecordingPanel(Panel("rate", "timeseries", "sum(rate(http_requests_total[1m]))"));
        var session = new DashboardLiveSession(stores, new SharedPanelEvaluations(stores.Series, stores, clock), clock, NullLogger<DashboardLiveSession>.Instance);
        session.Start(new LiveView([chart], VariableValues.None, new PromQlOptions(), QueryWindow.Ending(startMs, TimeSpan.FromMinutes(5))));
        Assert.True(session.IsRunning);

        session.Dispose();
        stores.Store(Samples(startMs, 3, 0));
        await session.TickAsync();

        Assert.False(session.IsRunning);
        Assert.Empty(chart.Appends);
    }

    [Fact]
    public async Task ManyCircuitsOnTheSameView_AreServedByOneEvaluationPerPanel_AndAllGetTheSamePoints()
    {
        var clock = new FakeTimeProvider(Start);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var startMs = Start.ToUnixTimeMilliseconds();
        stores.Store(Samples(startMs - 600_000, 41, 0));
        var shared = new SharedPanelEvaluations(stores.Series, stores, clock);
        var window = QueryWindow.Ending(startMs, TimeSpan.FromMinutes(5));
        var chartPanel = Panel("rate", "timeseries", "sum by (service) (rate(http_requests_total{service=~\"$service\"}[1m]))");
        var statPanel = Panel("total", "stat", "sum(http_requests_total{service=~\"$service\"})");
        var circuits = Enumerable.Range(0, 20).Select(_ =>
        {
            var chart = new RecordingPanel(chartPanel);
            var stat = new RecordingPanel(statPanel);
            // Each circuit resolves its own variable values: equal content, different instances.
            var values = new VariableValues(new Dictionary<string, string> { ["service"] = "api-gateway" }, new HashSet<string>());
            var session = new DashboardLiveSession(stores, shared, clock, NullLogger<DashboardLiveSession>.Instance);
            session.Start(new LiveView([chart, stat], values, new PromQlOptions(), window));
            return (Session: session, Chart: chart, Stat: stat);
        }).ToList();

        clock.Advance(TimeSpan.FromSeconds(20));
        stores.Store(Samples(startMs + 15_000, 1, 1230));
        await Until(() => circuits.All(c => c.Chart.Appends.Count == 1 && c.Stat.Updates.Count == 1), "every circuit's live update");

        // The chart's newest steps, its point at now and the stat's value: three evaluations for twenty circuits.
        Assert.Equal(3, shared.Evaluations);
        foreach (var (session, chart, stat) in circuits)
        {
            var series = Assert.Single(chart.Appends[0].Series);
            Assert.Equal([window.ToMs, window.ToMs + 15_000, startMs + 20_000], series.Points.Select(p => p.TimestampMs));
            Assert.Equal(circuits[0].Chart.Appends[0].Series[0].Points, series.Points);
            Assert.Equal(1230, stat.Updates[0].Value);
            session.Dispose();
        }
    }

    [Fact]
    public async Task SharedEvaluations_AreReusedOnlyForTheSameDataAndTenant()
    {
        var clock = new FakeTimeProvider(Start);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var startMs = Start.ToUnixTimeMilliseconds();
        stores.Store(Samples(startMs - 60_000, 4, 0));
        var shared = new SharedPanelEvaluations(stores.Series, stores, clock);
        var stat = Panel("total", "stat", "sum(http_requests_total)");
        var window = QueryWindow.Ending(startMs, TimeSpan.FromMinutes(5));

        var first = await shared.EvaluateAsync(stat, VariableValues.None, new PromQlOptions(), window, rangeOnly: false);
        var again = await shared.EvaluateAsync(stat, VariableValues.None, new PromQlOptions(), window, rangeOnly: false);
        Assert.Equal(90, first.Value);
        Assert.Same(first, again);
        Assert.Equal(1, shared.Evaluations);

        // A tenant admin's scope is another evaluation (the samples carry no tenant: nothing for acme).
        var scoped = await shared.EvaluateAsync(stat, VariableValues.None, new PromQlOptions { TenantScope = "acme" }, window, rangeOnly: false);
        Assert.Null(scoped.Value);
        Assert.Equal(2, shared.Evaluations);

        // A late sample inside the same window: the next asker sees it, not the earlier result.
        stores.Store(Samples(startMs - 1_000, 1, 500));
        var afterIngest = await shared.EvaluateAsync(stat, VariableValues.None, new PromQlOptions(), window, rangeOnly: false);
        Assert.Equal(500, afterIngest.Value);
        Assert.Equal(3, shared.Evaluations);
    }

    [Fact]
    public async Task OneCircuitGoingAway_DoesNotCancelTheSharedEvaluationForTheOthers()
    {
        var clock = new FakeTimeProvider(Start);
        var stores = new TelemetryStores(new HotStoreOptions(), clock);
        var startMs = Start.ToUnixTimeMilliseconds();
        stores.Store(Samples(startMs - 60_000, 4, 0));
        var shared = new SharedPanelEvaluations(stores.Series, stores, clock);
        var stat = Panel("total", "stat", "sum(http_requests_total)");
        var window = QueryWindow.Ending(startMs, TimeSpan.FromMinutes(5));

        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shared.EvaluateAsync(stat, VariableValues.None, new PromQlOptions(), window, rangeOnly: false, gone.Token));
        var result = await shared.EvaluateAsync(stat, VariableValues.None, new PromQlOptions(), window, rangeOnly: false);

        Assert.Equal(90, result.Value);
        Assert.Equal(1, shared.Evaluations);
    }
}
