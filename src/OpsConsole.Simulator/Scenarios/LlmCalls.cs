using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Metrics;
using OpsConsole.Simulator.Traffic;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>Calls to LLM providers (openai, ollama) as client spans: model choice by plan, latency, tokens, cost, failures.</summary>
internal sealed class LlmCalls(Chance chance, Conditions conditions)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly LlmModel Gpt4oMini = new("openai", "gpt-4o-mini", 0.75, 0.15, 0.60);
    private static readonly LlmModel Gpt4o = new("openai", "gpt-4o", 1.0, 2.50, 10.00);
    private static readonly LlmModel Llama = new("ollama", "llama3.1:8b", 0.7, 0, 0);

    /// <summary>A completion for <paramref name="tenant"/>; <paramref name="planning"/> calls are short prompts to a small model.</summary>
    public LlmCall Complete(SpanDraft parent, Tenant tenant, bool planning)
    {
        var model = planning ? Gpt4oMini : Route(tenant);
        var slowdown = conditions.LlmSlowdown(model.Provider);
        var sigma = slowdown > 1 ? 0.45 : 0.32;
        var duration = chance.Latency(model.MedianSeconds * (planning ? 0.5 : 1) * slowdown, sigma);
        var input = planning ? chance.Int(300, 800) : chance.Int(1200, 3600);
        var output = planning ? chance.Int(40, 160) : chance.Int(90, 650);
        Failure? failure = null;
        if (duration > Timeout)
        {
            duration = Timeout;
            failure = Failure.LlmTimeout(model.Provider, Timeout);
        }
        else if (chance.Happens(0.0025))
        {
            failure = Failure.LlmServerError(model.Provider);
        }

        if (failure is not null)
        {
            output = 0;
        }

        var span = parent.Call(Dependencies.Llm, "chat.completions", duration)
            .Tag("llm.provider", model.Provider)
            .Tag("llm.model", model.Name)
            .Tag("llm.tokens.input", input)
            .Tag("llm.tokens.output", output)
            .Tag("llm.tokens.total", input + output)
            .Tag("gen_ai.system", model.Provider)
            .Tag("gen_ai.request.model", model.Name);
        if (failure is not null)
        {
            span.Fail(failure);
        }

        var cost = ((input * model.InputDollarsPerMillion) + (output * model.OutputDollarsPerMillion)) / 1_000_000;
        return new LlmCall(model.Provider, model.Name, duration, input, output, cost, failure is null);
    }

    private LlmModel Route(Tenant tenant) => tenant.Plan switch
    {
        "enterprise" => chance.Happens(0.6) ? Gpt4o : Gpt4oMini,
        "business" => chance.Happens(0.15) ? Gpt4o : Gpt4oMini,
        _ => chance.Happens(0.5) ? Llama : Gpt4oMini,
    };

    private sealed record LlmModel(string Provider, string Name, double MedianSeconds, double InputDollarsPerMillion, double OutputDollarsPerMillion);
}
