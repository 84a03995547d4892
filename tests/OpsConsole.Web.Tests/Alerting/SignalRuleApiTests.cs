using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;
using static OpsConsole.Web.Tests.RuleApiTests;
using static OpsConsole.Web.Tests.RuleEvaluationTests;

namespace OpsConsole.Web.Tests.Alerting;

/// <summary>Log-based and health rules through the console: imported, listed, evaluated over ingested data, ALERTS queryable.</summary>
public sealed class SignalRuleApiTests
{
    private const string Rules = """
        groups:
          - name: signals
            interval: 1m
            rules:
              - alert: RagErrorLogs
                logs: {query: 'level:error service:rag-service', window: 5m, op: '>=', threshold: 3}
                labels: {severity: warning}
                annotations: {summary: "{{ $value }} errors"}
              - alert: RagDbCheck
                health: {service: rag-service, check: db}
                labels: {severity: critical}
        """;

    [Fact]
    public async Task LogAndHealthRules_OverIngestedData_FireForTheirTenantAndShowInAlertsRulesAndAlertsSeries()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();
        var t0 = factory.Clock.GetUtcNow();
        var logs = string.Join(",", Enumerable.Range(0, 4).Select(i =>
            $"{{\"message\":\"upstream timeout {i}\",\"service\":\"rag-service\",\"level\":\"error\",\"timestamp\":{t0.AddSeconds(-20 + i).ToUnixTimeMilliseconds()}}}"));
        (await admin.PostAsync("/api/v1/monitoring/logs?tenant=acme", Json($"{{\"logs\":[{logs}]}}"))).EnsureSuccessStatusCode();
        (await admin.PostAsync("/api/v1/monitoring/health-checks?tenant=acme", Json(
            $"{{\"checks\":[{{\"service\":\"rag-service\",\"check\":\"db\",\"status\":\"unhealthy\",\"message\":\"refused\",\"timestamp\":{t0.AddSeconds(-30).ToUnixTimeMilliseconds()}}}]}}"))).EnsureSuccessStatusCode();
        (await admin.PostAsync("/api/v1/rules", Yaml(Rules))).EnsureSuccessStatusCode();

        var group = await RunNextCycleAsync(factory, admin, "signals");

        var rules = group.GetProperty("rules").EnumerateArray().ToList();
        Assert.All(rules, r => Assert.Equal(("ok", "firing"), (r.GetProperty("health").GetString(), r.GetProperty("state").GetString())));
        Assert.Equal("count of log lines matching 'level:error service:rag-service' over 5m >= 3", rules[0].GetProperty("query").GetString());
        Assert.Equal((">=", 3.0, 300.0), (rules[0].GetProperty("logCondition").GetProperty("op").GetString(),
            rules[0].GetProperty("logCondition").GetProperty("threshold").GetDouble(), rules[0].GetProperty("logCondition").GetProperty("window").GetDouble()));
        Assert.Equal("db", rules[1].GetProperty("healthCondition").GetProperty("check").GetString());

        var alerts = await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/alerts?state=firing");
        var byName = alerts.EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(("acme", "4 errors"), (byName["RagErrorLogs"].GetProperty("tenantId").GetString(), byName["RagErrorLogs"].GetProperty("annotations").GetProperty("summary").GetString()));
        Assert.Equal("acme", byName["RagDbCheck"].GetProperty("tenantId").GetString());

        var series = await QueryAsync(admin, "ALERTS{alertstate=\"firing\"}", t0.AddMinutes(1));
        Assert.Equal(["RagDbCheck", "RagErrorLogs"], series.Select(s => s.GetProperty("metric").GetProperty("alertname").GetString()).Order());
        Assert.All(series, s => Assert.Equal("acme", s.GetProperty("metric").GetProperty("tenant_id").GetString()));
    }

    [Fact]
    public async Task Import_BadLogQuery_400WithTheFieldLineAndColumn_AndNothingChanges()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();
        var before = (await GroupsAsync(admin)).Length;
        const string bad = "groups:\n  - name: signals\n    rules:\n      - alert: Broken\n        logs: {query: 'level:error (service:rag', window: 5m}\n";

        using var response = await admin.PostAsync("/api/v1/rules", Yaml(bad));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var error = problem.GetProperty("ruleErrors")[0];
        Assert.Equal(("logs.query", 5), (error.GetProperty("field").GetString(), error.GetProperty("line").GetInt32()));
        Assert.True(error.GetProperty("column").GetInt32() > bad.Split('\n')[4].IndexOf("level", StringComparison.Ordinal), "the column points into the query, not at the field");
        Assert.Contains("could not parse log query", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await GroupsAsync(admin)).Length);
    }
}
