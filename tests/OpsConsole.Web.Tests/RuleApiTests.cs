using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>Importing, listing and deleting rule groups through the API; provisioned groups; query explain.</summary>
public sealed class RuleApiTests(RuleApiTests.ProvisionedConsoleFactory factory) : IClassFixture<RuleApiTests.ProvisionedConsoleFactory>
{
    /// <summary>A console that starts with one valid and one broken file in its rules folder.</summary>
    public sealed class ProvisionedConsoleFactory : OpsConsoleFactory
    {
        public ProvisionedConsoleFactory()
        {
            Directory.CreateDirectory(RulesDirectory);
            File.WriteAllText(Path.Combine(RulesDirectory, "platform.yml"), """
                groups:
                  - name: platform
                    interval: 30s
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                """);
            File.WriteAllText(Path.Combine(RulesDirectory, "broken.yaml"), """
                groups:
                  - name: broken
                    rules:
                      - record: job:up:count
                        expr: count(up
                """);
            File.WriteAllText(Path.Combine(RulesDirectory, "notes.txt"), "not a rule file");
        }
    }

    internal static StringContent Yaml(string yaml, string mediaType = "application/yaml") => new(yaml, Encoding.UTF8, mediaType);

    internal static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    internal static async Task<JsonElement[]> GroupsAsync(HttpClient client, string query = "")
    {
        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/rules" + query);
        Assert.Equal("success", body.GetProperty("status").GetString());
        return [.. body.GetProperty("data").GetProperty("groups").EnumerateArray()];
    }

    private static string TwoRules(string group) => $$$"""
        groups:
          - name: {{{group}}}
            interval: 2m
            labels:
              team: checkout
            rules:
              - record: service:http_requests:rate5m
                expr: sum by (service) (rate(http_requests_total[5m]))
                labels:
                  source: recorded
              - alert: HighErrorRate
                expr: service:http_request_errors:ratio_rate5m > 0.05
                for: 5m
                keep_firing_for: 1m
                labels:
                  severity: critical
                annotations:
                  summary: "{{ $labels.service }} is failing"
        """;

