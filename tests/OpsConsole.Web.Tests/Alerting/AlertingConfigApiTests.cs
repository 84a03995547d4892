using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests.Alerting;

/// <summary>
/// <c>GET/PUT /api/v1/alerting/config</c> over the real console: seeded from the Alerting section, validated field by
/// field, secrets masked, applied to the running notifier (a test notification reaches a real local receiver) and kept
/// across restarts on SQLite and PostgreSQL.
/// </summary>
public sealed class AlertingConfigApiTests
{
    private sealed class RestartableFactory(string directory) : OpsConsoleFactory(directory);

    private sealed class PostgresRestartableFactory(string directory, string database) : OpsConsoleFactory(directory)
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(PostgresConsoleFactory.AdminConnectionString) { Database = database, Pooling = false }.ToString(),
        };
    }

    private static string Document(string hookUrl, string pagerDutyUrl, string routingKey = "rk-secret-123", string password = "pw-secret-456") => $$"""
        {
          "route": { "receiver": "oncall", "groupBy": ["alertname"], "groupWait": "10s",
                     "routes": [ { "receiver": "db-team", "matchers": ["service=\"db\""], "groupBy": ["alertname", "service"] } ] },
          "receivers": [ { "name": "oncall", "channels": ["hook", "pd"], "escalation": "page-then-mail" }, { "name": "db-team", "channels": ["mail"] } ],
          "escalations": [ { "name": "page-then-mail", "steps": [ { "wait": "0s", "channels": ["pd"] }, { "wait": "15m", "channels": ["mail"] } ] } ],
          "inhibitRules": [ { "sourceMatchers": ["severity=\"critical\""], "targetMatchers": ["severity=\"warning\""], "equal": ["service"] } ],
          "channels": [
            { "name": "hook", "type": "webhook", "url": "{{hookUrl}}" },
            { "name": "pd", "type": "pagerduty", "routingKey": "{{routingKey}}", "url": "{{pagerDutyUrl}}" },
            { "name": "mail", "type": "email", "smtpHost": "127.0.0.1", "smtpPort": 2525, "smtpSecurity": "none", "username": "u", "password": "{{password}}", "from": "oc@example.com", "to": ["db@example.com"] }
          ]
        }
        """;

    private static async Task<JsonElement> GetAsync(HttpClient admin) => await admin.GetFromJsonAsync<JsonElement>("/api/v1/alerting/config");

    private static async Task<JsonElement> TestAsync(HttpClient admin, string channel)
    {
        using var response = await admin.PostAsync($"/api/v1/monitoring/notifications/channels/{channel}/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Get_BeforeAnyEdit_IsVersionOneSeededFromTheAlertingSection()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();

        var config = await GetAsync(admin);

        Assert.Equal(1, config.GetProperty("version").GetInt64());
        Assert.Equal("config", config.GetProperty("savedBy").GetString());
        Assert.Equal("default", config.GetProperty("config").GetProperty("route").GetProperty("receiver").GetString());
        var inhibit = Assert.Single(config.GetProperty("config").GetProperty("inhibitRules").EnumerateArray());
        Assert.Equal(["alertname=\"ServiceDown\"", "severity=\"critical\""], inhibit.GetProperty("sourceMatchers").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Put_AValidDocument_IsAppliedWithoutRestartMasksSecretsAndIsAudited()
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var pagerDuty = await HttpReceiver.StartAsync();
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();

        using var put = await admin.PutAsync("/api/v1/alerting/config?version=1", Json(Document(hook.Url + "/hook", pagerDuty.Url + "/v2/enqueue")));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = await GetAsync(admin);
        Assert.Equal(2, saved.GetProperty("version").GetInt64());
        Assert.StartsWith("apikey:", saved.GetProperty("savedBy").GetString(), StringComparison.Ordinal);
        var channels = saved.GetProperty("config").GetProperty("channels");
        Assert.Equal("********", channels[1].GetProperty("routingKey").GetString());
        Assert.Equal("********", channels[2].GetProperty("password").GetString());
        Assert.Equal(hook.Url + "/hook", channels[0].GetProperty("url").GetString()); // a webhook's address is not a secret
        Assert.DoesNotContain("rk-secret-123", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The running notifier has the new channels: a test notification reaches the receiver at once.
        Assert.True((await TestAsync(admin, "hook")).GetProperty("delivered").GetBoolean());
        var (path, body) = Assert.Single(hook.Received);
        Assert.Equal("/hook", path);
        Assert.Equal("OpsConsoleTestNotification", body.GetProperty("commonLabels").GetProperty("alertname").GetString());
        // The Alertmanager API reports the new receivers.
        var receivers = await admin.GetFromJsonAsync<JsonElement[]>("/api/v2/receivers");
        Assert.Equal(["db-team", "oncall"], receivers!.Select(r => r.GetProperty("name").GetString()).Order(StringComparer.Ordinal));

        // Saving the masked document back keeps the stored secret (PagerDuty still gets the real routing key).
        var masked = saved.GetProperty("config").GetRawText();
        using var again = await admin.PutAsync("/api/v1/alerting/config", Json(masked));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, (await GetAsync(admin)).GetProperty("version").GetInt64());
        Assert.True((await TestAsync(admin, "pd")).GetProperty("delivered").GetBoolean());
        Assert.Equal("rk-secret-123", Assert.Single(pagerDuty.Received).Body.GetProperty("routing_key").GetString());

        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?limit=1000");
        var updates = audit!.Where(e => e.GetProperty("action").GetString() == "alerting.config.update").ToList();
        Assert.Equal(["2", "3"], updates.Select(e => e.GetProperty("targetId").GetString()).Order(StringComparer.Ordinal));
        var text = string.Join("\n", updates.Select(e => e.GetRawText()));
        Assert.Contains("page-then-mail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rk-secret-123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret-456", text, StringComparison.Ordinal);

        var versions = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/alerting/config/versions");
        Assert.Equal([3L, 2L, 1L], versions!.Select(v => v.GetProperty("version").GetInt64()));
        Assert.Equal("config", versions![2].GetProperty("savedBy").GetString());
    }

    public static TheoryData<string, string, string> BadDocuments => new()
    {
        { """{"channels":[{"name":"hook","type":"webhook","url":"not a url"}]}""", "channels[0].url", "absolute http(s) URL" },
        { """{"channels":[{"name":"x","type":"sms"}]}""", "channels[0].type", "is not one of webhook, slack, email, pagerduty" },
        { """{"receivers":[{"name":"oncall","channels":["nowhere"]}],"route":{"receiver":"oncall"}}""", "receivers[0].channels", "\"nowhere\" is not one of channels" },
        { """{"route":{"routes":[{"receiver":"ghost"}]}}""", "route.routes[0].receiver", "\"ghost\" is not one of receivers" },
        { """{"route":{"groupWait":"soon"}}""", "route.groupWait", "not a duration" },
        { """{"route":{"routes":[{"matchers":["service=~\"(\""]}]}}""", "route.routes[0].matchers", "" },
        { """{"inhibitRules":[{"sourceMatchers":["severity"],"targetMatchers":[]}]}""", "inhibitRules[0].sourceMatchers", "" },
        { """{"escalations":[{"name":"e","steps":[]}]}""", "escalations[0].steps", "at least one step" },
        { """{"receivers":[{"name":"a"},{"name":"a"}]}""", "receivers[1].name", "used twice" },
        { """{"channels":[{"name":"pd","type":"pagerduty","routingKey":"********"}]}""", "channels[0].routingKey", "masked but no secret is stored" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task Put_AnInvalidDocument_Is400NamingTheFieldAndChangesNothing(string document, string field, string message)
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PutAsync("/api/v1/alerting/config", Json(document));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains(message, StringComparison.Ordinal));
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await GetAsync(admin)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Put_MalformedJsonOrAStaleVersion_IsRefusedAndChangesNothing()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();

        using var malformed = await admin.PutAsync("/api/v1/alerting/config", Json("""{"route": {"receiver": """));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("not an alerting configuration document", (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var empty = await admin.PutAsync("/api/v1/alerting/config", Json("null"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        using var stale = await admin.PutAsync("/api/v1/alerting/config?version=7", Json("""{"route":{"receiver":"default"},"receivers":[{"name":"default"}]}"""));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("version 7 is no longer the newest (it is 1", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(1, (await GetAsync(admin)).GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData("Operator")]
    [InlineData("Executive")]
    public async Task Config_ForOtherRoles_IsForbidden(string role)
    {
        using var factory = new OpsConsoleFactory();
        using var client = factory.CreateApiClient(await factory.CreateKeyAsync("cfg-" + role.ToLowerInvariant(), "role", role));

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/alerting/config")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsync("/api/v1/alerting/config", Json("{}"))).StatusCode);
        using var admin = factory.CreateAdminClient();
        Assert.Equal(1, (await GetAsync(admin)).GetProperty("version").GetInt64());
    }

    private static async Task RestartKeepsTheEditAsync(Func<OpsConsoleFactory> create)
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var pagerDuty = await HttpReceiver.StartAsync();
        using (var first = create())
        {
            using var admin = first.CreateAdminClient();
            using var put = await admin.PutAsync("/api/v1/alerting/config", Json(Document(hook.Url + "/hook", pagerDuty.Url + "/pd")));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var second = create();
        using var again = second.CreateAdminClient();
        var config = await GetAsync(again);
        Assert.Equal(2, config.GetProperty("version").GetInt64());
        Assert.Equal("oncall", config.GetProperty("config").GetProperty("route").GetProperty("receiver").GetString());
        Assert.Equal("db-team", config.GetProperty("config").GetProperty("route").GetProperty("routes")[0].GetProperty("receiver").GetString());

        // Applied at start-up, secrets included: PagerDuty gets the routing key saved before the restart.
        Assert.True((await TestAsync(again, "pd")).GetProperty("delivered").GetBoolean());
        Assert.Equal("rk-secret-123", Assert.Single(pagerDuty.Received).Body.GetProperty("routing_key").GetString());
    }

    [Fact]
    public async Task Put_OnOneReplica_IsAppliedByAnotherSharingTheDatabase()
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var pagerDuty = await HttpReceiver.StartAsync();
        var directory = Directory.CreateTempSubdirectory("opsconsole-alerting-config-").FullName;
        using var first = new RestartableFactory(directory) { KeepDatabase = true };
        using var second = new RestartableFactory(directory);
        using var a = first.CreateAdminClient();
        using var b = second.CreateAdminClient();
        Assert.Equal(1, (await GetAsync(b)).GetProperty("version").GetInt64());

        using var put = await a.PutAsync("/api/v1/alerting/config", Json(Document(hook.Url + "/hook", pagerDuty.Url + "/pd")));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // The other replica looks for newer versions every 15 s of its clock.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await GetAsync(b)).GetProperty("version").GetInt64() != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second replica never applied version 2");
            second.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        Assert.True((await TestAsync(b, "hook")).GetProperty("delivered").GetBoolean());
        Assert.Single(hook.Received);
    }

    [Fact]
    public async Task Restart_OnSqlite_KeepsTheEditedConfiguration()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-alerting-config-").FullName;
        var hosts = 0;
        await RestartKeepsTheEditAsync(() => new RestartableFactory(directory) { KeepDatabase = ++hosts < 2 });
    }

    [Fact]
    public async Task Restart_OnPostgres_KeepsTheEditedConfiguration()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-alerting-config-").FullName;
        var database = await PostgresConsoleFactory.CreateDatabaseAsync();
        var hosts = 0;
        await RestartKeepsTheEditAsync(() => new PostgresRestartableFactory(directory, database) { KeepDatabase = ++hosts < 2 });
    }
}
