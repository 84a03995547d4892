using Microsoft.Extensions.Options;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Usage;
using OpsConsole.Web.Tenancy;

namespace OpsConsole.Web.Usage;

/// <summary>Whether a usage report has a row per hour or per UTC day.</summary>
public enum UsageStep
{
    Hour,
    Day,
}

/// <summary>
/// One row of a usage report: the amounts of each kind in [Start, End), and the minutes of it the console was not running
/// (then the row is partial: the console's own counts miss that time, and the mapped kinds only see what was stored).
/// </summary>
public sealed record UsageRow(DateTimeOffset Start, DateTimeOffset End, IReadOnlyDictionary<string, double> Values, int ConsoleDownMinutes, bool Open)
{
    public bool Partial => ConsoleDownMinutes > 0;

    public double Value(string kind) => Values.GetValueOrDefault(kind);
}

/// <summary>A tenant's usage between two instants.</summary>
public sealed record UsageReport(
    string TenantId, string DisplayName, string Plan, DateTimeOffset From, DateTimeOffset To, UsageStep Step,
    IReadOnlyList<string> Kinds, IReadOnlyList<UsageRow> Rows, IReadOnlyDictionary<string, double> Totals)
{
    public bool IsEmpty => Rows.All(r => r.Values.Values.All(v => v == 0));
}

/// <summary>A plan allowance: used so far this month, and where the month is heading.</summary>
public sealed record QuotaUse(string Kind, double Quota, double Used, double Forecast)
{
    public double Percent => Quota > 0 ? Used / Quota * 100 : 0;

    public double ForecastPercent => Quota > 0 ? Forecast / Quota * 100 : 0;
}

/// <summary>The current UTC month of a tenant: totals so far, a month-end forecast per kind, and the plan's allowances.</summary>
public sealed record MonthOutlook(
    DateTimeOffset MonthStart, DateTimeOffset MonthEnd, PlanDefinition? Plan, IReadOnlyDictionary<string, double> MonthToDate,
    IReadOnlyDictionary<string, double> Forecast, IReadOnlyList<QuotaUse> Quotas);

/// <summary>Builds usage reports from the rollups: hourly totals per kind, rolled up by day, with the console's gaps.</summary>
public sealed class UsageReports(UsageRepository repository, PlanCatalog plans, IOptions<UsageOptions> options, TimeProvider time)
{
    private const long HourMs = UsageRepository.HourMs;

    public IReadOnlyList<string> Kinds { get; } = options.Value.ShownKinds();

    /// <summary>The earliest instant a report may start at (the retention).</summary>
    public DateTimeOffset RetentionStart(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Floor(now.AddMonths(-options.Value.RetentionMonths).ToUnixTimeMilliseconds(), HourMs));

    public static DateTimeOffset Align(DateTimeOffset at, UsageStep step) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Floor(at.ToUnixTimeMilliseconds(), step == UsageStep.Hour ? HourMs : 24 * HourMs));

    /// <summary>The usage of <paramref name="tenant"/> in rows of <paramref name="step"/> covering [from, to) (aligned outwards to the step).</summary>
    public async Task<UsageReport> BuildAsync(TenantEntity tenant, DateTimeOffset from, DateTimeOffset to, UsageStep step, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var stepMs = step == UsageStep.Hour ? HourMs : 24 * HourMs;
        var fromMs = Floor(from.ToUnixTimeMilliseconds(), stepMs);
        var toMs = Ceiling(to.ToUnixTimeMilliseconds(), stepMs);
        var hourly = await repository.HourlyAsync(tenant.Id, fromMs, toMs, ct);
        var console = (await repository.HourlyAsync(UsageSources.ConsoleTenant, fromMs, toMs, ct))
            .Where(c => c.Kind == UsageKinds.ConsoleUpSeconds).ToDictionary(c => c.HourStartMs, c => c.Value);
        var meteredSince = await repository.EarliestHourAsync(UsageSources.ConsoleTenant, ct) ?? long.MaxValue;
        var tolerance = Math.Max(60_000, 2 * (long)options.Value.Interval.TotalMilliseconds);

        var byHour = hourly.GroupBy(h => h.HourStartMs).ToDictionary(g => g.Key, g => g.ToDictionary(h => h.Kind, h => h.Value, StringComparer.Ordinal));
        var rows = new List<UsageRow>();
        for (var start = fromMs; start < toMs && start <= nowMs; start += stepMs)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            var downMs = 0L;
            for (var hour = start; hour < start + stepMs && hour <= nowMs; hour += HourMs)
            {
                if (byHour.TryGetValue(hour, out var amounts))
                {
                    foreach (var (kind, value) in amounts)
                    {
                        values[kind] = UsageKinds.IsLevel(kind) ? value : values.GetValueOrDefault(kind) + value;
                    }
                }

                if (hour >= meteredSince)
                {
                    var elapsed = Math.Min(HourMs, nowMs - hour);
                    var covered = Math.Min(elapsed, (long)(console.GetValueOrDefault(hour) * 1000));
                    var missing = elapsed - covered;
                    if (missing > (nowMs < hour + HourMs ? tolerance : 60_000))
                    {
                        downMs += missing;
                    }
                }
            }

            rows.Add(new UsageRow(
                DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(start + stepMs), values,
                (int)Math.Round(downMs / 60_000.0, MidpointRounding.AwayFromZero), nowMs < start + stepMs));
        }

        var totals = Kinds.ToDictionary(k => k, k => Total(rows, k), StringComparer.Ordinal);
        return new UsageReport(tenant.Id, tenant.DisplayName, tenant.Plan, DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            DateTimeOffset.FromUnixTimeMilliseconds(toMs), step, Kinds, rows, totals);
    }

    /// <summary>
    /// The current UTC month: totals so far and a forecast per kind — the month so far continued at its average hourly rate
    /// (counted from the first metered hour when metering began during the month) — against the plan's monthly quotas.
    /// </summary>
    public async Task<MonthOutlook> OutlookAsync(TenantEntity tenant, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var monthEnd = monthStart.AddMonths(1);
        var report = await BuildAsync(tenant, monthStart, now, UsageStep.Hour, ct);
        var meteredSince = await repository.EarliestHourAsync(UsageSources.ConsoleTenant, ct);
        var rateFrom = meteredSince is { } m && m > monthStart.ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds(m) : monthStart;
        var elapsedHours = Math.Max((now - rateFrom).TotalHours, 1.0);
        var remainingHours = (monthEnd - now).TotalHours;
        var forecast = report.Totals.ToDictionary(
            t => t.Key,
            t => UsageKinds.IsLevel(t.Key) ? t.Value : t.Value + (t.Value / elapsedHours * remainingHours),
            StringComparer.Ordinal);
        var plan = plans.Find(tenant.Plan);
        var quotas = plan is null ? []
            : plan.MonthlyQuotas.Select(q => new QuotaUse(q.Key, q.Value, report.Totals.GetValueOrDefault(q.Key), forecast.GetValueOrDefault(q.Key))).ToList();
        return new MonthOutlook(monthStart, monthEnd, plan, report.Totals, forecast, quotas);
    }

    private static double Total(IReadOnlyList<UsageRow> rows, string kind) =>
        UsageKinds.IsLevel(kind) ? rows.LastOrDefault(r => r.Values.ContainsKey(kind))?.Value(kind) ?? 0 : rows.Sum(r => r.Value(kind));

    private static long Floor(long ms, long step) => ms - (((ms % step) + step) % step);

    private static long Ceiling(long ms, long step) => Floor(ms, step) == ms ? ms : Floor(ms, step) + step;
}
