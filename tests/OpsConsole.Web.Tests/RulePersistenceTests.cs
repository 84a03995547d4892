using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.RuleApiTests;
using static OpsConsole.Web.Tests.RuleEvaluationTests;

namespace OpsConsole.Web.Tests;

/// <summary>Rule groups (from the API and from the rules folder) and what they recorded survive restarts, on both databases.</summary>
public sealed class RulePersistenceTests
{
    /// <summary>A console on SQLite in <paramref name="directory"/>, which also holds its rules folder.</summary>
    private sealed class SqliteRulesFactory(string directory) : OpsConsoleFactory(directory);

    /// <summary>A console on its own PostgreSQL database, with its rules folder in <paramref name="directory"/>.</summary>
    private sealed class PostgresRulesFactory(string directory, string database) : OpsConsoleFactory(directory)
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(PostgresConsoleFactory.AdminConnectionString) { Database = database, Pooling = false }.ToString(),
        };
    }

    private static void WriteRuleFile(OpsConsoleFactory factory, string file, string yaml)
    {
        Directory.CreateDirectory(factory.RulesDirectory);
        File.WriteAllText(Path.Combine(factory.RulesDirectory, file), yaml);
    }

    private static string Recording(string group, params (string Record, string Expr)[] rules) =>
        $"groups:\n  - name: {group}\n    rules:\n" + string.Concat(rules.Select(r => $"      - record: {r.Record}\n        expr: {r.Expr}\n"));

    private static async Task RestartsKeepRulesAsync(Func<OpsConsoleFactory> create)
    {
        JsonElement apiGroupBefore;
        DateTimeOffset t0;
        using (var first = create())
        {
            t0 = first.Clock.GetUtcNow();
            WriteRuleFile(first, "a.yml", Recording("provisioned-a", ("a:one", "vector(1)")));
            WriteRuleFile(first, "b.yml", Recording("provisioned-b", ("b:two", "vector(2)")));
            using var admin = first.CreateAdminClient();
            (await admin.PostAsync("/api/v1/rules", Yaml("groups:\n  - name: api-group\n    interval: 1m\n    rules:\n      - record: api:answer\n        expr: vector(42)\n"))).EnsureSuccessStatusCode();
            (await admin.PostAsync("/api/v1/rules", Yaml(
                "groups:\n  - name: api-signals\n    rules:\n      - alert: Errors\n        logs: {query: 'level:error service:rag', window: 10m, op: '>=', threshold: 5}\n"
                + "      - alert: Down\n        health: {service: rag}\n        for: 2m\n"))).EnsureSuccessStatusCode();
            await RunNextCycleAsync(first, admin, "api-group");
            apiGroupBefore = await GroupAsync(admin, "api-group");
        }

        using (var second = create())
        {
            // Meanwhile: a.yml gains a rule, b.yml is broken. The clock moves on past the recorded sample.
            WriteRuleFile(second, "a.yml", Recording("provisioned-a", ("a:one", "vector(1)"), ("a:three", "vector(3)")));
            WriteRuleFile(second, "b.yml", "groups:\n  - name: provisioned-b\n    rules:\n      - record: b:two\n        expr: vector(2\n");
            second.Clock.Advance(TimeSpan.FromMinutes(2));
            using var admin = second.CreateAdminClient();

            var api = await GroupAsync(admin, "api-group");
            Assert.Equal(("api", "api", apiGroupBefore.GetProperty("updatedAt").GetString(), apiGroupBefore.GetProperty("updatedBy").GetString()),
                (api.GetProperty("source").GetString(), api.GetProperty("file").GetString(), api.GetProperty("updatedAt").GetString(), api.GetProperty("updatedBy").GetString()));
            Assert.Equal("vector(42)", api.GetProperty("rules")[0].GetProperty("query").GetString());
            var signals = (await GroupAsync(admin, "api-signals")).GetProperty("rules"); // OpsConsole's log and health conditions, stored as YAML
            var logs = signals[0].GetProperty("logCondition");
            Assert.Equal(("level:error service:rag", 600.0, ">=", 5.0),
                (logs.GetProperty("query").GetString(), logs.GetProperty("window").GetDouble(), logs.GetProperty("op").GetString(), logs.GetProperty("threshold").GetDouble()));
            Assert.Equal(("rag", 120.0), (signals[1].GetProperty("healthCondition").GetProperty("service").GetString(), signals[1].GetProperty("duration").GetDouble()));
            Assert.Equal(["a:one", "a:three"], (await GroupAsync(admin, "provisioned-a")).GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
            var kept = await GroupAsync(admin, "provisioned-b"); // its file is broken now: the last good version stays
            Assert.Equal(("b:two", "vector(2)"), (kept.GetProperty("rules")[0].GetProperty("name").GetString(), kept.GetProperty("rules")[0].GetProperty("query").GetString()));

            // What the first console recorded was durable: reloaded from the database into the hot store.
            var answer = Assert.Single(await QueryAsync(admin, "api:answer", t0.AddMinutes(1).AddSeconds(30)));
            Assert.Equal(42.0, Number(answer.GetProperty("value")[1]));

            var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?actor=provisioning&limit=1000");
            Assert.Contains(audit!, e => (e.GetProperty("action").GetString(), e.GetProperty("targetId").GetString()) == ("rules.group.replace", "provisioned-a"));
            Assert.Contains(audit!, e => (e.GetProperty("action").GetString(), e.GetProperty("targetId").GetString()) == ("rules.group.create", "provisioned-b"));
        }

        using var third = create();
        File.Delete(Path.Combine(third.RulesDirectory, "b.yml")); // the file is gone: so is its group
        using var last = third.CreateAdminClient();
        var names = (await GroupsAsync(last)).Select(g => g.GetProperty("name").GetString()).ToList();
        Assert.Equal(["api-group", "api-signals", "provisioned-a"], names);
    }

    [Fact]
    public async Task Restart_OnSqlite_ApiAndProvisionedGroupsAndRecordedSeriesSurvive()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-rules-").FullName;
        var hosts = 0;
        await RestartsKeepRulesAsync(() => new SqliteRulesFactory(directory) { KeepDatabase = ++hosts < 3 });
    }

    [Fact]
    public async Task Restart_OnPostgres_ApiAndProvisionedGroupsAndRecordedSeriesSurvive()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-rules-").FullName;
        var database = await PostgresConsoleFactory.CreateDatabaseAsync();
        var hosts = 0;
        await RestartsKeepRulesAsync(() => new PostgresRulesFactory(directory, database) { KeepDatabase = ++hosts < 3 });
    }
}
