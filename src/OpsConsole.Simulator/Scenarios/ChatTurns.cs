using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>agent-api: a chat turn, sometimes planned by an LLM (agent workflow), answered through rag-service.</summary>
internal sealed class ChatTurns(DemoSaas saas)
{
    private const string Route = "/v1/chat/turn";

    private static readonly (string Code, double Share)[] Languages = [("en", 0.70), ("de", 0.10), ("es", 0.08), ("fr", 0.07), ("ja", 0.05)];
    private static readonly (string Type, double Share)[] Workflows = [("qa", 0.60), ("summarize", 0.15), ("agentic_search", 0.25)];

    public Reply Turn(SpanDraft caller, Tenant tenant, string user)
    {
        var chance = saas.Chance;
        var agent = saas.Services.AgentApi;
        var language = chance.Pick(Languages, l => l.Share).Code;
        var workflow = chance.Pick(Workflows, w => w.Share).Type;
        var newSession = chance.Happens(0.18);
        var turn = caller.Child(agent, "chat.turn", ActivityKind.Server)
            .Tag("http.request.method", "POST")
            .Tag("http.route", Route)
            .Tag("tenant.id", tenant.Id)
            .Tag("user.id", user)
            .Tag("chat.session.id", "s-" + chance.HexId(12))
            .Tag("chat.language", language)
            .Tag("workflow.type", workflow);
        turn.Spend(chance.Latency(0.012, 0.4));

        var reply = Reply.Ok;
        if (workflow == "agentic_search")
        {
            var started = turn.Cursor;
            var plan = saas.Llm.Complete(turn, tenant, planning: true);
            agent.Metrics.Llm.Called(plan, tenant.Id);
            agent.Metrics.Chat.Stage("planning", turn.Cursor - started);
            if (!plan.Succeeded)
            {
                reply = new Reply(502, Failure.LlmServerError(plan.Provider));
            }
        }

        if (reply.Succeeded)
        {
            if (!saas.Services.Rag.IsUp)
            {
                reply = new Reply(503, Failure.Unavailable(saas.Services.Rag.Name));
            }
            else
            {
                var answer = saas.Rag.Query(turn, tenant, user);
                agent.Metrics.Chat.Stage("retrieval", answer.Retrieval);
                agent.Metrics.Chat.Stage("generation", answer.Generation);
                reply = answer.Reply.IsServerError ? new Reply(502, Failure.Internal(agent.Name, $"rag-service answered {answer.Reply.Status}")) : answer.Reply;
            }
        }

        if (reply.Succeeded && saas.Conditions.Fails(agent.Name))
        {
            reply = new Reply(500, Failure.Internal(agent.Name, "workflow state store returned no session"));
        }

        turn.Spend(chance.Latency(0.008, 0.4)).Finish();
        turn.Tags.Add(new("http.response.status_code", reply.Status));
        if (reply.Failure is { } failure)
        {
            turn.Fail(failure);
        }

        var level = reply.IsServerError ? LogLevel.Error : LogLevel.Information;
        turn.Log(level, reply.Succeeded ? $"Chat turn answered ({workflow}, {language})" : $"Chat turn failed ({workflow}): {reply.Failure?.Message}",
            LogFields.Of("chat_message", tenant.Id, user, turn.Duration, reply.Outcome, ("chat.language", language), ("workflow.type", workflow)),
            reply.IsServerError ? reply.Failure : null);

        var metrics = agent.Metrics;
        metrics.Http.Served("POST", Route, reply.Status, tenant.Id, turn.Duration);
        metrics.Chat.Turn(tenant.Id, language, reply.Succeeded, newSession);
        metrics.Chat.Stage("total", turn.Duration);
        metrics.Chat.Workflow(workflow, reply.Succeeded);
        agent.BusySeconds += turn.Duration.TotalSeconds;
        return reply;
    }
}
