using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests.Dashboards;

/// <summary>A console whose dashboards folder is a temporary one the test writes (so provisioning can be changed between starts).</summary>
public class ProvisioningConsoleFactory : OpsConsoleFactory
{
    public ProvisioningConsoleFactory()
        : this(Directory.CreateTempSubdirectory("opsconsole-dashstore-").FullName)
    {
    }

    public ProvisioningConsoleFactory(string directory)
        : base(directory)
    {
        DashboardsDirectory = Path.Combine(directory, "dashboards");
        Directory.CreateDirectory(DashboardsDirectory);
    }

    public string DashboardsDirectory { get; }

    protected override bool UseFakeClock => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Dashboards:Directory"] = DashboardsDirectory };
}

/// <summary>The same, on its own fresh PostgreSQL database.</summary>
public sealed class PostgresProvisioningConsoleFactory(string directory, string database) : ProvisioningConsoleFactory(directory)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Dashboards:Directory"] = DashboardsDirectory,
        ["Storage:Provider"] = "Postgres",
        ["Storage:ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConsoleFactory.AdminConnectionString) { Database = database, Pooling = false }.ToString(),
    };
}

/// <summary>Dashboards saved, versioned, restored, exported and deleted through <c>/api/v1/dashboards</c> on the real console.</summary>
public sealed class DashboardApiTests
{
    internal static string Doc(string uid, string title, string panelTitle = "Requests", string expr = "sum(rate(http_requests_total[5m]))", int width = 12) => $$"""
        {
          "schemaVersion": 1, "uid": "{{uid}}", "title": "{{title}}", "time": { "from": "now-1h", "to": "now" }, "refresh": "live",
          "rows": [ { "title": "Traffic", "panels": [
            { "title": "{{panelTitle}}", "type": "timeseries", "gridPos": { "x": 0, "y": 0, "w": {{width}}, "h": 6 },
              "targets": [ { "expr": "{{expr.Replace("\"", "\\\"", StringComparison.Ordinal)}}" } ] } ] } ]
        }
        """;

    internal static StringContent Save(string dashboard, int? version = null, string? message = null) =>
        Json($$"""{ "dashboard": {{dashboard}}{{(version is null ? "" : $", \"version\": {version}")}}{{(message is null ? "" : $", \"message\": \"{message}\"")}} }""");

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> AssertStatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task CreateSaveAndStaleSave_EachSaveIsAVersion_AndASaveOverANewerVersionIs409AndChangesNothing()
    {
        using var factory = new ProvisioningConsoleFactory();
        using var admin = factory.CreateAdminClient();

        var created = await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards", Save(Doc("team-a", "Team A"), message: "first cut")), HttpStatusCode.Created);
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal("/dashboards/team-a", created.GetProperty("url").GetString());

        var saved = await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/team-a", Save(Doc("team-a", "Team A v2"), 1, "renamed")), HttpStatusCode.OK);
        Assert.Equal(2, saved.GetProperty("version").GetInt32());

        // Someone else's editor still holds version 1.
        var stale = await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/team-a", Save(Doc("team-a", "Team A (stale)"), 1)), HttpStatusCode.Conflict);
        Assert.Contains("is at version 2", stale.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("made on version 1", stale.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, stale.GetProperty("currentVersion").GetInt32());

        var current = await GetJsonAsync(admin, "/api/v1/dashboards/team-a");
        Assert.Equal("Team A v2", current.GetProperty("dashboard").GetProperty("title").GetString());
        Assert.Equal(2, current.GetProperty("meta").GetProperty("version").GetInt32());
        var versions = (await GetJsonAsync(admin, "/api/v1/dashboards/team-a/versions")).EnumerateArray().ToList();
        Assert.Equal([2, 1], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(["renamed", "first cut"], versions.Select(v => v.GetProperty("message").GetString()));
        var savedBy = versions.Select(v => v.GetProperty("savedBy").GetString()).Distinct().ToList();
        Assert.NotEqual("provisioning", Assert.Single(savedBy));
        var first = await GetJsonAsync(admin, "/api/v1/dashboards/team-a/versions/1");
        Assert.Equal("Team A", first.GetProperty("dashboard").GetProperty("title").GetString());

        // Every change is in the audit log.
        var audit = (await GetJsonAsync(admin, "/api/v1/admin/audit?limit=50")).EnumerateArray()
            .Where(e => e.GetProperty("targetId").GetString() == "team-a").Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["dashboard.save", "dashboard.create"], audit);
    }

    [Fact]
    public async Task InvalidDocument_Is400NamingThePanelAndField_AndChangesNothing()
    {
        using var factory = new ProvisioningConsoleFactory();
        using var admin = factory.CreateAdminClient();
        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards", Save(Doc("team-b", "Team B"))), HttpStatusCode.Created);

        // A panel wider than the grid, and a query that does not parse.
        using var response = await admin.PutAsync("/api/v1/dashboards/team-b", Save(Doc("team-b", "Broken", "Latency", "sum(rate(x[5m])", width: 30), 1));

        var problem = await AssertStatusAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("panel 'Latency'", StringComparison.Ordinal) && e.Contains("gridPos.w 30 must be 1–24", StringComparison.Ordinal));
        Assert.True(errors.Count >= 2, string.Join(" | ", errors));
        var current = await GetJsonAsync(admin, "/api/v1/dashboards/team-b");
        Assert.Equal("Team B", current.GetProperty("dashboard").GetProperty("title").GetString());
        Assert.Equal(1, current.GetProperty("meta").GetProperty("version").GetInt32());
        Assert.Single((await GetJsonAsync(admin, "/api/v1/dashboards/team-b/versions")).EnumerateArray());
    }

