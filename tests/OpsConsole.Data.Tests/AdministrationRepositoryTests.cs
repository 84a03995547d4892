using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;

namespace OpsConsole.Data.Tests;

/// <summary>What the administration pages need of the repositories: key rotation, user updates, audit filters and export.</summary>
public abstract class AdministrationRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly ApiKeyRepository _keys = db.GetRequiredService<ApiKeyRepository>();
    private readonly UserRepository _users = db.GetRequiredService<UserRepository>();
    private readonly TenantRepository _tenants = db.GetRequiredService<TenantRepository>();
    private readonly AuditLog _log = db.GetRequiredService<AuditLog>();

    [Fact]
    public async Task RotateAsync_RevokesTheOldKeyAndStoresTheNewOneTogether()
    {
        var old = await _keys.CreateAsync(TestData.ApiKey());
        var replacement = TestData.ApiKey(name: old.Name);
        var at = TestData.BaseTime.AddHours(1);

        var rotated = await _keys.RotateAsync(old.Id, replacement, "admin", at);

        Assert.True(rotated);
        var oldNow = await _keys.FindAsync(old.Id);
        InstantAssert.Equal(at, oldNow?.RevokedAt);
        Assert.Equal("admin", oldNow?.RevokedBy);
        var stored = await _keys.FindByPrefixAsync(replacement.Prefix);
        Assert.Equal(replacement.Id, stored?.Id);
        Assert.Null(stored?.RevokedAt);
    }

    [Fact]
    public async Task RotateAsync_AlreadyRevoked_ReturnsFalseAndStoresNothing()
    {
        var old = await _keys.CreateAsync(TestData.ApiKey());
        await _keys.RevokeAsync(old.Id, "admin", TestData.BaseTime);
        var replacement = TestData.ApiKey();

        var rotated = await _keys.RotateAsync(old.Id, replacement, "someone-else", TestData.BaseTime.AddHours(1));

        Assert.False(rotated);
        Assert.Null(await _keys.FindByPrefixAsync(replacement.Prefix));
        Assert.Equal("admin", (await _keys.FindAsync(old.Id))?.RevokedBy);
    }

    [Fact]
    public async Task RotateAsync_DuplicatePrefix_ThrowsAndTheOldKeyStaysValid()
    {
        var other = await _keys.CreateAsync(TestData.ApiKey());
        var old = await _keys.CreateAsync(TestData.ApiKey());

        await Assert.ThrowsAsync<DuplicateException>(() => _keys.RotateAsync(old.Id, TestData.ApiKey(prefix: other.Prefix), "admin", TestData.BaseTime));

        Assert.Null((await _keys.FindAsync(old.Id))?.RevokedAt);
    }

    [Fact]
    public async Task UpdateAsync_ChangesRoleTenantAndStamp_UnknownTenantThrowsAndChangesNothing()
    {
        var tenant = await _tenants.CreateAsync(TestData.Tenant());
        var user = await _users.CreateAsync(TestData.User());

        var updated = await _users.UpdateAsync(user.Id, u => { u.RoleName = "TenantAdmin"; u.TenantId = tenant.Id; u.SecurityStamp = "new-stamp"; });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _users.UpdateAsync(user.Id, u => u.TenantId = "no-such-tenant"));
        var stored = await _users.FindByIdAsync(user.Id);

        Assert.Equal(("TenantAdmin", tenant.Id, "new-stamp"), (updated?.RoleName, updated?.TenantId, updated?.SecurityStamp));
        Assert.Contains("no-such-tenant", error.Message);
        Assert.Equal(("TenantAdmin", tenant.Id, "new-stamp"), (stored?.RoleName, stored?.TenantId, stored?.SecurityStamp));
        Assert.Null(await _users.UpdateAsync(Guid.NewGuid(), u => u.DisplayName = "nobody"));
    }

    [Fact]
    public async Task Audit_FiltersByTargetPagesByOffsetAndStreamsEveryMatchNewestFirst()
    {
        var tenant = TestData.UniqueSlug("adm");
        for (var i = 0; i < 5; i++)
        {
            var entry = TestData.AuditEntry(TestData.BaseTime.AddMinutes(i), action: $"step-{i}", tenantId: tenant);
            entry.TargetType = i % 2 == 0 ? "apikey" : "user";
            entry.TargetId = $"t{i}";
            await _log.WriteAsync(entry);
        }

        var keys = await _log.QueryAsync(new AuditQuery(TenantId: tenant, TargetType: "apikey"));
        var one = await _log.QueryAsync(new AuditQuery(TenantId: tenant, TargetType: "user", TargetId: "t3"));
        var secondPage = await _log.QueryAsync(new AuditQuery(TenantId: tenant, Limit: 2, Offset: 2));
        var streamed = new List<string>();
        await foreach (var e in _log.StreamAsync(new AuditQuery(TenantId: tenant, Limit: 1, Offset: 3)))
        {
            streamed.Add(e.Action);
        }

        Assert.Equal(["step-4", "step-2", "step-0"], keys.Select(e => e.Action));
        Assert.Equal(["step-3"], one.Select(e => e.Action));
        Assert.Equal(["step-2", "step-1"], secondPage.Select(e => e.Action));
        Assert.Equal(["step-4", "step-3", "step-2", "step-1", "step-0"], streamed);
        Assert.Contains("step-1", await _log.ActionsAsync(tenant));
        Assert.Equal(5, (await _log.ActionsAsync(tenant)).Count);
    }
}

public sealed class SqliteAdministrationRepositoryTests(SqliteDatabaseFixture db) : AdministrationRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresAdministrationRepositoryTests(PostgresDatabaseFixture db) : AdministrationRepositoryTests<PostgresDatabaseFixture>(db);
