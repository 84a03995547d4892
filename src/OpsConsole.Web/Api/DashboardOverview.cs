using System.Security.Claims;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Health;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Web.Observability;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>
/// Which metrics the executive overview reads (the <c>Overview</c> section). The names are the monitored system's,
/// so they live in configuration (appsettings.json), not in code.
/// </summary>
public sealed class OverviewOptions
{
    public const string SectionName = "Overview";

    public string? RequestsCounter { get; set; }
    public string? StatusLabel { get; set; }
    public string? DurationHistogram { get; set; }
    public string? ActiveUsersGauge { get; set; }
    public string? SatisfactionGauge { get; set; }
    public string? CostCounter { get; set; }
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed record OverviewView(
    DateTimeOffset At, string Window, double? RequestsPerSecond, double? ErrorRatio, double? AvailabilityPercent, double? LatencyP95Seconds,
    double? ActiveUsers, double? Satisfaction, double? CostThisMonth, int ServicesUp, int ServicesDown, int ServicesTotal,
    double SpansPerSecond, double LogsPerSecond, double SamplesPerSecond, IReadOnlyList<string> NotConfigured);

/// <summary><c>GET /api/v1/monitoring/dashboard/overview</c>: the executive figures computed from stored data.</summary>
public static class DashboardOverview
{
    public static IEndpointRouteBuilder MapDashboardOverview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/monitoring/dashboard/overview", (ClaimsPrincipal user, TelemetryStores stores, HealthCheckStore health, ScrapeLoop scrapes, IOptions<OverviewOptions> options, TimeProvider time) =>
                Compute(stores, health, scrapes, options.Value, user.GetTenantId(), time.GetUtcNow()))
            .RequireAuthorization(Policies.ViewDashboards).WithTags("Dashboards");
        return app;
    }

    public static OverviewView Compute(TelemetryStores stores, HealthCheckStore health, ScrapeLoop scrapes, OverviewOptions o, string? tenant, DateTimeOffset now)
    {
        var to = now.ToUnixTimeMilliseconds();
        var from = (now - o.Window).ToUnixTimeMilliseconds();
        var missing = new List<string>();
        double? Configured(string? name, string key, Func<string, double?> compute)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                missing.Add(key);
                return null;
            }

            return compute(name);
        }

        var seconds = o.Window.TotalSeconds;
        var total = Configured(o.RequestsCounter, nameof(o.RequestsCounter), n => SumIncrease(stores.Series, tenant, n, [], from, to));
        var errors = Configured(o.RequestsCounter, nameof(o.RequestsCounter), n => o.StatusLabel is null ? null
            : SumIncrease(stores.Series, tenant, n, [LabelMatcher.Regex(o.StatusLabel, "5..")], from, to));
        double? ratio = total is > 0 && errors is not null ? errors / total : total is not null ? 0 : null;
        var p95 = Configured(o.DurationHistogram, nameof(o.DurationHistogram), n => Quantile(stores.Series, tenant, n + "_bucket", 0.95, from, to));
        var users = Configured(o.ActiveUsersGauge, nameof(o.ActiveUsersGauge), n => Latest(stores.Series, tenant, n, from, to, sum: true));
        var satisfaction = Configured(o.SatisfactionGauge, nameof(o.SatisfactionGauge), n => Latest(stores.Series, tenant, n, from, to, sum: false));
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var cost = Configured(o.CostCounter, nameof(o.CostCounter), n => SumIncrease(stores.Series, tenant, n, [], monthStart, to));
        var services = ServiceOverview.Build(stores, health, scrapes, tenant);
        // The console-wide intake rates are every tenant's together: a tenant-bound viewer gets their tenant's only.
        var activity = stores.Events.Latest;
        (double Spans, double Logs, double Samples) rates = tenant is not null ? stores.Events.RatesFor(tenant)
            : (activity?.SpansPerSecond ?? 0, activity?.LogsPerSecond ?? 0, activity?.SamplesPerSecond ?? 0);
        return new OverviewView(
            now, $"{o.Window.TotalMinutes:0}m", total / seconds, ratio, ratio is { } r ? 100 * (1 - r) : null, p95, users, satisfaction, cost,
            services.Count(s => s.State == ServiceState.Up), services.Count(s => s.State == ServiceState.Down), services.Count,
            rates.Spans, rates.Logs, rates.Samples, missing.Distinct().ToList());
    }

    /// <summary>Σ over matching series of the counter's increase in [from, to], counting resets like Prometheus (no extrapolation).</summary>
    private static double? SumIncrease(SeriesStore store, string? tenant, string name, LabelMatcher[] extra, long from, long to)
    {
        var series = store.Select(tenant, [LabelMatcher.Equal(LabelSet.MetricName, name), .. extra], from, to);
        if (series.Count == 0)
        {
            return null;
        }

        double sum = 0;
        foreach (var s in series)
        {
            sum += Increase(s);
        }

        return sum;
    }

    private static double Increase(SelectedSeries series)
    {
        var cursor = series.Samples();
        double? previous = null;
        double increase = 0;
        while (cursor.MoveNext())
        {
            var v = cursor.Current.Value;
            if (double.IsNaN(v))
            {
                continue;
            }

            if (previous is { } p)
            {
                increase += v >= p ? v - p : v; // a reset: the counter started again from zero
            }

            previous = v;
        }

        return increase;
    }

    private static double? Latest(SeriesStore store, string? tenant, string name, long from, long to, bool sum)
    {
        var values = new List<double>();
        foreach (var s in store.Select(tenant, [LabelMatcher.Equal(LabelSet.MetricName, name)], from, to))
        {
            var cursor = s.Samples();
            double? last = null;
            while (cursor.MoveNext())
            {
                if (!double.IsNaN(cursor.Current.Value))
                {
                    last = cursor.Current.Value;
                }
            }

            if (last is { } l)
            {
                values.Add(l);
            }
        }

        return values.Count == 0 ? null : sum ? values.Sum() : values.Average();
    }

    /// <summary>histogram_quantile over the increase of every bucket series, summed by <c>le</c>.</summary>
    private static double? Quantile(SeriesStore store, string? tenant, string bucketName, double q, long from, long to)
    {
        var byLe = new SortedDictionary<double, double>();
        foreach (var s in store.Select(tenant, [LabelMatcher.Equal(LabelSet.MetricName, bucketName)], from, to))
        {
            var le = s.Labels.Get("le");
            var bound = le == "+Inf" ? double.PositiveInfinity : double.TryParse(le, System.Globalization.CultureInfo.InvariantCulture, out var b) ? b : double.NaN;
            if (!double.IsNaN(bound))
            {
                byLe[bound] = byLe.GetValueOrDefault(bound) + Increase(s);
            }
        }

        if (byLe.Count < 2 || !byLe.ContainsKey(double.PositiveInfinity) || byLe[double.PositiveInfinity] <= 0)
        {
            return null;
        }

        var rank = q * byLe[double.PositiveInfinity];
        double lowerBound = 0, lowerCount = 0;
        foreach (var (bound, count) in byLe)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(bound))
                {
                    return lowerBound;
                }

                return count == lowerCount ? bound : lowerBound + ((bound - lowerBound) * (rank - lowerCount) / (count - lowerCount));
            }

            (lowerBound, lowerCount) = (bound, count);
        }

        return null;
    }
}
