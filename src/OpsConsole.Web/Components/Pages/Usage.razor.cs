using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Components.Shared;
using OpsConsole.Web.Security;
using OpsConsole.Web.Usage;

namespace OpsConsole.Web.Components.Pages;

/// <summary>
/// <c>/usage?tenant=&amp;view=day|week|month</c>: a tenant's usage with charts, a table per hour (day view) or day, the
/// plan's allowances with a month-end forecast, and CSV export of the rows shown. Tenant admins see their own tenant
/// only (another tenant in the URL is refused); Admin and Executive pick any tenant.
/// </summary>
public sealed partial class Usage
{
    private static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");
    private static readonly string[] Views = ["day", "week", "month"];

    private ClaimsPrincipal _user = new();
    private bool _canPickTenant;
    private IReadOnlyList<TenantEntity> _tenants = [];
    private TenantEntity? _tenant;
    private string? _tenantId;
    private string _view = "week";
    private string? _refusal;
    private string? _error;
    private bool _loading;
    private UsageReport? _report;
    private MonthOutlook? _outlook;
    private ChartSpec _activityChart = new();
    private ChartSpec _costChart = new();
    private string? _loaded;

    [SupplyParameterFromQuery(Name = "tenant")] public string? TenantParameter { get; set; }

    [SupplyParameterFromQuery(Name = "view")] public string? ViewParameter { get; set; }

    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    [Inject] private UsageReports Reports { get; set; } = default!;
    [Inject] private TenantRepository Tenants { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _user = AuthState is null ? new ClaimsPrincipal() : (await AuthState).User;
        _canPickTenant = _user.GetTenantId() is null;
        try
        {
            _tenants = _canPickTenant ? await Tenants.ListAsync() : [];
        }
#pragma warning disable CA1031 // shown on the page; the rest of the console keeps working
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _error = $"The tenants could not be read: {ex.Message}";
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var key = $"{TenantParameter}|{ViewParameter}";
        if (_loaded == key)
        {
            return;
        }

        _loaded = key;
        _refusal = null;
        _error = null;
        _report = null;
        _outlook = null;
        var own = _user.GetTenantId();
        if (own is not null && TenantParameter is not null && TenantParameter != own)
        {
            _tenantId = own;
            _refusal = $"You can see the usage of your own tenant only. Open /usage for {own}'s usage.";
            return;
        }

        _view = ViewParameter ?? "week";
        if (!Views.Contains(_view))
        {
            _error = $"'{ViewParameter}' is not a view: use day, week or month.";
            _view = "week";
            return;
        }

        _tenantId = own ?? TenantParameter ?? _tenants.FirstOrDefault()?.Id;
        if (_tenantId is null)
        {
            _error ??= "There are no tenants yet.";
            return;
        }

        _loading = true;
        try
        {
            _tenant = own is null ? _tenants.FirstOrDefault(t => t.Id == _tenantId) : await Tenants.FindAsync(own);
            if (_tenant is null)
            {
                _error = $"There is no tenant '{_tenantId}'.";
                return;
            }

            var now = Time.GetUtcNow();
            var (from, step) = Period(_view, now);
            _report = await Reports.BuildAsync(_tenant, from, now, step);
            _outlook = await Reports.OutlookAsync(_tenant);
            BuildCharts(_report);
        }
#pragma warning disable CA1031 // the database may be away; say so instead of failing the circuit
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _error = $"Usage could not be loaded: {ex.Message}";
        }
        finally
        {
            _loading = false;
        }
    }

    /// <summary>Where a view starts (UTC) and its step: today by hour, the last 7 days or this month by day.</summary>
    public static (DateTimeOffset From, UsageStep Step) Period(string view, DateTimeOffset now)
    {
        var today = UsageReports.Align(now, UsageStep.Day);
        return view switch
        {
            "day" => (today, UsageStep.Hour),
            "month" => (new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), UsageStep.Day),
            _ => (today.AddDays(-6), UsageStep.Day),
        };
    }

    private static string ViewLabel(string view) => view switch
    {
        "day" => "Today",
        "month" => "This month",
        _ => "7 days",
    };

    private static string KindLabel(string kind) => kind switch
    {
        UsageKinds.ApiCalls => "API calls",
        UsageKinds.Queries => "Queries",
        UsageKinds.Documents => "Documents",
        UsageKinds.Recommendations => "Recommendations",
        UsageKinds.LlmTokens => "LLM tokens",
        UsageKinds.LlmCostDollars => "LLM cost",
        UsageKinds.Spans => "Spans",
        UsageKinds.LogRecords => "Log records",
        UsageKinds.MetricSamples => "Metric samples",
        UsageKinds.RequestBytes => "Intake bytes",
        UsageKinds.StoredItems => "Stored items",
        UsageKinds.IngestRejected => "Items refused (quota)",
        UsageKinds.IngestRejections => "Quota hits",
        _ => kind.Replace('_', ' '),
    };

    private static string Amount(string kind, double value) => kind switch
    {
        UsageKinds.LlmCostDollars => Money(value),
        UsageKinds.RequestBytes => Units.Bytes((long)Math.Round(value)),
        _ => Count(value),
    };

    private static string Money(double value) => value.ToString("C2", Us);

    private static string Count(double value) => Math.Round(value).ToString("N0", Us);

    private static string Link(string? tenant, string view) =>
        tenant is null ? $"/usage?view={view}" : $"/usage?tenant={Uri.EscapeDataString(tenant)}&view={view}";

    private string PeriodLabel(UsageRow row) => _report?.Step == UsageStep.Hour
        ? row.Start.UtcDateTime.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture)
        : row.Start.UtcDateTime.ToString("yyyy-MM-dd ddd", CultureInfo.InvariantCulture);

    private string CsvLink() => _report is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $"/api/v1/monitoring/tenants/{Uri.EscapeDataString(_report.TenantId)}/usage?from={Uri.EscapeDataString(UsageCsv.Time(_report.From))}&to={Uri.EscapeDataString(UsageCsv.Time(_report.To))}&step={_report.Step.ToString().ToLowerInvariant()}&format=csv");

    private Task OnTenantAsync(string tenant)
    {
        Navigation.NavigateTo(Link(tenant, _view));
        return Task.CompletedTask;
    }

    private void BuildCharts(UsageReport report)
    {
        var categories = report.Rows.Select(PeriodLabel).ToList();
        string[] activity = [UsageKinds.ApiCalls, UsageKinds.Queries, UsageKinds.Documents, UsageKinds.Recommendations];
        _activityChart = new ChartSpec
        {
            Kind = ChartKind.Bar,
            Categories = categories,
            Series = [.. activity.Where(report.Kinds.Contains).Select(k => new ChartSeries(KindLabel(k), Values: [.. report.Rows.Select(r => (double?)r.Value(k))]))],
            Decimals = 0,
        };
        _costChart = new ChartSpec
        {
            Kind = ChartKind.Bar,
            Categories = categories,
            Series = [new ChartSeries(KindLabel(UsageKinds.LlmCostDollars), Values: [.. report.Rows.Select(r => (double?)r.Value(UsageKinds.LlmCostDollars))])],
            Unit = "currencyUSD",
            Decimals = 2,
            Legend = false,
        };
    }
}
