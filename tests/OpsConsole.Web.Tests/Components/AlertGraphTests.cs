using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Alerting;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Tests.Dashboards;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The alert detail's graph: the rule's expression around the alert's time, over the alert's tenant only.</summary>
public sealed class AlertGraphTests
{
    private static readonly DateTimeOffset ActiveAt = DateTimeOffset.UtcNow.AddMinutes(-30);

    private static async Task<(BunitContext Ctx, BunitJSModuleInterop Chart)> CreateAsync(Role role = Role.Operator, string? tenant = null)
    {
        var ctx = ComponentTestContext.Create(role, tenant);
        var stores = new TelemetryStores(new HotStoreOptions(), TimeProvider.System);
        await DashboardServices.AddAsync(ctx.Services, stores);
        ctx.Services.AddSingleton(TimeProvider.System);
        var chart = ctx.JSInterop.SetupModule(OcChart.ModulePath);
        chart.Mode = JSRuntimeMode.Loose;

        // Latency of checkout for two tenants every 15 s from 90 minutes ago: acme's crosses 0.5 at ActiveAt, globex's stays at 9.
        var samples = new List<SeriesSample>();
        var start = ActiveAt.AddMinutes(-60).ToUnixTimeMilliseconds();
        for (var t = start; t <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(); t += 15_000)
        {
            var acme = t < ActiveAt.ToUnixTimeMilliseconds() ? 0.2 : 0.8;
            samples.Add(new SeriesSample("acme", LabelSet.From(("__name__", "latency_seconds"), ("service", "checkout")), t, acme));
            samples.Add(new SeriesSample("acme", LabelSet.From(("__name__", "latency_seconds"), ("service", "search")), t, 0.1));
            samples.Add(new SeriesSample("globex", LabelSet.From(("__name__", "latency_seconds"), ("service", "checkout")), t, 9));
        }

        stores.Series.Append(samples);
        return (ctx, chart);
    }

    private static Alert RuleAlert(string expression, string tenant = "acme", AlertState state = AlertState.Firing) => new()
    {
        Id = Alert.NewId(),
        Labels = LabelSet.From(("alertname", "CheckoutSlow"), ("severity", "critical"), ("service", "checkout")),
        State = state,
        Origin = AlertOrigin.Rule,
        ActiveAt = ActiveAt,
        FiredAt = state == AlertState.Pending ? null : ActiveAt.AddMinutes(5),
        UpdatedAt = ActiveAt,
        Expression = expression,
        RuleGroup = "latency",
        RuleKey = "CheckoutSlow#0",
        TenantId = tenant,
    };

    private static ChartSpec Created(BunitJSModuleInterop chart) => Assert.IsType<ChartSpec>(chart.VerifyInvoke("create").Arguments[2]);

    [Fact]
    public async Task Graph_OfAThresholdRule_DrawsTheLeftSideOfTheTenantWithTheThresholdAndThePendingAndFiringMarks()
    {
        var (ctx, chart) = await CreateAsync();
        await using var _ = ctx;

        var cut = ctx.Render<AlertGraph>(p => p.Add(x => x.Alert, RuleAlert("latency_seconds > 0.5")));

        cut.WaitForAssertion(() => Assert.Equal("data", cut.Find("[data-testid=alert-graph]").GetAttribute("data-state")));
        var spec = Created(chart);
        var threshold = Assert.Single(spec.Thresholds);
        Assert.Equal(0.5, threshold.Value);
        // Both of acme's series (the left side is not filtered by the threshold), the alert's own first; globex's never.
        Assert.Equal(2, spec.Series.Count);
        Assert.StartsWith("this alert", spec.Series[0].Name, StringComparison.Ordinal);
        Assert.Contains("checkout", spec.Series[0].Name, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.Series.SelectMany(s => s.Points!), p => p.Y == 9);
        Assert.Contains(spec.Series[0].Points!, p => p.Y == 0.2);
        Assert.Contains(spec.Series[0].Points!, p => p.Y == 0.8);
        Assert.Equal(["threshold crossed", "firing (for elapsed)"], spec.Annotations.Select(a => a.Label));
        Assert.Equal(ActiveAt.ToUnixTimeMilliseconds(), spec.Annotations[0].X);
        Assert.Equal(ActiveAt.AddMinutes(5).ToUnixTimeMilliseconds(), spec.Annotations[1].X);
        Assert.Equal((ActiveAt - AlertGraph.Around).ToUnixTimeMilliseconds(), spec.XMin);
        Assert.Contains("tenant acme", cut.Find("[data-testid=alert-graph-query]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_ForAViewerOfAnotherTenant_ShowsNoData()
    {
        var (ctx, chart) = await CreateAsync(Role.Operator, tenant: "globex");
        await using var _ = ctx;

        var cut = ctx.Render<AlertGraph>(p => p.Add(x => x.Alert, RuleAlert("latency_seconds > 0.5")));

        cut.WaitForAssertion(() => Assert.Equal("empty", cut.Find("[data-testid=alert-graph]").GetAttribute("data-state")));
        Assert.Empty(chart.Invocations);
    }

    [Fact]
    public async Task Graph_OfAnExpressionThatCannotBeParsed_SaysWhy()
    {
        var (ctx, chart) = await CreateAsync();
        await using var _ = ctx;

        var cut = ctx.Render<AlertGraph>(p => p.Add(x => x.Alert, RuleAlert("latency_seconds >")));

        cut.WaitForAssertion(() => Assert.Contains("cannot be graphed", cut.Find("[data-testid=alert-graph-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(chart.Invocations);
    }

    [Fact]
    public async Task Graph_OfAnExternalAlertWithoutExpression_IsNotDrawn()
    {
        var (ctx, chart) = await CreateAsync();
        await using var _ = ctx;

        var cut = ctx.Render<AlertGraph>(p => p.Add(x => x.Alert, RuleAlert("x") with { Expression = null, Origin = AlertOrigin.External }));

        Assert.Equal("none", cut.Find("[data-testid=alert-graph]").GetAttribute("data-state"));
        Assert.Empty(chart.Invocations);
    }
}
