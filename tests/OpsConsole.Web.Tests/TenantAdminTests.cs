using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Web.Api;
using OpsConsole.Web.Tenancy;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>Tenants, plans and quota overrides through the admin API: validated field by field, audited, applied to intake.</summary>
public sealed class TenantAdminTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static string NewId() => "t-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> CreateTenantAsync(HttpClient admin, string plan = "free")
    {
        var id = NewId();
        using var created = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { id, displayName = "Tenant " + id, plan });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return id;
    }

    private static async Task<TenantQuotaView> GetAsync(HttpClient admin, string id) =>
        (await admin.GetFromJsonAsync<TenantQuotaView>($"/api/v1/admin/tenants/{id}", Web))!;

    [Fact]
    public async Task Put_ChangesNamePlanAndOverrides_EffectiveQuotaFollows_AndTheAuditHasBeforeAndAfter()
    {
        using var admin = factory.CreateAdminClient();
        var id = await CreateTenantAsync(admin);
        var before = await GetAsync(admin, id);
        Assert.Equal(("Free", 6000L, 268435456L), (before.PlanDisplayName, before.EffectiveItemsPerMinute, before.EffectiveBytesPerDay));

        using var put = await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{id}", new { displayName = "Renamed", plan = "business", ingestItemsPerMinute = 42 });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var after = await GetAsync(admin, id);
        Assert.Equal("Renamed", after.DisplayName);
        Assert.Equal("business", after.Plan);
        Assert.Equal(42, after.EffectiveItemsPerMinute); // the override
        Assert.Equal(10737418240, after.EffectiveBytesPerDay); // the new plan's
        var entry = Assert.Single((await admin.GetFromJsonAsync<AuditEntryView[]>("/api/v1/admin/audit?action=tenant.update", Web))!, e => e.TargetId == id);
        Assert.StartsWith("apikey:", entry.Actor, StringComparison.Ordinal);
        var auditBefore = JsonDocument.Parse(entry.Before!).RootElement;
        var auditAfter = JsonDocument.Parse(entry.After!).RootElement;
        Assert.Equal(("free", "business"), (auditBefore.GetProperty("plan").GetString(), auditAfter.GetProperty("plan").GetString()));
        Assert.Equal(JsonValueKind.Null, auditBefore.GetProperty("ingestItemsPerMinute").ValueKind);
        Assert.Equal(42, auditAfter.GetProperty("ingestItemsPerMinute").GetInt64());

        // Clearing the override (PUT replaces) goes back to the plan's quota.
        using var clear = await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{id}", new { displayName = "Renamed", plan = "business" });
        Assert.Equal(HttpStatusCode.OK, clear.StatusCode);
        Assert.Equal(300000, (await GetAsync(admin, id)).EffectiveItemsPerMinute);
    }

    [Theory]
    [InlineData("{\"displayName\":\"X\",\"plan\":\"free\",\"ingestItemsPerMinute\":-1}", "ingestItemsPerMinute", "zero or more")]
    [InlineData("{\"displayName\":\"X\",\"plan\":\"free\",\"ingestBytesPerDay\":-100}", "ingestBytesPerDay", "zero or more")]
    [InlineData("{\"displayName\":\"X\",\"plan\":\"platinum\"}", "plan", "Unknown plan 'platinum'")]
    [InlineData("{\"displayName\":\"X\"}", "plan", "plan is required")]
    [InlineData("{\"displayName\":\"  \",\"plan\":\"free\"}", "displayName", "displayName is required")]
    public async Task Put_BadInput_FieldNamedError_NothingChanged_NothingAudited(string body, string field, string message)
    {
        using var admin = factory.CreateAdminClient();
        var id = await CreateTenantAsync(admin);
        var before = await GetAsync(admin, id);

        using var response = await admin.PutAsync($"/api/v1/admin/tenants/{id}", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").GetProperty(field);
        Assert.Contains(message, errors[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await GetAsync(admin, id));
        var audit = await admin.GetFromJsonAsync<AuditEntryView[]>("/api/v1/admin/audit?action=tenant.update", Web);
        Assert.DoesNotContain(audit!, e => e.TargetId == id);
    }

    [Fact]
    public async Task Put_UnknownTenant_404NamingIt_AndCreatesNothing()
    {
        using var admin = factory.CreateAdminClient();
        var id = NewId();

        using var response = await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{id}", new { displayName = "Ghost", plan = "free" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains($"No tenant with id '{id}'", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var get = await admin.GetAsync($"/api/v1/admin/tenants/{id}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Create_UnknownPlanOrBadId_FieldNamedErrors_DuplicateIsAConflict()
    {
        using var admin = factory.CreateAdminClient();

        using var badPlan = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { id = NewId(), plan = "gold" });
        using var badId = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { id = "Not Valid", plan = "free" });
        var id = await CreateTenantAsync(admin);
        using var duplicate = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { id, plan = "free" });

        Assert.Equal(HttpStatusCode.BadRequest, badPlan.StatusCode);
        Assert.True((await badPlan.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("plan", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.True((await badId.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("id", out _));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
    }

    [Fact]
    public async Task TenantAdmin_CannotChangeTenants()
    {
        using var tenantAdmin = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(tenantAdmin, "acme-admin", "opsconsole-demo");

        using var response = await tenantAdmin.PutAsJsonAsync("/api/v1/admin/tenants/acme", new { displayName = "Mine now", plan = "free" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var admin = factory.CreateAdminClient();
        Assert.Equal("enterprise", (await GetAsync(admin, "acme")).Plan);
    }
}
