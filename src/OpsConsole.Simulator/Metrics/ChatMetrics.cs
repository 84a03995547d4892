using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The agent API's chat sessions, messages and agent workflows.</summary>
internal sealed class ChatMetrics(MetricFactory factory)
{
    private readonly Counter _requests = factory.CreateCounter(
        "chat_requests_total", "Chat turns by tenant, language and outcome.",
        new CounterConfiguration { LabelNames = ["tenant_id", "language", "status"] });

    private readonly Histogram _responseDuration = factory.CreateHistogram(
        "chat_response_duration_seconds", "Time spent in each stage of answering a chat turn.",
        new HistogramConfiguration { LabelNames = ["workflow_stage"], Buckets = Buckets.Request });

    private readonly Counter _sessions = factory.CreateCounter(
        "chat_sessions_total", "Chat sessions started.", new CounterConfiguration { LabelNames = ["tenant_id", "language"] });

    private readonly Counter _messages = factory.CreateCounter(
        "messages_sent_total", "Chat messages by sender.", new CounterConfiguration { LabelNames = ["tenant_id", "message_type"] });

    private readonly Counter _workflows = factory.CreateCounter(
        "workflow_executions_total", "Agent workflow runs by type and outcome.",
        new CounterConfiguration { LabelNames = ["workflow_type", "status"] });

    private readonly Gauge _activeSessions = factory.CreateGauge("active_sessions", "Chat sessions active in the last 15 minutes.");

    public void Turn(string tenantId, string language, bool succeeded, bool newSession)
    {
        _requests.WithLabels(tenantId, language, succeeded ? "success" : "error").Inc();
        if (newSession)
        {
            _sessions.WithLabels(tenantId, language).Inc();
        }

        _messages.WithLabels(tenantId, "user").Inc();
        if (succeeded)
        {
            _messages.WithLabels(tenantId, "assistant").Inc();
        }
    }

    public void Stage(string stage, TimeSpan duration) => _responseDuration.WithLabels(stage).Observe(duration.TotalSeconds);

    public void Workflow(string type, bool succeeded) => _workflows.WithLabels(type, succeeded ? "success" : "error").Inc();

    public void ActiveSessions(double count) => _activeSessions.Set(Math.Max(0, Math.Round(count)));
}
