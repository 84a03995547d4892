using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>The public API: every request enters at the api-gateway (auth, quota, routing) and is handed on.</summary>
internal sealed class GatewayRequests(DemoSaas saas)
{
    private static readonly ApiRoute[] Routes =
    [
        new("POST", "/v1/chat", 0.55, 200),
        new("GET", "/v1/recommendations", 0.33, 200),
        new("POST", "/v1/documents", 0.12, 201),
    ];

    private static readonly string[] UserAgents = ["opsconsole-sdk-python/2.3.1", "opsconsole-sdk-js/1.8.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15", "curl/8.5.0"];

    /// <summary>One request by a user of <paramref name="tenant"/>, completed at <paramref name="end"/>.</summary>
    public void Serve(Tenant tenant, DateTimeOffset end)
    {
        var chance = saas.Chance;
        var gateway = saas.Services.Gateway;
        var route = chance.Pick(Routes, r => r.Share);
        var user = tenant.UserId(chance.Int(1, tenant.Users + 1));
        var span = SpanDraft.Root(gateway, $"{route.Method} {route.Path}", ActivityKind.Server)
            .Tag("http.request.method", route.Method)
            .Tag("http.route", route.Path)
            .Tag("url.path", route.Path)
            .Tag("url.scheme", "https")
            .Tag("server.address", "api.demo-saas.example")
            .Tag("user_agent.original", chance.Pick(UserAgents))
            .Tag("tenant.id", tenant.Id)
            .Tag("user.id", user);
        span.Spend(chance.Latency(0.003, 0.4));

        var reply = Admit(span, tenant, user, end);
        if (reply is null)
        {
            reply = Forward(span, route, tenant, user);
        }

        span.Spend(chance.Latency(0.002, 0.4)).Finish();
        if (reply.Value.Failure is { } failure)
        {
            span.Fail(failure);
        }

        span.Tags.Add(new("http.response.status_code", reply.Value.Status));
        var level = reply.Value.IsServerError ? LogLevel.Error : reply.Value.Succeeded ? LogLevel.Information : LogLevel.Warning;
        span.Log(level, $"{route.Method} {route.Path} {reply.Value.Status} {span.Duration.TotalMilliseconds:0}ms",
            LogFields.Of("http_request", tenant.Id, user, span.Duration, reply.Value.Outcome,
                ("http.request.method", route.Method), ("http.route", route.Path), ("http.response.status_code", reply.Value.Status)),
            reply.Value.IsServerError ? reply.Value.Failure : null);

        var metrics = gateway.Metrics;
        metrics.Http.Served(route.Method, route.Path, reply.Value.Status, tenant.Id, span.Duration);
        metrics.Business.ApiCall(tenant.Id, reply.Value.Succeeded ? tenant.DollarsPerRequest : 0);
        gateway.BusySeconds += span.Duration.TotalSeconds;
        saas.Recent.Served(reply.Value.IsServerError, span.Duration);
        TraceEmitter.Emit(span, end);
    }

    /// <summary>Auth, request validation, the free plan's quota and the gateway's own failures; null lets the request through.</summary>
    private Reply? Admit(SpanDraft span, Tenant tenant, string user, DateTimeOffset end)
    {
        var chance = saas.Chance;
        if (chance.Happens(0.002))
        {
            span.Log(LogLevel.Warning, $"Rejected an expired API key for tenant {tenant.Id}",
                LogFields.Of("auth", tenant.Id, user, span.Duration, "unauthorized", ("auth.reason", "expired_key")));
            return new Reply(401);
        }

        if (!saas.Quota.Admit(tenant, end))
        {
            span.Log(LogLevel.Warning, $"Tenant {tenant.Id} is over its {tenant.Plan} plan quota of {saas.Quota.PerMinute} requests per minute",
                LogFields.Of("auth", tenant.Id, user, span.Duration, "rate_limited", ("quota.limit_per_minute", saas.Quota.PerMinute)));
            return new Reply(429);
        }

        if (chance.Happens(0.004))
        {
            return new Reply(400);
        }

        return saas.Conditions.Fails(span.Service.Name)
            ? new Reply(500, Failure.Gateway("upstream connection pool overflow"))
            : null;
    }

    private Reply Forward(SpanDraft span, ApiRoute route, Tenant tenant, string user)
    {
        var target = route.Path switch
        {
            "/v1/chat" => (Services.SimulatedService)saas.Services.AgentApi,
            "/v1/documents" => saas.Services.Upload,
            _ => saas.Services.MlEngine,
        };
        if (!target.IsUp)
        {
            return new Reply(503, Failure.Unavailable(target.Name));
        }

        var reply = route.Path switch
        {
            "/v1/chat" => saas.Chat.Turn(span, tenant, user),
            "/v1/documents" => saas.Uploads.Upload(span, tenant, user),
            _ => saas.Recommendations.Recommend(span, tenant, user),
        };
        return reply.IsServerError ? new Reply(502, Failure.Gateway($"upstream {target.Name} answered {reply.Status}"))
            : reply.Succeeded ? new Reply(route.SuccessStatus)
            : reply;
    }

    private sealed record ApiRoute(string Method, string Path, double Share, int SuccessStatus);
}
