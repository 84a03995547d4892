using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>Bad input gets a clear problem+json answer and changes nothing.</summary>
public sealed class BadInputTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ")]
    [InlineData("{\"name\": }")]
    [InlineData("not json at all")]
    public async Task CreateKey_MalformedJson_Answers400AndCreatesNothing(string body)
    {
        using var admin = factory.CreateAdminClient();
        var before = await admin.GetStringAsync("/api/v1/admin/api-keys");

        using var response = await admin.PostAsync("/api/v1/admin/api-keys", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await admin.GetStringAsync("/api/v1/admin/api-keys"));
    }

    [Theory]
    [InlineData("{\"name\":\"k\",\"scope\":\"superuser\"}", "scope", "\"ingest\" or \"role\"")]
    [InlineData("{\"name\":\"k\",\"scope\":\"ingest\"}", "tenantId", "tenant id is required")]
    [InlineData("{\"name\":\"k\",\"scope\":\"ingest\",\"tenantId\":\"no-such-tenant\"}", "tenantId", "does not exist")]
    [InlineData("{\"name\":\"k\",\"scope\":\"role\"}", "role", "needs a role")]
    [InlineData("{\"name\":\"k\",\"scope\":\"role\",\"role\":\"Janitor\"}", "role", "Unknown role")]
    [InlineData("{\"name\":\"k\",\"scope\":\"role\",\"role\":\"Operator\",\"tenantId\":\"acme\"}", "tenantId", "see all tenants")]
    [InlineData("{\"name\":\"\",\"scope\":\"role\",\"role\":\"Operator\"}", "name", "name of 1-100")]
    [InlineData("{\"name\":\"k\",\"scope\":\"role\",\"role\":\"Operator\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}", "expiresAt", "future")]
    public async Task CreateKey_InvalidRequest_Answers400NamingTheField(string body, string field, string message)
    {
        using var admin = factory.CreateAdminClient();
        var before = await admin.GetStringAsync("/api/v1/admin/api-keys");

        using var response = await admin.PostAsync("/api/v1/admin/api-keys", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").GetProperty(field);
        Assert.Contains(message, errors[0].GetString());
        Assert.Equal(before, await admin.GetStringAsync("/api/v1/admin/api-keys"));
    }

    [Theory]
    [InlineData("short", "password", "at least 12")]
    [InlineData("passwordpassword", "password", "too easy")]
    public async Task CreateUser_WeakPassword_Answers400AndCreatesNoUser(string password, string field, string message)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsJsonAsync("/api/v1/admin/users", new { userName = "weak-" + password, password, role = "Operator" });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.DoesNotContain("weak-" + password, await admin.GetStringAsync("/api/v1/admin/users"));
    }

    [Fact]
    public async Task CreateUser_TenantAdminWithoutTenant_Answers400()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsJsonAsync("/api/v1/admin/users", new { userName = "lonely", password = "a-long-enough-secret", role = "TenantAdmin" });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("existing tenant", problem.GetProperty("errors").GetProperty("tenantId")[0].GetString());
    }

    [Fact]
    public async Task CreateUser_DuplicateName_Answers409AndKeepsTheOriginal()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsJsonAsync("/api/v1/admin/users", new { userName = "OPERATOR", password = "a-long-enough-secret", role = "Admin" });

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("already exists", problem.GetProperty("detail").GetString());
        var users = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/users");
        var op = Assert.Single(users!, u => u.GetProperty("userName").GetString()!.Equals("operator", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Operator", op.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData("{\"id\":\"Not A Slug\"}", "id")]
    [InlineData("{\"id\":\"newco\",\"plan\":\"platinum\"}", "plan")]
    public async Task CreateTenant_Invalid_Answers400(string body, string field)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/v1/admin/tenants", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task CreateTenant_Duplicate_Answers409()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { id = "acme", displayName = "Another Acme" });

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("acme", problem.GetProperty("detail").GetString());
        var tenants = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/tenants");
        Assert.Equal("Acme Corp", tenants!.Single(t => t.GetProperty("id").GetString() == "acme").GetProperty("displayName").GetString());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=5000")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("from=yesterday")]
    public async Task Audit_BadQuery_Answers400(string query)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync("/api/v1/admin/audit?" + query);

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/api/v1/monitoring/traces?from=99999999999999999")]
    [InlineData("/api/v1/monitoring/logs/search?q=timeout&to=99999999999999999")]
    [InlineData("/api/v1/audit?from=99999999999999999")]
    public async Task TimeBeyondTheYear9999_Answers400NamingTheParameter(string path)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(path);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var field = path.Contains("to=", StringComparison.Ordinal) ? "to" : "from";
        Assert.Contains("is not a time", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownApiRoute_Answers404ProblemNotHtml()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync("/api/v1/nothing-here");

        await ProblemAsync(response, HttpStatusCode.NotFound);
    }
}
