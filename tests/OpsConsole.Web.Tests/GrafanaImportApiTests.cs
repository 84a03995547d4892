using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary><c>POST /api/v1/dashboards/import/grafana</c> on the real console, with Grafana JSON written in Grafana's format.</summary>
public sealed class GrafanaImportApiTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private const string Path = "/api/v1/dashboards/import/grafana";

    private static string Fixture(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "OpsConsole.sln")))
        {
            dir = dir.Parent;
        }

        return File.ReadAllText(System.IO.Path.Combine(dir!.FullName, "tests", "OpsConsole.Core.Tests", "Dashboards", "Grafana", name));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Import_AddsTheDashboard_ListsWhatWasNotCarriedOver_AndItRenders()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync(Path, Json(Fixture("service-overview.json")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("svc-overview_01", body.GetProperty("uid").GetString());
        Assert.Equal("/dashboards/svc-overview_01", body.GetProperty("url").GetString());
        Assert.Equal(8, body.GetProperty("panels").GetInt32());
        var warnings = body.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Contains("Panel \"Error logs\" is a \"logs\" panel, which the console does not draw; it is left out.", warnings);
        Assert.Equal(15, warnings.Count);

        // The imported dashboard opens like any other (server-rendered with its panels and variables).
        using var page = await admin.GetAsync("/dashboards/svc-overview_01");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        foreach (var title in new[] { "Service overview", "Request rate", "Error ratio", "Slowest endpoints", "Latency heatmap", "Runbook" })
        {
            Assert.Contains(title, html, StringComparison.Ordinal);
        }

        // The same uid again is refused and changes nothing.
        using var again = await admin.PostAsync(Path, Json(Fixture("service-overview.json")));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already exists", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotADashboard_Answers400WithTheReason_AndAddsNothing()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync(Path, Json("{\"title\": \"x\", \"uid\": \"not-a-dashboard\"}"));
        using var page = await admin.GetAsync("/dashboards/not-a-dashboard");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("This is not a Grafana dashboard: it has neither \"panels\" nor \"rows\".", Assert.Single(problem.GetProperty("errors").EnumerateArray()).GetString());
        Assert.Contains("There is no dashboard with the id", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotJson_Answers415()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync(Path, new StringContent("title: x", Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task AnOperator_IsForbidden()
    {
        var key = await factory.CreateKeyAsync("import-operator", "role", "Operator");
        using var op = factory.CreateApiClient(key);

        using var response = await op.PostAsync(Path, Json(Fixture("legacy-rows.json")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
