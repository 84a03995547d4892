using Bunit;
using OpsConsole.Core.Alerting;
using OpsConsole.Core.Dashboards;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Dashboards;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.Tests.Components;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>Alert firing periods drawn on time-series panels: inside the range only, coloured by severity, scoped to the viewer's tenant.</summary>
public sealed class AlertAnnotationTests
{
    private const long End = 1_800_000_000_000;
    private const long Hour = 3_600_000;
    private static readonly QueryWindow Window = new(End - Hour, End, 15_000);

    private static Alert Fired(string name, string severity, long firedAt, long? resolvedAt, string tenant = "default", AlertState? state = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Labels = LabelSet.From(("alertname", name), ("severity", severity)),
        State = state ?? (resolvedAt is null ? AlertState.Firing : AlertState.Resolved),
        Origin = AlertOrigin.Rule,
        ActiveAt = DateTimeOffset.FromUnixTimeMilliseconds(firedAt - 60_000),
        FiredAt = state == AlertState.Pending ? null : DateTimeOffset.FromUnixTimeMilliseconds(firedAt),
        ResolvedAt = resolvedAt is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(resolvedAt.Value),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(resolvedAt ?? firedAt),
        TenantId = tenant,
    };

    [Fact]
    public void AnAlertFiringInsideTheRange_IsAnAnnotation_OneOutsideIsNot()
    {
        Alert[] alerts =
        [
            Fired("HighErrorRate", "critical", End - (40 * 60_000), End - (30 * 60_000)),
            Fired("YesterdaysAlert", "critical", End - (26 * Hour), End - (25 * Hour)),
        ];

        var annotations = AlertAnnotations.For(alerts, Window, tenantId: null, dark: false);

        var a = Assert.Single(annotations);
        Assert.Equal("HighErrorRate", a.Label);
        Assert.Equal(End - (40 * 60_000), a.X);
        Assert.Equal(End - (30 * 60_000), a.X2);
        Assert.Equal(PanelStyle.Hex("red", false), a.Color);
    }

    [Fact]
    public void Periods_AreClippedToTheRange_WarningsAreAmber_StillFiringRunsToTheEnd_PendingIsNotShown()
    {
        Alert[] alerts =
        [
            Fired("StartedBefore", "warning", End - (2 * Hour), End - (50 * 60_000)),
            Fired("StillFiring", "critical", End - (5 * 60_000), null),
            Fired("NotYetFiring", "critical", End - (5 * 60_000), null, state: AlertState.Pending),
        ];

        var annotations = AlertAnnotations.For(alerts, Window, tenantId: null, dark: true);

        Assert.Equal(["StartedBefore", "StillFiring"], annotations.Select(a => a.Label));
        Assert.Equal((End - Hour, End - (50 * 60_000), AlertAnnotations.Amber), (annotations[0].X, annotations[0].X2, annotations[0].Color));
        Assert.Equal((End - (5 * 60_000), End, PanelStyle.Hex("red", true)), (annotations[1].X, annotations[1].X2, annotations[1].Color));
    }

    [Fact]
    public void ATenantsViewer_SeesOnlyTheirTenantsAlerts()
    {
        Alert[] alerts =
        [
            Fired("AcmeSlow", "warning", End - (20 * 60_000), null, tenant: "acme"),
            Fired("GlobexDown", "critical", End - (20 * 60_000), null, tenant: "globex"),
        ];

        Assert.Equal(["AcmeSlow"], AlertAnnotations.For(alerts, Window, "acme", false).Select(a => a.Label));
        Assert.Equal(["AcmeSlow", "GlobexDown"], AlertAnnotations.For(alerts, Window, null, false).Select(a => a.Label).Order());
    }

    [Theory]
    [InlineData("acme", "AcmeSlow")]
    [InlineData(null, "AcmeSlow,GlobexDown")]
    public async Task TimeSeriesPanel_DrawsTheViewersAlertPeriods(string? tenant, string expected)
    {
        await using var ctx = ComponentTestContext.Create(tenant is null ? Role.Operator : Role.TenantAdmin, tenant);
        var chart = ctx.JSInterop.SetupModule(OcChart.ModulePath);
        chart.Mode = JSRuntimeMode.Loose;
        Alert[] alerts =
        [
            Fired("AcmeSlow", "warning", End - (20 * 60_000), null, tenant: "acme"),
            Fired("GlobexDown", "critical", End - (20 * 60_000), null, tenant: "globex"),
        ];
        var panel = new DashboardPanel
        {
            Id = "p1", Title = "Requests", Type = "timeseries", GridPos = new GridPos(0, 0, 12, 6), Targets = [new PanelTarget { Expr = "up" }],
        };
        var result = new PanelResult { Series = [new PanelSeries("up", LabelSet.Empty, [new Sample(End - 60_000, 1), new Sample(End, 1)])] };

        var cut = ctx.Render<PanelView>(p => p.Add(x => x.Panel, panel).Add(x => x.Result, result).Add(x => x.Window, Window)
            .Add(x => x.Alerts, alerts).Add(x => x.TenantId, tenant));

        cut.WaitForState(() => chart.Invocations.Any(i => i.Identifier == "create"));
        var spec = (ChartSpec)chart.Invocations.First(i => i.Identifier == "create").Arguments[2]!;
        Assert.Equal(expected, string.Join(',', spec.Annotations.Select(a => a.Label).Order()));
    }
}
