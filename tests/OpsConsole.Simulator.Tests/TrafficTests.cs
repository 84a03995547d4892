using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Tests.Support;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Tests;

/// <summary>Traffic: the day's curve, tenants of different sizes, the free plan's quota, the usual error rate.</summary>
public sealed class TrafficTests
{
    [Fact]
    public void DiurnalCurve_OverADay_PeaksAtTwoInTheAfternoonAndBottomsOutAtTwoAtNight()
    {
        var day = new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);
        var minutes = Enumerable.Range(0, 24 * 60).Select(m => (At: day.AddMinutes(m), Factor: DiurnalCurve.Factor(day.AddMinutes(m)))).ToList();

        var peak = minutes.MaxBy(m => m.Factor);
        var trough = minutes.MinBy(m => m.Factor);

        Assert.Equal(new TimeSpan(14, 0, 0), peak.At.TimeOfDay);
        Assert.Equal(new TimeSpan(2, 0, 0), trough.At.TimeOfDay);
        Assert.Equal(1, peak.Factor, 3);
        Assert.Equal(0.15, trough.Factor, 3);
        Assert.True(DiurnalCurve.Factor(day.AddHours(8)) is > 0.3 and < 0.8, "mornings ramp up");
    }

    [Fact]
    public async Task ActiveUsers_OverADay_GrowWithTrafficAndStartAgainAtMidnight()
    {
        await using var run = await DemoRun.StartAsync(at: new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), configure: o => o with { Rate = 2 });
        var daily = new List<double>();

        for (var hour = 0; hour < 25; hour++)
        {
            run.Run(TimeSpan.FromMinutes(hour == 0 ? 1 : 60));
            daily.Add((await run.ScrapeAsync(ServiceNames.ApiGateway)).Sum("users_active_daily"));
        }

        Assert.True(daily.Take(24).Zip(daily.Skip(1).Take(23)).All(p => p.Second >= p.First), $"daily actives rise all day: {string.Join(", ", daily)}");
        Assert.True(daily[14] - daily[8] > daily[6] - daily[0], "most users arrive in the busy hours");
        Assert.True(daily[24] < daily[23] / 3, "a new day starts from few users");
    }

    [Fact]
    public async Task Traffic_PeakVersusTrough_GatewayServesAboutSixTimesMoreAtThePeak()
    {
        var peak = await GatewayRateAsync(DemoRun.Peak);
        var trough = await GatewayRateAsync(DemoRun.Peak - TimeSpan.FromHours(12));

        Assert.InRange(peak, 16, 24);
        Assert.InRange(peak / trough, 4.5, 9);
    }

    [Fact]
    public async Task Traffic_DiurnalOff_RunsAtTheConfiguredRateAtNight()
    {
        var night = await GatewayRateAsync(DemoRun.Peak - TimeSpan.FromHours(12), o => o with { Diurnal = false, Rate = 8 });

        Assert.InRange(night, 8 * 0.8, 8 * 1.2);
    }

    [Fact]
    public async Task Tenants_ShareOfTraffic_OneLargeTwoMediumTwoSmall()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(10));

        var page = await run.ScrapeAsync(ServiceNames.ApiGateway);
        var calls = Tenant.All.ToDictionary(t => t.Id, t => page.Sum("api_requests_total", s => s["tenant_id"] == t.Id));
        var total = calls.Values.Sum();

        Assert.InRange(calls["acme"] / total, 0.38, 0.55);
        Assert.InRange(calls["globex"] / total, 0.14, 0.26);
        Assert.InRange(calls["initech"] / total, 0.12, 0.23);
        Assert.InRange(calls["umbrella"] / total, 0.06, 0.14);
        Assert.InRange(calls["hooli"] / total, 0.03, 0.2);
        Assert.True(page.Sum("revenue_dollars_total", s => s["tenant_id"] == "hooli") == 0, "the free plan earns nothing");
        Assert.True(page.Sum("revenue_dollars_total", s => s["tenant_id"] == "acme") > page.Sum("revenue_dollars_total", s => s["tenant_id"] == "globex"));
    }

    [Fact]
    public async Task FreePlan_AnAfternoonOfTraffic_HooliSometimesHitsItsQuotaAndNoOneElseDoes()
    {
        await using var run = await DemoRun.StartAsync(at: DemoRun.Peak - TimeSpan.FromHours(1));
        run.Run(TimeSpan.FromHours(2));

        var page = await run.ScrapeAsync(ServiceNames.ApiGateway);
        var limited = Tenant.All.ToDictionary(t => t.Id, t => page.Sum("http_requests_total", s => s["tenant_id"] == t.Id && s["status"] == "429"));
        var hooli = page.Sum("http_requests_total", s => s["tenant_id"] == "hooli");

        Assert.True(limited["hooli"] > 0, "hooli ran into its quota");
        Assert.True(limited["hooli"] < hooli * 0.5, $"but only sometimes: {limited["hooli"]} of {hooli}");
        Assert.All(Tenant.All.Where(t => t.Id != "hooli"), t => Assert.Equal(0, limited[t.Id]));
    }

    [Fact]
    public async Task Errors_WithoutIncidents_AboutHalfAPercentOfRequestsFailWithServerErrors()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(20));

        var page = await run.ScrapeAsync(ServiceNames.ApiGateway);
        var ratio = Signals.ServerErrorRatio(PrometheusText.Parse(""), page);

        Assert.InRange(ratio, 0.001, 0.012);
    }

    [Fact]
    public async Task Latency_ChatAtTheGateway_TakesAboutASecondAndRecommendationsTensOfMilliseconds()
    {
        await using var run = await DemoRun.StartAsync();
        run.Run(TimeSpan.FromMinutes(5));

        var page = await run.ScrapeAsync(ServiceNames.ApiGateway);
        var empty = PrometheusText.Parse("");
        var chatMedian = Signals.Quantile(0.5, empty, page, "http_request_duration_seconds", s => s["endpoint"] == "/v1/chat");
        var recommendationsP95 = Signals.Quantile(0.95, empty, page, "http_request_duration_seconds", s => s["endpoint"] == "/v1/recommendations");

        Assert.InRange(chatMedian, 0.4, 2.0);
        Assert.InRange(recommendationsP95, 0.005, 0.1);
    }

    private static async Task<double> GatewayRateAsync(DateTimeOffset at, Func<DemoWorkloadOptions, DemoWorkloadOptions>? configure = null)
    {
        await using var run = await DemoRun.StartAsync(at: at - TimeSpan.FromMinutes(5), configure: configure);
        run.Run(TimeSpan.FromMinutes(10));
        var page = await run.ScrapeAsync(ServiceNames.ApiGateway);
        return page.Sum("api_requests_total") / 600;
    }
}
