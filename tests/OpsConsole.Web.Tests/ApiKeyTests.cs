using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Api;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

public sealed class ApiKeyTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Api_NoKey_Answers401ProblemWithHowToAuthenticate()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/v1/admin/users");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("API key", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("not-a-key", "malformed")]
    [InlineData("oc_abcdefgh_thisSecretIsWrongButLongEnough00000000", "not valid")]
    public async Task Api_BadKey_Answers401SayingWhy(string key, string expected)
    {
        using var client = factory.CreateApiClient(key);

        using var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expected, (await ProblemAsync(response)).GetProperty("detail").GetString());
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Api_XApiKeyHeader_AuthenticatesLikeBearer()
    {
        var key = await factory.CreateKeyAsync("header-key", "role", "Executive");
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var me = await client.GetFromJsonAsync<MeView>("/api/v1/me");

        Assert.Equal("Executive", me!.Role);
        Assert.Equal("apikey:header-key", me.Name);
    }

    [Fact]
    public async Task CreateKey_TenantAdminScope_ReadsAsThatTenantsAdmin()
    {
        var key = await factory.CreateKeyAsync("acme-script", "role", "TenantAdmin", "acme");
        using var client = factory.CreateApiClient(key);

        var me = await client.GetFromJsonAsync<MeView>("/api/v1/me");
        using var admin = await client.GetAsync("/api/v1/admin/users");

        Assert.Equal("TenantAdmin", me!.Role);
        Assert.Equal("acme", me.TenantId);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Contains("scope", (await ProblemAsync(admin)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task CreateKey_StoresOnlyAHashAndShowsTheKeyOnce()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsJsonAsync("/api/v1/admin/api-keys", new { name = "once", scope = "ingest", tenantId = "globex" });
        var created = await response.Content.ReadFromJsonAsync<CreatedApiKey>(Json);
        var listed = await admin.GetStringAsync("/api/v1/admin/api-keys");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("oc_" + created!.ApiKey.Prefix + "_", created.Key);
        Assert.DoesNotContain(created.Key, listed);
        Assert.Contains(created.ApiKey.Id.ToString(), listed);
        var stored = await factory.Services.GetRequiredService<ApiKeyRepository>().FindAsync(created.ApiKey.Id);
        Assert.NotNull(stored);
        Assert.NotEqual(created.Key, stored.SecretHash);
        Assert.DoesNotContain(created.Key[12..], stored.SecretHash);
        Assert.Equal(ApiKeyFormat.Hash(created.Key), stored.SecretHash);
    }

    [Fact]
    public async Task RevokeKey_KeyStopsWorkingAndTheAuditLogSaysWhoDidIt()
    {
        var key = await factory.CreateKeyAsync("to-revoke", "role", "Operator");
        using var client = factory.CreateApiClient(key);
        var me = await client.GetFromJsonAsync<MeView>("/api/v1/me");
        using var admin = factory.CreateAdminClient();
        var id = (await admin.GetFromJsonAsync<ApiKeyView[]>("/api/v1/admin/api-keys", Json))!.Single(k => k.Name == "to-revoke").Id;

        using var revoke = await admin.DeleteAsync($"/api/v1/admin/api-keys/{id}");
        using var after = await client.GetAsync("/api/v1/me");
        using var again = await admin.DeleteAsync($"/api/v1/admin/api-keys/{id}");

        Assert.Equal("Operator", me!.Role);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", (await ProblemAsync(after)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("already revoked", (await ProblemAsync(again)).GetProperty("detail").GetString());
        var audit = await admin.GetFromJsonAsync<AuditEntryView[]>("/api/v1/admin/audit?action=apikey.revoke", Json);
        var entry = Assert.Single(audit!, e => e.TargetId == id.ToString());
        Assert.Equal("apikey:demo-admin", entry.Actor);
        Assert.Contains("to-revoke", entry.Before);
    }

    [Fact]
    public async Task RevokeKey_UnknownId_Answers404AndChangesNothing()
    {
        using var admin = factory.CreateAdminClient();
        var before = await admin.GetStringAsync("/api/v1/admin/api-keys");

        using var response = await admin.DeleteAsync($"/api/v1/admin/api-keys/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, await admin.GetStringAsync("/api/v1/admin/api-keys"));
    }

    [Fact]
    public async Task IngestKey_CannotReadAnything()
    {
        var key = await factory.CreateKeyAsync("ingest-only", "ingest", tenantId: "acme");
        using var client = factory.CreateApiClient(key);

        using var me = await client.GetAsync("/api/v1/me");
        using var page = await client.GetAsync("/executive");

        Assert.Equal(HttpStatusCode.Forbidden, me.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
    }
}