    [Theory]
    [InlineData("{}", "dashboard is required")]
    [InlineData("[1]", "the body must be an object")]
    [InlineData("{\"dashboard\": 1, \"version\": 1}", "dashboard is required")]
    [InlineData("{\"dashboard\": {\"schemaVersion\": 1, \"uid\": \"team-c\", \"title\": \"C\", \"time\": {\"from\": \"now-1h\", \"to\": \"now\"}}}", "version is required")]
    [InlineData("{\"dashboard\": {\"schemaVersion\": 1, \"uid\": \"team-c\", \"title\": \"C\", \"time\": {\"from\": \"now-1h\", \"to\": \"now\"}}, \"version\": \"one\"}", "version must be the whole number")]
    [InlineData("{\"dashboard\": {\"schemaVersion\": 1, \"uid\": \"other\", \"title\": \"C\", \"time\": {\"from\": \"now-1h\", \"to\": \"now\"}}, \"version\": 1}", "differs from 'team-c'")]
    [InlineData("{\"dashboard\": {\"schemaVersion\": 1, \"uid\": \"team-c\", \"title\": \"C\", \"titel\": \"x\"}, \"version\": 1}", "unknown field 'titel'")]
    [InlineData("{\"dashboard\": {\"schemaVersion\": 1, \"uid\": \"team-c\", \"title\": \"C\"}, \"version\": 1, \"force\": true}", "unknown field 'force'")]
    [InlineData("{\"dashboard\": ", "not valid JSON")]
    public async Task BadSaveBodies_Are400WithTheReason_AndChangeNothing(string body, string expected)
    {
        using var factory = new ProvisioningConsoleFactory();
        using var admin = factory.CreateAdminClient();
        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards", Save(Doc("team-c", "Team C"))), HttpStatusCode.Created);

        var problem = await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/team-c", Json(body)), HttpStatusCode.BadRequest);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains(expected, StringComparison.Ordinal));
        var current = await GetJsonAsync(admin, "/api/v1/dashboards/team-c");
        Assert.Equal(1, current.GetProperty("meta").GetProperty("version").GetInt32());
        Assert.Equal("Team C", current.GetProperty("dashboard").GetProperty("title").GetString());
    }

