using OpsConsole.Simulator.Catalog;
using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>What the business watches: API calls and revenue per tenant, sign-ups, active users, satisfaction.</summary>
internal sealed class BusinessMetrics(MetricFactory factory)
{
    private readonly Counter _apiRequests = factory.CreateCounter(
        "api_requests_total", "Public API calls per tenant.", new CounterConfiguration { LabelNames = ["tenant_id"] });

    private readonly Counter _registered = factory.CreateCounter(
        "users_registered_total", "New user sign-ups by method.", new CounterConfiguration { LabelNames = ["registration_method"] });

    private readonly Gauge _dailyActive = factory.CreateGauge("users_active_daily", "Distinct users active today.");
    private readonly Gauge _monthlyActive = factory.CreateGauge("users_active_monthly", "Distinct users active in the last 30 days.");
    private readonly Gauge _satisfaction = factory.CreateGauge("user_satisfaction_score", "Average user satisfaction rating (1..5).");

    private readonly Counter _revenue = factory.CreateCounter(
        "revenue_dollars_total", "Billed usage in US dollars (simulated billing).", new CounterConfiguration { LabelNames = ["tenant_id"] });

    /// <summary>Creates the sign-up and per-tenant series at zero.</summary>
    public BusinessMetrics Prepared()
    {
        foreach (var method in KnownLabels.RegistrationMethods)
        {
            _registered.WithLabels(method);
        }

        foreach (var tenant in Tenant.All)
        {
            _apiRequests.WithLabels(tenant.Id);
            _revenue.WithLabels(tenant.Id);
        }

        return this;
    }

    public void ApiCall(string tenantId, double dollars)
    {
        _apiRequests.WithLabels(tenantId).Inc();
        _revenue.WithLabels(tenantId).Inc(dollars);
    }

    public void Registered(string method) => _registered.WithLabels(method).Inc();

    public void ActiveUsers(double daily, double monthly)
    {
        _dailyActive.Set(Math.Round(daily));
        _monthlyActive.Set(Math.Round(monthly));
    }

    public void Satisfaction(double score) => _satisfaction.Set(Math.Clamp(score, 1, 5));
}
