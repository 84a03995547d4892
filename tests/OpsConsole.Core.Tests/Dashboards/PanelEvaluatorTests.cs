using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Dashboards;

/// <summary>Panels evaluated over a real <see cref="SeriesStore"/> with the real PromQL engine.</summary>
public sealed class PanelEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly long NowMs = Now.ToUnixTimeMilliseconds();

    /// <summary>10 minutes of a counter per service and tenant, every 15 s: api-gateway 4/3 req/s for acme and 2/3 for globex, rag-service 1 req/s for acme.</summary>
    internal static SeriesStore Store()
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(Now));
        for (var i = 0; i <= 40; i++)
        {
            var t = NowMs - ((40 - i) * 15_000L);
            store.Append("default", Labels("http_requests_total", ("service", "api-gateway"), ("tenant_id", "acme")), t, i * 20.0);
            store.Append("default", Labels("http_requests_total", ("service", "api-gateway"), ("tenant_id", "globex")), t, i * 10.0);
            store.Append("default", Labels("http_requests_total", ("service", "rag-service"), ("tenant_id", "acme")), t, i * 15.0);
            store.Append("default", Labels("users_active_daily"), t, 2000 + i);
        }

        return store;
    }

    internal static LabelSet Labels(string name, params (string Key, string Value)[] labels) =>
        LabelSet.From([(LabelSet.MetricName, name), .. labels]);

    private static DashboardPanel Panel(string type, params (string Expr, string? Legend)[] targets) => new()
    {
        Id = "p",
        Title = "Panel",
        Type = type,
        GridPos = new GridPos(0, 0, 12, 8),
        Targets = [.. targets.Select(t => new PanelTarget { Expr = t.Expr, LegendFormat = t.Legend })],
    };

    private static readonly QueryWindow Window = QueryWindow.Ending(NowMs, TimeSpan.FromMinutes(5));

    [Fact]
    public void TimeSeries_NamesSeriesFromTheLegendAndHasAPointPerStep()
    {
        var panel = Panel("timeseries", ("sum by (service) (rate(http_requests_total[$__rate_interval]))", "{{service}}"));

        var result = new PanelEvaluator(Store()).Evaluate(panel, VariableValues.None, Window, tenantId: null);

        Assert.Null(result.Error);
        Assert.Equal(["api-gateway", "rag-service"], result.Series.Select(s => s.Name));
        var gateway = result.Series[0];
        Assert.Equal(Window.ToMs, gateway.Points[^1].TimestampMs);
        Assert.Equal(2.0, gateway.Points[^1].Value, 3);
        Assert.Equal(1.0, result.Series[1].Points[^1].Value, 3);
    }

    [Fact]
    public void Stat_TakesTheValueAtTheEndOfTheRange_AndVariablesNarrowIt()
    {
        var panel = Panel("stat", ("sum(rate(http_requests_total{tenant_id=~\"$tenant\"}[1m]))", null));
        var evaluator = new PanelEvaluator(Store());

        var all = evaluator.Evaluate(panel, new VariableValues(new Dictionary<string, string> { ["tenant"] = ".*" }, new HashSet<string> { "tenant" }), Window, null);
        var globex = evaluator.Evaluate(panel, new VariableValues(new Dictionary<string, string> { ["tenant"] = "globex" }, new HashSet<string>()), Window, null);

        Assert.Equal(3.0, all.Value!.Value, 3);
        Assert.Equal(1, all.ValueSeries);
        Assert.Equal(2.0 / 3, globex.Value!.Value, 3);
    }

    [Fact]
    public void Stat_ReduceMax_LooksOverTheWholeRange()
    {
        var panel = Panel("stat", ("sum(users_active_daily)", null)) with { Options = new PanelOptions { Reduce = "min" } };

        var result = new PanelEvaluator(Store()).Evaluate(panel, VariableValues.None, Window, null);

        Assert.Equal(2020, result.Value); // 5 minutes back: the 20th of 40 samples
    }

    [Fact]
    public void Bar_RowsAreSortedLargestFirstAndLimited()
    {
        var panel = Panel("bar", ("sum by (tenant_id, service) (increase(http_requests_total[$__range]))", "{{service}} / {{tenant_id}}")) with
        {
            Options = new PanelOptions { Limit = 2 },
        };

        var result = new PanelEvaluator(Store()).Evaluate(panel, VariableValues.None, Window, null);

        Assert.Equal(["api-gateway / acme", "rag-service / acme"], result.Rows.Select(r => r.Name));
        Assert.True(result.Rows[0].Value > result.Rows[1].Value);
    }

    [Fact]
    public void Query_ThatFailsToParse_GivesTheErrorWithItsRefId()
    {
        var panel = Panel("timeseries", ("sum(rate(http_requests_total[5m]))", null), ("sum(rate(http_requests_total[5m])", null));

        var result = new PanelEvaluator(Store()).Evaluate(panel, VariableValues.None, Window, null);

        Assert.StartsWith("B: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("position", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_OverAnotherTenantsData_IsEmpty()
    {
        var panel = Panel("stat", ("sum(users_active_daily)", null));

        var result = new PanelEvaluator(Store()).Evaluate(panel, VariableValues.None, Window, tenantId: "acme");

        Assert.True(result.IsEmpty);
        Assert.Null(result.Value);
    }

    [Fact]
    public void EvaluateRange_ALiveSlice_GivesOnlyTheNewestSteps()
    {
        var panel = Panel("timeseries", ("sum(rate(http_requests_total[$__rate_interval]))", "all"));
        var slice = Window.Slice(Window.ToMs - Window.StepMs, Window.ToMs);

        var result = new PanelEvaluator(Store()).EvaluateRange(panel, VariableValues.None, slice, null);

        var series = Assert.Single(result.Series);
        Assert.Equal([Window.ToMs - Window.StepMs, Window.ToMs], series.Points.Select(p => p.TimestampMs));
    }

    [Fact]
    public void Catalog_LoadsValidFilesAndListsWhyOthersWereNot()
    {
        var dir = Directory.CreateTempSubdirectory("dashboards-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.json"), DashboardJsonTests.Minimal);
            File.WriteAllText(Path.Combine(dir, "b.json"), DashboardJsonTests.Minimal); // the same uid again
            File.WriteAllText(Path.Combine(dir, "c.json"), DashboardJsonTests.Minimal.Replace("\"timeseries\"", "\"graph\"", StringComparison.Ordinal).Replace("\"svc\"", "\"other\"", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a dashboard");
            var catalog = new InMemoryDashboardCatalog();

            var loaded = catalog.LoadDirectory(dir, NullLogger.Instance);

            Assert.Equal(1, loaded);
            Assert.Equal("a.json", Assert.Single(catalog.List()).Source);
            Assert.NotNull(catalog.Find("svc"));
            Assert.Null(catalog.Find("other"));
            Assert.Collection(
                catalog.Problems,
                p => Assert.Equal(("b.json", "uid 'svc' is already used by a.json; this one was not loaded"), (p.Source, Assert.Single(p.Errors))),
                p => Assert.Contains(p.Errors, e => e.Contains("panel 'Rate' (rows[0].panels[0]): type 'graph'", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Catalog_MissingDirectory_LoadsNothing()
    {
        var catalog = new InMemoryDashboardCatalog();

        Assert.Equal(0, catalog.LoadDirectory(Path.Combine(Path.GetTempPath(), "no-such-dashboards-" + Guid.NewGuid()), NullLogger.Instance));
        Assert.Empty(catalog.List());
    }
}