    [Fact]
    public async Task OtherBadRequests_AnswerClearly_AndChangeNothing()
    {
        using var factory = new ProvisioningConsoleFactory();
        using var admin = factory.CreateAdminClient();
        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards", Save(Doc("team-d", "Team D"))), HttpStatusCode.Created);

        var taken = await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards", Save(Doc("team-d", "Another D"))), HttpStatusCode.Conflict);
        Assert.Contains("already exists", taken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/nope", Save(Doc("nope", "N"), 1)), HttpStatusCode.NotFound);
        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards/team-d/versions/7/restore", null), HttpStatusCode.NotFound);
        await AssertStatusAsync(await admin.DeleteAsync("/api/v1/dashboards/nope"), HttpStatusCode.NotFound);
        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards/team-d/reset", null), HttpStatusCode.Conflict);
        using var yaml = await admin.PutAsync("/api/v1/dashboards/team-d", new StringContent("title: x", System.Text.Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, yaml.StatusCode);
        var longMessage = new string('m', 501);
        await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/team-d", Save(Doc("team-d", "Team D2"), 1, longMessage)), HttpStatusCode.BadRequest);

        var current = await GetJsonAsync(admin, "/api/v1/dashboards/team-d");
        Assert.Equal("Team D", current.GetProperty("dashboard").GetProperty("title").GetString());
        Assert.Single((await GetJsonAsync(admin, "/api/v1/dashboards/team-d/versions")).EnumerateArray());
    }

    [Fact]
    public async Task Restore_MakesTheOldDocumentTheNewestVersion_Export_DownloadsIt_Delete_RemovesItAndItsHistory()
    {
        using var factory = new ProvisioningConsoleFactory();
        using var admin = factory.CreateAdminClient();
        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards", Save(Doc("team-e", "Team E"))), HttpStatusCode.Created);
        await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/team-e", Save(Doc("team-e", "Team E later", "Errors"), 1)), HttpStatusCode.OK);

        var restored = await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards/team-e/versions/1/restore", null), HttpStatusCode.OK);

        Assert.Equal(3, restored.GetProperty("version").GetInt32());
        var versions = (await GetJsonAsync(admin, "/api/v1/dashboards/team-e/versions")).EnumerateArray().ToList();
        Assert.Equal("Restored version 1", versions[0].GetProperty("message").GetString());

        // Export: a download of the document, readable by a viewer (an executive), that the API takes back.
        using var executive = factory.CreateApiClient(await factory.CreateKeyAsync("exec-export", "role", "Executive"));
        using var export = await executive.GetAsync("/api/v1/dashboards/team-e/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/json", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("team-e.json", export.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var exported = await export.Content.ReadAsStringAsync();
        using (var doc = JsonDocument.Parse(exported))
        {
            Assert.Equal("Team E", doc.RootElement.GetProperty("title").GetString());
            Assert.Equal("Requests", doc.RootElement.GetProperty("rows")[0].GetProperty("panels")[0].GetProperty("title").GetString());
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await executive.PutAsync("/api/v1/dashboards/team-e", Save(exported, 3))).StatusCode);
        await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/team-e", Save(exported, 3, "round trip")), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/dashboards/team-e")).StatusCode);
        await AssertStatusAsync(await admin.GetAsync("/api/v1/dashboards/team-e"), HttpStatusCode.NotFound);
        await AssertStatusAsync(await admin.GetAsync("/api/v1/dashboards/team-e/versions/1"), HttpStatusCode.NotFound);
        Assert.DoesNotContain((await GetJsonAsync(admin, "/api/v1/dashboards")).EnumerateArray(), d => d.GetProperty("uid").GetString() == "team-e");
    }

    [Fact]
    public async Task GrafanaImport_IsStoredAsVersionOne()
    {
        using var factory = new ProvisioningConsoleFactory();
        using var admin = factory.CreateAdminClient();
        const string grafana = """
            { "uid": "from-grafana", "title": "From Grafana", "schemaVersion": 39, "time": { "from": "now-6h", "to": "now" },
              "panels": [ { "type": "timeseries", "title": "Rate", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
                            "targets": [ { "expr": "sum(rate(http_requests_total[5m]))", "refId": "A" } ] } ] }
            """;

        await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards/import/grafana", Json(grafana)), HttpStatusCode.Created);

        var versions = (await GetJsonAsync(admin, "/api/v1/dashboards/from-grafana/versions")).EnumerateArray().ToList();
        Assert.Equal("Imported from Grafana", Assert.Single(versions).GetProperty("message").GetString());
    }