    [Fact]
    public async Task Import_ValidFile_IsListedInPrometheusRulesShape()
    {
        using var admin = factory.CreateAdminClient();
        var name = Unique("checkout");

        using var response = await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(name)));
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var change = Assert.Single(answer.GetProperty("data").GetProperty("groups").EnumerateArray());
        Assert.Equal((name, "create", 2), (change.GetProperty("name").GetString(), change.GetProperty("action").GetString(), change.GetProperty("rules").GetInt32()));
        var group = (await GroupsAsync(admin)).Single(g => g.GetProperty("name").GetString() == name);
        Assert.Equal(("api", 120.0, "api", false), (group.GetProperty("file").GetString(), group.GetProperty("interval").GetDouble(),
            group.GetProperty("source").GetString(), group.GetProperty("readOnly").GetBoolean()));
        Assert.Equal("checkout", group.GetProperty("labels").GetProperty("team").GetString());
        var rules = group.GetProperty("rules").EnumerateArray().ToArray();
        Assert.Equal(2, rules.Length);
        Assert.Equal(("recording", "service:http_requests:rate5m", "sum by (service) (rate(http_requests_total[5m]))", "unknown", ""),
            (rules[0].GetProperty("type").GetString(), rules[0].GetProperty("name").GetString(), rules[0].GetProperty("query").GetString(),
             rules[0].GetProperty("health").GetString(), rules[0].GetProperty("lastError").GetString()));
        Assert.Equal("recorded", rules[0].GetProperty("labels").GetProperty("source").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", rules[0].GetProperty("lastEvaluation").GetString()); // never evaluated yet
        Assert.Equal(("alerting", "HighErrorRate", 300.0, 60.0, "inactive"),
            (rules[1].GetProperty("type").GetString(), rules[1].GetProperty("name").GetString(), rules[1].GetProperty("duration").GetDouble(),
             rules[1].GetProperty("keepFiringFor").GetDouble(), rules[1].GetProperty("state").GetString()));
        Assert.Equal("{{ $labels.service }} is failing", rules[1].GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Empty(rules[1].GetProperty("alerts").EnumerateArray());

        var recordingOnly = (await GroupsAsync(admin, $"?type=record&rule_group[]={name}")).Single();
        Assert.Equal(["recording"], recordingOnly.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Import_SameFileAgain_ReplacesOnlyWhatChanged_AndIsAudited()
    {
        using var admin = factory.CreateAdminClient();
        var name = Unique("audited");
        (await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(name)))).EnsureSuccessStatusCode();

        using var again = await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(name), "text/yaml"));
        using var changed = await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(name).Replace("interval: 2m", "interval: 1m", StringComparison.Ordinal)));

        Assert.Equal("unchanged", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("groups")[0].GetProperty("action").GetString());
        Assert.Equal("replace", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("groups")[0].GetProperty("action").GetString());
        Assert.Equal(60.0, (await GroupsAsync(admin)).Single(g => g.GetProperty("name").GetString() == name).GetProperty("interval").GetDouble());
        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?limit=1000");
        var entries = audit!.Where(e => e.GetProperty("targetId").GetString() == name).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["rules.group.replace", "rules.group.create"], entries); // newest first; the unchanged import wrote nothing
    }

    [Fact]
    public async Task Import_DryRun_ValidatesAndChangesNothing()
    {
        using var admin = factory.CreateAdminClient();
        var name = Unique("dry");

        using var response = await admin.PostAsync("/api/v1/rules?dryRun=true", Yaml(TwoRules(name)));
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(answer.GetProperty("data").GetProperty("dryRun").GetBoolean());
        Assert.Equal("create", answer.GetProperty("data").GetProperty("groups")[0].GetProperty("action").GetString());
        Assert.DoesNotContain(await GroupsAsync(admin), g => g.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task Import_FileWithABadRule_Answers400WithEveryErrorAndChangesNothing()
    {
        using var admin = factory.CreateAdminClient();
        var existing = Unique("kept");
        (await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(existing)))).EnsureSuccessStatusCode();
        var fresh = Unique("fresh");
        var bad = $$"""
            groups:
              - name: {{existing}}
                rules:
                  - record: replaced:one
                    expr: vector(1)
              - name: {{fresh}}
                rules:
                  - record: fine:one
                    expr: vector(1)
                  - alert: HighErrorRate
                    expr: sum(rate(http_requests_total[5m]) >
                  - record: 1bad
                    expr: up
                    for: 5m
            """;

        using var response = await admin.PostAsync("/api/v1/rules", Yaml(bad));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains($"group \"{fresh}\", rule 2 (alert HighErrorRate): expr: could not parse expression: unexpected end of input at position 36", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains($"group \"{fresh}\", rule 3 (record 1bad): record: invalid recording rule name \"1bad\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains($"group \"{fresh}\", rule 3 (record 1bad): for: invalid field in a recording rule", StringComparison.Ordinal));
        var structured = problem.GetProperty("ruleErrors")[0];
        Assert.Equal((fresh, 2, "alerting", "HighErrorRate", "expr", 11), (structured.GetProperty("group").GetString(), structured.GetProperty("rule").GetInt32(),
            structured.GetProperty("ruleType").GetString(), structured.GetProperty("ruleName").GetString(), structured.GetProperty("field").GetString(), structured.GetProperty("line").GetInt32()));
        Assert.Contains("nothing was changed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var groups = await GroupsAsync(admin);
        Assert.DoesNotContain(groups, g => g.GetProperty("name").GetString() == fresh);
        var kept = groups.Single(g => g.GetProperty("name").GetString() == existing);
        Assert.Equal("service:http_requests:rate5m", kept.GetProperty("rules")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("", "application/yaml", HttpStatusCode.BadRequest, "no groups")]
    [InlineData("groups: [", "application/yaml", HttpStatusCode.BadRequest, "invalid YAML")]
    [InlineData("{\"groups\":[]}", "application/json", HttpStatusCode.UnsupportedMediaType, "Content-Type: application/yaml")]
    public async Task Import_UnusableBody_ClearErrorAndNothingChanges(string body, string mediaType, HttpStatusCode status, string says)
    {
        using var admin = factory.CreateAdminClient();
        var before = (await GroupsAsync(admin)).Length;

        using var response = await admin.PostAsync("/api/v1/rules", Yaml(body, mediaType));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(says, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await GroupsAsync(admin)).Length);
    }

    [Fact]
    public async Task Import_LargerThanTheLimit_Answers413()
    {
        using var admin = factory.CreateAdminClient();
        var huge = "groups: []\n" + new string('#', OpsConsole.Web.Api.RuleEndpoints.MaxRuleFileBytes);

        using var response = await admin.PostAsync("/api/v1/rules", Yaml(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Delete_ApiGroup_IsGoneAndAudited_SecondDeleteIs404()
    {
        using var admin = factory.CreateAdminClient();
        var name = Unique("doomed");
        (await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(name)))).EnsureSuccessStatusCode();

        using var deleted = await admin.DeleteAsync($"/api/v1/rules/groups/{name}");
        using var again = await admin.DeleteAsync($"/api/v1/rules/groups/{name}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains(name, await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await GroupsAsync(admin), g => g.GetProperty("name").GetString() == name);
        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?action=rules.group.delete");
        var entry = audit!.Single(e => e.GetProperty("targetId").GetString() == name);
        Assert.Contains("HighErrorRate", entry.GetProperty("before").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Executive)]
    public async Task ImportAndDelete_NonAdmin_403AndNothingChanges_ButTheyCanRead(string role)
    {
        using var admin = factory.CreateAdminClient();
        var name = Unique("guarded");
        (await admin.PostAsync("/api/v1/rules", Yaml(TwoRules(name)))).EnsureSuccessStatusCode();
        using var client = factory.CreateApiClient(await factory.CreateKeyAsync(Unique("rules-" + role), "role", role));

        using var import = await client.PostAsync("/api/v1/rules", Yaml(TwoRules(Unique("sneaky"))));
        using var delete = await client.DeleteAsync($"/api/v1/rules/groups/{name}");

        Assert.Equal(HttpStatusCode.Forbidden, import.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Contains(await GroupsAsync(client), g => g.GetProperty("name").GetString() == name);
        Assert.DoesNotContain(await GroupsAsync(admin), g => g.GetProperty("name").GetString()!.StartsWith("sneaky", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_TenantAdmin_IsForbidden()
    {
        using var client = factory.CreateApiClient(await factory.CreateKeyAsync(Unique("rules-tenant"), "role", Roles.TenantAdmin, "acme"));

        using var response = await client.GetAsync("/api/v1/rules");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Provisioned_ValidFileLoaded_BrokenFileSkipped_OtherFilesIgnored()
    {
        using var admin = factory.CreateAdminClient();

        var groups = await GroupsAsync(admin);

        var platform = groups.Single(g => g.GetProperty("name").GetString() == "platform");
        Assert.Equal(("provisioned", true, $"{factory.RulesDirectory}/platform.yml", 30.0),
            (platform.GetProperty("source").GetString(), platform.GetProperty("readOnly").GetBoolean(), platform.GetProperty("file").GetString(), platform.GetProperty("interval").GetDouble()));
        Assert.Equal("job:up:sum", platform.GetProperty("rules")[0].GetProperty("name").GetString());
        Assert.DoesNotContain(groups, g => g.GetProperty("name").GetString() == "broken");
    }

    [Fact]
    public async Task Provisioned_ImportOrDeleteThroughTheApi_409WithTheFileAndNothingChanges()
    {
        using var admin = factory.CreateAdminClient();
        var overwrite = "groups:\n  - name: platform\n    rules:\n      - record: job:up:max\n        expr: max by (job) (up)\n";

        using var import = await admin.PostAsync("/api/v1/rules", Yaml(overwrite));
        using var delete = await admin.DeleteAsync("/api/v1/rules/groups/platform");

        Assert.Equal(HttpStatusCode.Conflict, import.StatusCode);
        Assert.Contains("platform (provisioned from", await import.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("platform.yml", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var platform = (await GroupsAsync(admin)).Single(g => g.GetProperty("name").GetString() == "platform");
        Assert.Equal("job:up:sum", platform.GetProperty("rules")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Explain_Query_ReturnsTheParsedTree()
    {
        using var client = factory.CreateApiClient(await factory.CreateKeyAsync(Unique("explain-tenant"), "role", Roles.TenantAdmin, "acme"));
        const string query = "sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m])) > 0.5";

        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/query/explain?query=" + Uri.EscapeDataString(query));

        Assert.Equal("success", body.GetProperty("status").GetString());
        var tree = body.GetProperty("data").GetProperty("tree");
        Assert.Equal(("binaryExpr", ">", "vector", 1), (tree.GetProperty("type").GetString(), tree.GetProperty("operator").GetString(),
            tree.GetProperty("resultType").GetString(), tree.GetProperty("position").GetInt32()));
        var sum = tree.GetProperty("children")[0];
        Assert.Equal(("aggregation", "sum", "service"), (sum.GetProperty("type").GetString(), sum.GetProperty("operator").GetString(), sum.GetProperty("grouping")[0].GetString()));
        var rate = sum.GetProperty("children")[0];
        Assert.Equal(("call", "rate", 19), (rate.GetProperty("type").GetString(), rate.GetProperty("function").GetString(), rate.GetProperty("position").GetInt32()));
        var selector = rate.GetProperty("children")[0];
        Assert.Equal(("matrixSelector", "matrix", "5m", "http_requests_total"), (selector.GetProperty("type").GetString(), selector.GetProperty("resultType").GetString(),
            selector.GetProperty("range").GetString(), selector.GetProperty("metricName").GetString()));
        Assert.Contains(selector.GetProperty("matchers").EnumerateArray(), m =>
            (m.GetProperty("name").GetString(), m.GetProperty("type").GetString(), m.GetProperty("value").GetString()) == ("status", "=~", "5.."));
        var threshold = tree.GetProperty("children")[1];
        Assert.Equal(("numberLiteral", "0.5", "scalar"), (threshold.GetProperty("type").GetString(), threshold.GetProperty("value").GetString(), threshold.GetProperty("resultType").GetString()));
        Assert.False(threshold.TryGetProperty("matchers", out _)); // fields that do not apply are left out
    }

    [Fact]
    public async Task Explain_FormPost_IsAnsweredLikeGet()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/v1/query/explain", new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = "-up offset 5m" }));
        var tree = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("tree");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unaryExpr", tree.GetProperty("type").GetString());
        Assert.Equal(("vectorSelector", "5m", 2), (tree.GetProperty("children")[0].GetProperty("type").GetString(),
            tree.GetProperty("children")[0].GetProperty("offset").GetString(), tree.GetProperty("children")[0].GetProperty("position").GetInt32()));
    }

    [Theory]
    [InlineData("sum(rate(x[5m])", "unexpected end of input at position 16", 16)]
    [InlineData("up{job=~\"(\"}", "invalid regular expression", 9)]
    [InlineData("rate(up)", "argument 1 of \"rate\" must be a range vector", 1)]
    public async Task Explain_ParseError_BadDataWithThePosition(string query, string says, int position)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync("/api/v1/query/explain?query=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("error", "bad_data", position), (body.GetProperty("status").GetString(), body.GetProperty("errorType").GetString(), body.GetProperty("position").GetInt32()));
        Assert.Contains(says, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_NoQuery_BadData()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync("/api/v1/query/explain");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_data", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorType").GetString());
    }

    /// <summary>Waits (polling, with a timeout) until <paramref name="condition"/> holds.</summary>
    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string because)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                Assert.Fail($"Timed out waiting until {because}.");
            }

            await Task.Delay(20);
        }
    }

    internal static double Number(JsonElement value) => double.Parse(value.GetString()!, CultureInfo.InvariantCulture);
}
