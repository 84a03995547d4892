using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;
using static OpsConsole.Web.Tests.RuleApiTests;
using static OpsConsole.Web.Tests.RuleEvaluationTests;

namespace OpsConsole.Web.Tests.Alerting;

/// <summary>Alertmanager's API v2 and the native alert API over the real console: shapes field by field, bad input, roles, persistence.</summary>
public sealed class AlertingApiTests
{
    private sealed class RestartableFactory(string directory) : OpsConsoleFactory(directory);

    private static async Task<HttpClient> ClientAsync(OpsConsoleFactory factory, string role) =>
        factory.CreateApiClient(await factory.CreateKeyAsync("alerting-" + role.ToLowerInvariant() + Guid.NewGuid().ToString("N")[..6], "role", role));

    private static StringContent PostableAlert(string name, string service, string severity = "critical", string? endsAt = null) => Json($$"""
        [{"labels":{"alertname":"{{name}}","service":"{{service}}","severity":"{{severity}}"},"annotations":{"summary":"{{service}} is down"},
          "generatorURL":"http://prometheus:9090/graph?g0.expr=up"{{(endsAt is null ? "" : $",\"endsAt\":\"{endsAt}\"")}}}]
        """);

    [Fact]
    public async Task PostAlerts_ThenGet_AlertmanagerShapesFieldByField()
    {
        using var factory = new OpsConsoleFactory();
        using var op = await ClientAsync(factory, Roles.Operator);
        using var exec = await ClientAsync(factory, Roles.Executive);

        using var posted = await op.PostAsync("/api/v2/alerts", PostableAlert("ServiceDown", "rag"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var alerts = await exec.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts");
        var groups = await exec.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts/groups");

        var alert = Assert.Single(alerts!);
        Assert.Equal(["annotations", "endsAt", "fingerprint", "receivers", "startsAt", "status", "updatedAt", "generatorURL", "labels"],
            alert.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{\"alertname\":\"ServiceDown\",\"service\":\"rag\",\"severity\":\"critical\"}", alert.GetProperty("labels").GetRawText());
        Assert.Equal("{\"summary\":\"rag is down\"}", alert.GetProperty("annotations").GetRawText());
        Assert.Equal(("2026-11-02T09:00:00Z", "2026-11-02T09:05:00Z", "2026-11-02T09:00:00Z"), (alert.GetProperty("startsAt").GetString(),
            alert.GetProperty("endsAt").GetString(), alert.GetProperty("updatedAt").GetString())); // endsAt: now + resolve_timeout
        Assert.Matches("^[0-9a-f]{16}$", alert.GetProperty("fingerprint").GetString());
        Assert.Equal("[{\"name\":\"default\"}]", alert.GetProperty("receivers").GetRawText());
        Assert.Equal("{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"active\"}", alert.GetProperty("status").GetRawText());
        Assert.Equal("http://prometheus:9090/graph?g0.expr=up", alert.GetProperty("generatorURL").GetString());
        var group = Assert.Single(groups!);
        Assert.Equal(["labels", "receiver", "alerts"], group.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("{\"alertname\":\"ServiceDown\",\"service\":\"rag\"}", "{\"name\":\"default\"}"), (group.GetProperty("labels").GetRawText(), group.GetProperty("receiver").GetRawText()));
        Assert.Equal(alert.GetRawText(), Assert.Single(group.GetProperty("alerts").EnumerateArray()).GetRawText());

        // Read-only roles read, but cannot post.
        using var refused = await exec.PostAsync("/api/v2/alerts", PostableAlert("Other", "x"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // A resolve (endsAt in the past) ends it.
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        (await op.PostAsync("/api/v2/alerts", PostableAlert("ServiceDown", "rag", endsAt: "2026-11-02T09:00:30Z"))).EnsureSuccessStatusCode();
        Assert.Empty((await exec.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts"))!);
        var resolved = Assert.Single((await exec.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/alerts?state=resolved"))!);
        Assert.Equal(("resolved", "external"), (resolved.GetProperty("state").GetString(), resolved.GetProperty("origin").GetString()));
    }

    [Theory]
    [InlineData("[{\"labels\":{}}]", "at least one label pair required")]
    [InlineData("[{\"labels\":{\"bad-name\":\"x\"}}]", "invalid label name \\\"bad-name\\\"")]
    [InlineData("[{\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-11-02T10:00:00Z\",\"endsAt\":\"2026-11-02T09:00:00Z\"}]", "end time must not be before start time")]
    [InlineData("{\"labels\":{\"a\":\"b\"}}", "not valid JSON")]
    public async Task PostAlerts_Invalid_400WithTheReasonAndNothingTaken(string body, string expected)
    {
        using var factory = new OpsConsoleFactory();
        using var op = await ClientAsync(factory, Roles.Operator);
        var valid = "{\"labels\":{\"alertname\":\"Fine\"}}";

        using var response = await op.PostAsync("/api/v2/alerts", Json(body.StartsWith('[') ? "[" + valid + "," + body[1..] : body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts"))!);
    }

    [Fact]
    public async Task Silences_CreateGetListExpire_AlertmanagerShapesAndTheAlertIsSuppressedMeanwhile()
    {
        using var factory = new OpsConsoleFactory();
        using var op = await ClientAsync(factory, Roles.Operator);
        (await op.PostAsync("/api/v2/alerts", PostableAlert("HighLatency", "rag", "warning"))).EnsureSuccessStatusCode();

        using var created = await op.PostAsync("/api/v2/silences", Json("""
            {"matchers":[{"name":"service","value":"rag","isRegex":false,"isEqual":true},{"name":"severity","value":"warn.*","isRegex":true}],
             "startsAt":"2026-11-02T08:00:00Z","endsAt":"2026-11-02T10:00:00Z","createdBy":"ada","comment":"deploying rag"}
            """));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("silenceID").GetString()!;

        var silence = await op.GetFromJsonAsync<JsonElement>($"/api/v2/silence/{id}");
        Assert.Equal(["id", "status", "updatedAt", "comment", "createdBy", "endsAt", "matchers", "startsAt"], silence.EnumerateObject().Select(p => p.Name));
        Assert.Equal((id, "{\"state\":\"active\"}", "ada", "deploying rag"), (silence.GetProperty("id").GetString(), silence.GetProperty("status").GetRawText(),
            silence.GetProperty("createdBy").GetString(), silence.GetProperty("comment").GetString()));
        Assert.Equal(("2026-11-02T09:00:00Z", "2026-11-02T10:00:00Z"), (silence.GetProperty("startsAt").GetString(), silence.GetProperty("endsAt").GetString())); // a past start becomes now
        Assert.Equal("[{\"isEqual\":true,\"isRegex\":false,\"name\":\"service\",\"value\":\"rag\"},{\"isEqual\":true,\"isRegex\":true,\"name\":\"severity\",\"value\":\"warn.*\"}]",
            silence.GetProperty("matchers").GetRawText());
        var alert = Assert.Single((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts"))!);
        Assert.Equal($"{{\"inhibitedBy\":[],\"silencedBy\":[\"{id}\"],\"state\":\"suppressed\"}}", alert.GetProperty("status").GetRawText());
        Assert.Empty((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts?silenced=false"))!);
        Assert.Single((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/silences?filter=service%3D%22rag%22"))!);
        Assert.Empty((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/silences?filter=service%3D%22agent%22"))!);

        factory.Clock.Advance(TimeSpan.FromMinutes(2)); // the alert (resolve timeout 5m) still fires
        using var deleted = await op.DeleteAsync($"/api/v2/silence/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var expired = await op.GetFromJsonAsync<JsonElement>($"/api/v2/silence/{id}");
        Assert.Equal(("{\"state\":\"expired\"}", "2026-11-02T09:02:00Z"), (expired.GetProperty("status").GetRawText(), expired.GetProperty("endsAt").GetString()));
        Assert.Equal("active", Assert.Single((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/alerts"))!).GetProperty("status").GetProperty("state").GetString());
        using var again = await op.DeleteAsync($"/api/v2/silence/{id}");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        using var missing = await op.GetAsync("/api/v2/silence/00000000-0000-0000-0000-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var admin = factory.CreateAdminClient();
        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?limit=100");
        Assert.Contains(audit!, e => (e.GetProperty("action").GetString(), e.GetProperty("targetId").GetString()) == ("silences.create", id));
        Assert.Contains(audit!, e => (e.GetProperty("action").GetString(), e.GetProperty("targetId").GetString()) == ("silences.expire", id));
    }

    [Theory]
    [InlineData("[]", "at least one matcher is required")]
    [InlineData("[{\"name\":\"service\",\"value\":\".*\",\"isRegex\":true}]", "at least one matcher must not match the empty string")]
    [InlineData("[{\"name\":\"service\",\"value\":\"\",\"isRegex\":false}]", "at least one matcher must not match the empty string")]
    [InlineData("[{\"name\":\"service\",\"value\":\"(unclosed\",\"isRegex\":true}]", "invalid regular expression")]
    [InlineData("[{\"name\":\"1bad\",\"value\":\"x\",\"isRegex\":false}]", "not a valid label name")]
    public async Task PostSilence_InvalidMatchers_400WithTheReasonAndNothingCreated(string matchers, string expected)
    {
        using var factory = new OpsConsoleFactory();
        using var op = await ClientAsync(factory, Roles.Operator);

        using var response = await op.PostAsync("/api/v2/silences", Json(
            $"{{\"matchers\":{matchers},\"startsAt\":\"2026-11-02T09:00:00Z\",\"endsAt\":\"2026-11-02T10:00:00Z\",\"createdBy\":\"ada\",\"comment\":\"x\"}}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/silences"))!);
    }

    [Theory]
    [InlineData("2026-11-02T10:00:00Z", "2026-11-02T09:30:00Z", "end time must be after the start time")]
    [InlineData("2026-11-02T07:00:00Z", "2026-11-02T08:00:00Z", "end time can't be in the past")]
    public async Task PostSilence_BadTimes_400AndNothingCreated(string startsAt, string endsAt, string expected)
    {
        using var factory = new OpsConsoleFactory();
        using var op = await ClientAsync(factory, Roles.Operator);

        using var response = await op.PostAsync("/api/v2/silences", Json(
            $"{{\"matchers\":[{{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}}],\"startsAt\":\"{startsAt}\",\"endsAt\":\"{endsAt}\",\"createdBy\":\"ada\",\"comment\":\"x\"}}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await op.GetFromJsonAsync<JsonElement[]>("/api/v2/silences"))!);
    }

    [Fact]
    public async Task Status_AlertmanagerShape()
    {
        using var factory = new OpsConsoleFactory();
        using var exec = await ClientAsync(factory, Roles.Executive);

        var status = await exec.GetFromJsonAsync<JsonElement>("/api/v2/status");

        Assert.Equal(["cluster", "versionInfo", "config", "uptime"], status.EnumerateObject().Select(p => p.Name));
        Assert.Equal("disabled", status.GetProperty("cluster").GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("cluster").GetProperty("peers").GetArrayLength());
        Assert.Equal(["version", "revision", "branch", "buildUser", "buildDate", "goVersion"], status.GetProperty("versionInfo").EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("route:\n  receiver: 'default'\n  group_by: ['alertname', 'service']\n  group_wait: 30s\n  group_interval: 5m\n  repeat_interval: 4h\n",
            status.GetProperty("config").GetProperty("original").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuleAlert_PendingFiringAcknowledged_StatesShownAuditedAndKeptAcrossARestart()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-alerting-").FullName;
        string id;
        using (var first = new RestartableFactory(directory) { KeepDatabase = true })
        {
            using var admin = first.CreateAdminClient();
            var t0 = first.Clock.GetUtcNow();
            await SendAsync(admin, "default", [.. Enumerable.Range(0, 12).Select(i => ("queue_depth", "{\"job\":\"upload\"}", 1500.0, t0.AddSeconds(-50 + (15 * i))))]);
            (await admin.PostAsync("/api/v1/rules", Yaml("""
                groups:
                  - name: queues
                    interval: 1m
                    rules:
                      - alert: QueueBacklog
                        expr: queue_depth > 1000
                        for: 1m
                        labels:
                          severity: warning
                        annotations:
                          summary: "{{ $labels.job }} queue at {{ $value }}"
                """))).EnsureSuccessStatusCode();

            var group = await RunNextCycleAsync(first, admin, "queues");
            var rule = group.GetProperty("rules")[0];
            Assert.Equal(("pending", "ok"), (rule.GetProperty("state").GetString(), rule.GetProperty("health").GetString()));
            Assert.Equal("upload queue at 1500", rule.GetProperty("alerts")[0].GetProperty("annotations").GetProperty("summary").GetString());
            await SendAsync(admin, "default", [("queue_depth", "{\"job\":\"upload\"}", 1600.0, first.Clock.GetUtcNow().AddSeconds(10))]);
            group = await RunNextCycleAsync(first, admin, "queues");
            Assert.Equal("firing", group.GetProperty("rules")[0].GetProperty("state").GetString());

            using var op = await ClientAsync(first, Roles.Operator);
            var alert = Assert.Single((await op.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/alerts?state=firing"))!);
            id = alert.GetProperty("id").GetString()!;
            Assert.Equal(("QueueBacklog", "warning", "{\"alertname\":\"QueueBacklog\",\"job\":\"upload\",\"severity\":\"warning\"}"),
                (alert.GetProperty("name").GetString(), alert.GetProperty("severity").GetString(), alert.GetProperty("labels").GetRawText()));
            using var exec = await ClientAsync(first, Roles.Executive);
            using var forbidden = await exec.PatchAsync($"/api/v1/monitoring/alerts/{id}", Json("{\"action\":\"acknowledge\"}"));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            using var acked = await op.PatchAsync($"/api/v1/monitoring/alerts/{id}", Json("{\"action\":\"acknowledge\",\"comment\":\"draining the queue\"}"));
            Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
            using var resolveRule = await op.PatchAsync($"/api/v1/monitoring/alerts/{id}", Json("{\"action\":\"resolve\"}"));
            Assert.Equal(HttpStatusCode.Conflict, resolveRule.StatusCode);
            using var badAction = await op.PatchAsync($"/api/v1/monitoring/alerts/{id}", Json("{\"action\":\"snooze\"}"));
            Assert.Equal(HttpStatusCode.BadRequest, badAction.StatusCode);
            Assert.Empty((await op.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/alerts?state=firing"))!);
            Assert.Single((await op.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/alerts?state=acknowledged"))!);
            var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?action=alerts.acknowledge");
            Assert.Equal(id, Assert.Single(audit!).GetProperty("targetId").GetString());
        }

        using var second = new RestartableFactory(directory);
        using var again = await ClientAsync(second, Roles.Operator);
        var detail = await again.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/alerts/{id}");
        Assert.Equal(("firing", "draining the queue"), (detail.GetProperty("state").GetString(), detail.GetProperty("acknowledgement").GetProperty("comment").GetString()));
        Assert.Equal(["pending", "firing", "acknowledged"], detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task SilencePreview_ListsTheAlertsItWouldMute_BadMatcherExplained()
    {
        using var factory = new OpsConsoleFactory();
        using var op = await ClientAsync(factory, Roles.Operator);
        (await op.PostAsync("/api/v2/alerts", PostableAlert("Down", "rag"))).EnsureSuccessStatusCode();
        (await op.PostAsync("/api/v2/alerts", PostableAlert("Down", "agent"))).EnsureSuccessStatusCode();

        var preview = await (await op.PostAsync("/api/v1/monitoring/silences/preview", Json("{\"matchers\":[\"service=~\\\"rag|billing\\\"\"]}"))).Content.ReadFromJsonAsync<JsonElement>();
        using var bad = await op.PostAsync("/api/v1/monitoring/silences/preview", Json("{\"matchers\":[\"service=~\\\"(\\\"\"]}"));
        using var created = await op.PostAsync("/api/v1/monitoring/silences", Json("{\"matchers\":[\"service=\\\"rag\\\"\"],\"duration\":\"1h\",\"comment\":\"deploy\"}"));

        Assert.Equal((true, 1), (preview.GetProperty("valid").GetBoolean(), preview.GetProperty("count").GetInt32()));
        Assert.Equal("rag", preview.GetProperty("alerts")[0].GetProperty("labels").GetProperty("service").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("silence");
        var me = await op.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal(("2026-11-02T10:00:00Z", me.GetProperty("name").GetString()), (silence.GetProperty("endsAt").GetString(), silence.GetProperty("createdBy").GetString()));
    }
}