    [Fact]
    public async Task ProvisionedDashboard_EditedByAnAdmin_KeepsTheEditAcrossRestarts_UntilResetToTheFile_OnSqlite()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-dashstore-").FullName;
        await ProvisionedLifecycleAsync(() => new ProvisioningConsoleFactory(directory) { KeepDatabase = true });
    }

    [Fact]
    public async Task ProvisionedDashboard_EditedByAnAdmin_KeepsTheEditAcrossRestarts_UntilResetToTheFile_OnPostgres()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-dashstore-").FullName;
        var database = await PostgresConsoleFactory.CreateDatabaseAsync();
        await ProvisionedLifecycleAsync(() => new PostgresProvisioningConsoleFactory(directory, database) { KeepDatabase = true });
    }

    private static async Task ProvisionedLifecycleAsync(Func<ProvisioningConsoleFactory> start)
    {
        using (var first = start())
        {
            File.WriteAllText(Path.Combine(first.DashboardsDirectory, "ops.json"), Doc("ops", "Ops (file v1)"));
            File.WriteAllText(Path.Combine(first.DashboardsDirectory, "plain.json"), Doc("plain", "Plain (file v1)"));
            using var admin = first.CreateAdminClient();
            var ops = await GetJsonAsync(admin, "/api/v1/dashboards/ops");
            Assert.True(ops.GetProperty("meta").GetProperty("provisioned").GetBoolean());
            Assert.False(ops.GetProperty("meta").GetProperty("edited").GetBoolean());

            // An admin edits the provisioned dashboard; it cannot be deleted (its file would bring it back).
            await AssertStatusAsync(await admin.PutAsync("/api/v1/dashboards/ops", Save(Doc("ops", "Ops (edited)"), 1, "tuned")), HttpStatusCode.OK);
            var refused = await AssertStatusAsync(await admin.DeleteAsync("/api/v1/dashboards/ops"), HttpStatusCode.Conflict);
            Assert.Contains("remove the file", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var second = start())
        {
            // Both files change before the restart: the unedited dashboard follows its file, the edited one keeps the database's version.
            File.WriteAllText(Path.Combine(second.DashboardsDirectory, "ops.json"), Doc("ops", "Ops (file v2)"));
            File.WriteAllText(Path.Combine(second.DashboardsDirectory, "plain.json"), Doc("plain", "Plain (file v2)"));
            using var admin = second.CreateAdminClient();
            var ops = await GetJsonAsync(admin, "/api/v1/dashboards/ops");
            Assert.Equal("Ops (edited)", ops.GetProperty("dashboard").GetProperty("title").GetString());
            Assert.Equal(2, ops.GetProperty("meta").GetProperty("version").GetInt32());
            Assert.True(ops.GetProperty("meta").GetProperty("edited").GetBoolean());
            var plain = await GetJsonAsync(admin, "/api/v1/dashboards/plain");
            Assert.Equal("Plain (file v2)", plain.GetProperty("dashboard").GetProperty("title").GetString());
            Assert.Equal(2, plain.GetProperty("meta").GetProperty("version").GetInt32());

            // Reset to provisioned: the file's document becomes the newest version.
            var reset = await AssertStatusAsync(await admin.PostAsync("/api/v1/dashboards/ops/reset", null), HttpStatusCode.OK);
            Assert.Equal(3, reset.GetProperty("version").GetInt32());
        }

        using var third = start();
        using var client = third.CreateAdminClient();
        var after = await GetJsonAsync(client, "/api/v1/dashboards/ops");
        Assert.Equal("Ops (file v2)", after.GetProperty("dashboard").GetProperty("title").GetString());
        Assert.False(after.GetProperty("meta").GetProperty("edited").GetBoolean());
        Assert.Equal(3, after.GetProperty("meta").GetProperty("version").GetInt32());
    }
}
