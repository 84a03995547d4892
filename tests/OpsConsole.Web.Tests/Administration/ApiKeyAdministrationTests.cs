using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Api;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Tests.Administration;

/// <summary>Rotating and revoking keys through the admin API, as a script would, and what the log and audit keep of it.</summary>
public sealed class ApiKeyAdministrationTests(LogCapturingConsoleFactory factory) : IClassFixture<LogCapturingConsoleFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<CreatedApiKey> CreateAsync(HttpClient admin, object request)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/api-keys", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedApiKey>(Json))!;
    }

    [Fact]
    public async Task Rotate_OldSecretIsRefusedNewOneWorksWithTheSameNameScopeAndTenant()
    {
        using var admin = factory.CreateAdminClient();
        var original = await CreateAsync(admin, new { name = "acme-reporting", scope = "role", role = "TenantAdmin", tenantId = "acme" });
        using var oldClient = factory.CreateApiClient(original.Key);
        using var before = await oldClient.GetAsync("/api/v1/me");

        using var rotate = await admin.PostAsync($"/api/v1/admin/api-keys/{original.ApiKey.Id}/rotate", null);
        var rotated = (await rotate.Content.ReadFromJsonAsync<CreatedApiKey>(Json))!;
        using var oldAfter = await oldClient.GetAsync("/api/v1/me");
        using var newClient = factory.CreateApiClient(rotated.Key);
        var me = await newClient.GetFromJsonAsync<MeView>("/api/v1/me", Json);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Created, rotate.StatusCode);
        Assert.NotEqual(original.Key, rotated.Key);
        Assert.NotEqual(original.ApiKey.Id, rotated.ApiKey.Id);
        Assert.Equal(HttpStatusCode.Unauthorized, oldAfter.StatusCode);
        Assert.Contains("revoked", await oldAfter.Content.ReadAsStringAsync());
        Assert.Equal(("apikey:acme-reporting", "TenantAdmin", "acme"), (me!.Name, me.Role, me.TenantId));
        var listed = await admin.GetFromJsonAsync<ApiKeyView[]>("/api/v1/admin/api-keys?includeRevoked=true", Json);
        Assert.NotNull(Assert.Single(listed!, k => k.Id == original.ApiKey.Id).RevokedAt);
        Assert.Null(Assert.Single(listed!, k => k.Id == rotated.ApiKey.Id).RevokedAt);
    }

    [Fact]
    public async Task Rotate_KeepsTheKeysLifetimeCountedFromNow()
    {
        // A 30-day key made 10 days ago (stored directly: advancing the host's clock 10 days would run every timer).
        var now = factory.Clock.GetUtcNow();
        var (entity, _) = factory.Services.GetRequiredService<ApiKeyService>().Prepare("expiring-ingest", ApiKeyScope.ForIngest("globex"), null, "test");
        entity.CreatedAt = now.AddDays(-10);
        entity.ExpiresAt = now.AddDays(20);
        await factory.Services.GetRequiredService<ApiKeyRepository>().CreateAsync(entity);
        using var admin = factory.CreateAdminClient();

        using var rotate = await admin.PostAsync($"/api/v1/admin/api-keys/{entity.Id}/rotate", null);
        var rotated = (await rotate.Content.ReadFromJsonAsync<CreatedApiKey>(Json))!;

        Assert.Equal(("expiring-ingest", "ingest", "globex"), (rotated.ApiKey.Name, rotated.ApiKey.Scope, rotated.ApiKey.TenantId));
        Assert.Equal(now.AddDays(30), rotated.ApiKey.ExpiresAt);
    }

    [Fact]
    public async Task RotateAndRevoke_SecretsNeverAppearInTheAuditLogOrTheConsolesLog()
    {
        using var admin = factory.CreateAdminClient();
        var original = await CreateAsync(admin, new { name = "secret-watch", scope = "role", role = "Operator" });
        using var use = factory.CreateApiClient(original.Key);
        (await use.GetAsync("/api/v1/me")).Dispose();
        using var rotate = await admin.PostAsync($"/api/v1/admin/api-keys/{original.ApiKey.Id}/rotate", null);
        var rotated = (await rotate.Content.ReadFromJsonAsync<CreatedApiKey>(Json))!;
        using var refused = factory.CreateApiClient(original.Key);
        (await refused.GetAsync("/api/v1/me")).Dispose();
        using var revoke = await admin.DeleteAsync($"/api/v1/admin/api-keys/{rotated.ApiKey.Id}");

        var audit = await admin.GetStringAsync("/api/v1/audit?targetType=apikey&limit=1000");
        var entries = JsonDocument.Parse(audit).RootElement.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("targetId").GetString() is { } id && (id == original.ApiKey.Id.ToString() || id == rotated.ApiKey.Id.ToString()))
            .Select(e => e.GetProperty("action").GetString()!).ToArray();
        Assert.Equal(["apikey.revoke", "apikey.rotate", "apikey.create"], entries);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        foreach (var key in new[] { original.Key, rotated.Key })
        {
            var secret = key[(key.LastIndexOf('_') + 1)..];
            Assert.DoesNotContain(secret, audit);
            Assert.DoesNotContain(secret, factory.AllText);
        }

        Assert.Contains("secret-watch", audit); // the entries are there, only the secrets are not
        Assert.NotEmpty(factory.Lines);
    }

    [Fact]
    public async Task Rotate_UnknownKey_Answers404AndRevokedKey409_AndNothingIsCreated()
    {
        using var admin = factory.CreateAdminClient();
        var key = await CreateAsync(admin, new { name = "gone", scope = "role", role = "Executive" });
        (await admin.DeleteAsync($"/api/v1/admin/api-keys/{key.ApiKey.Id}")).Dispose();
        var before = await admin.GetStringAsync("/api/v1/admin/api-keys?includeRevoked=true");

        using var unknown = await admin.PostAsync($"/api/v1/admin/api-keys/{Guid.NewGuid()}/rotate", null);
        using var revoked = await admin.PostAsync($"/api/v1/admin/api-keys/{key.ApiKey.Id}/rotate", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType?.MediaType);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(before, await admin.GetStringAsync("/api/v1/admin/api-keys?includeRevoked=true"));
    }

    [Fact]
    public async Task Rotate_ByAnOperatorKey_IsForbiddenAndTheKeyKeepsWorking()
    {
        using var admin = factory.CreateAdminClient();
        var key = await CreateAsync(admin, new { name = "kept", scope = "role", role = "Operator" });
        using var operatorClient = factory.CreateApiClient(key.Key);

        using var response = await operatorClient.PostAsync($"/api/v1/admin/api-keys/{key.ApiKey.Id}/rotate", null);
        using var still = await operatorClient.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }
}
