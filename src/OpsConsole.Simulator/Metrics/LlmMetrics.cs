using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>Calls to LLM providers: count, latency, tokens and what they cost each tenant.</summary>
internal sealed class LlmMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _tokens;
    private readonly Counter _cost;

    public LlmMetrics(MetricFactory factory, double? monthlyBudgetDollars)
    {
        _requests = factory.CreateCounter("llm_requests_total", "LLM API calls by provider, model and outcome.",
            new CounterConfiguration { LabelNames = ["provider", "model", "status"] });
        _duration = factory.CreateHistogram("llm_request_duration_seconds", "LLM API call latency.",
            new HistogramConfiguration { LabelNames = ["provider", "model"], Buckets = Buckets.Llm });
        _tokens = factory.CreateCounter("llm_tokens_total", "Tokens sent to (input) and received from (output) LLMs.",
            new CounterConfiguration { LabelNames = ["provider", "model", "type"] });
        _cost = factory.CreateCounter("llm_cost_dollars_total", "What LLM calls cost, in US dollars, by tenant.",
            new CounterConfiguration { LabelNames = ["provider", "model", "tenant_id"] });
        if (monthlyBudgetDollars is { } budget)
        {
            factory.CreateGauge("llm_monthly_budget_dollars", "The LLM spending budget for the month, in US dollars.").Set(budget);
        }
    }

    public void Called(LlmCall call, string tenantId)
    {
        _requests.WithLabels(call.Provider, call.Model, call.Succeeded ? "success" : "error").Inc();
        _duration.WithLabels(call.Provider, call.Model).Observe(call.Duration.TotalSeconds);
        _tokens.WithLabels(call.Provider, call.Model, "input").Inc(call.InputTokens);
        _tokens.WithLabels(call.Provider, call.Model, "output").Inc(call.OutputTokens);
        _cost.WithLabels(call.Provider, call.Model, tenantId).Inc(call.CostDollars);
    }
}

/// <summary>One LLM call as the caller saw it.</summary>
internal sealed record LlmCall(string Provider, string Model, TimeSpan Duration, int InputTokens, int OutputTokens, double CostDollars, bool Succeeded);
