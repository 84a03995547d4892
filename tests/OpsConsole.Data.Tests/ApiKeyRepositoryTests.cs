using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Domain.Security;

namespace OpsConsole.Data.Tests;

public abstract class ApiKeyRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly ApiKeyRepository _keys = db.GetRequiredService<ApiKeyRepository>();
    private readonly TenantRepository _tenants = db.GetRequiredService<TenantRepository>();

    [Fact]
    public async Task CreateAsync_IngestKey_FindByPrefixReturnsEveryField()
    {
        // Arrange
        var tenant = await _tenants.CreateAsync(TestData.Tenant());
        var key = TestData.ApiKey(tenantId: tenant.Id, createdAt: TestData.BaseTime.AddTicks(9999));
        key.ExpiresAt = TestData.BaseTime.AddDays(90);
        key.IsDemo = true;

        // Act
        await _keys.CreateAsync(key);
        var found = await _keys.FindByPrefixAsync(key.Prefix);

        // Assert
        Assert.NotNull(found);
        Assert.Equal(key.Id, found.Id);
        Assert.Equal("ingest from collector", found.Name);
        Assert.Equal(key.SecretHash, found.SecretHash);
        Assert.Equal(nameof(ApiKeyScopeKind.Ingest), found.ScopeKind);
        Assert.Null(found.RoleName);
        Assert.Equal(tenant.Id, found.TenantId);
        Assert.Equal("admin", found.CreatedBy);
        Assert.True(found.IsDemo);
        InstantAssert.Equal(key.CreatedAt, found.CreatedAt);
        InstantAssert.Equal(TestData.BaseTime.AddDays(90), found.ExpiresAt);
        Assert.Null(found.RevokedAt);
        Assert.Null(found.RevokedBy);
        Assert.Null(found.LastUsedAt);
    }

    [Fact]
    public async Task FindAsync_ById_ReturnsTheRoleKey()
    {
        // Arrange
        var key = await _keys.CreateAsync(TestData.ApiKey());

        // Act
        var found = await _keys.FindAsync(key.Id);

        // Assert
        Assert.Equal(key.Prefix, found?.Prefix);
        Assert.Equal(nameof(Role.Operator), found?.RoleName);
        Assert.Null(found?.TenantId);
    }

    [Fact]
    public async Task FindByPrefixAsync_UnknownPrefix_ReturnsNull()
    {
        // Act
        var found = await _keys.FindByPrefixAsync("zzzzzzzz");

        // Assert
        Assert.Null(found);
    }

    [Fact]
    public async Task CreateAsync_DuplicatePrefix_ThrowsDuplicateExceptionNamingThePrefix()
    {
        // Arrange
        var original = await _keys.CreateAsync(TestData.ApiKey(name: "original"));
        var duplicate = TestData.ApiKey(prefix: original.Prefix, name: "second");

        // Act
        var ex = await Assert.ThrowsAsync<DuplicateException>(() => _keys.CreateAsync(duplicate));

        // Assert
        Assert.Equal($"An API key with prefix '{original.Prefix}' already exists.", ex.Message);
        Assert.Equal("original", (await _keys.FindByPrefixAsync(original.Prefix))?.Name);
        Assert.Null(await _keys.FindAsync(duplicate.Id));
    }

    [Fact]
    public async Task CreateAsync_UnknownTenant_ThrowsArgumentExceptionNamingTheTenant()
    {
        // Arrange
        var missingTenant = TestData.UniqueSlug("gone");
        var key = TestData.ApiKey(tenantId: missingTenant);

        // Act
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _keys.CreateAsync(key));

        // Assert
        Assert.Contains($"Tenant '{missingTenant}' does not exist.", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _keys.FindAsync(key.Id));
    }

    [Fact]
    public async Task ListAsync_WithoutRevoked_ExcludesRevokedKeysAndOrdersByCreationThenName()
    {
        // Arrange
        var later = await _keys.CreateAsync(TestData.ApiKey(name: "b-later", createdAt: TestData.BaseTime.AddMinutes(2)));
        var earlierB = await _keys.CreateAsync(TestData.ApiKey(name: "b-first", createdAt: TestData.BaseTime.AddMinutes(1)));
        var earlierA = await _keys.CreateAsync(TestData.ApiKey(name: "a-first", createdAt: TestData.BaseTime.AddMinutes(1)));
        var revoked = await _keys.CreateAsync(TestData.ApiKey(name: "revoked", createdAt: TestData.BaseTime));
        await _keys.RevokeAsync(revoked.Id, "admin", TestData.BaseTime.AddMinutes(3));
        Guid[] ours = [later.Id, earlierB.Id, earlierA.Id, revoked.Id];

        // Act
        var active = await _keys.ListAsync(includeRevoked: false);
        var all = await _keys.ListAsync(includeRevoked: true);

        // Assert
        Assert.Equal([earlierA.Id, earlierB.Id, later.Id], active.Where(k => ours.Contains(k.Id)).Select(k => k.Id));
        Assert.DoesNotContain(active, k => k.RevokedAt is not null);
        Assert.Equal([revoked.Id, earlierA.Id, earlierB.Id, later.Id], all.Where(k => ours.Contains(k.Id)).Select(k => k.Id));
    }

    [Fact]
    public async Task RevokeAsync_ActiveKey_ReturnsTrueAndRecordsWhenAndWho()
    {
        // Arrange
        var key = await _keys.CreateAsync(TestData.ApiKey());
        var at = TestData.BaseTime.AddHours(2).AddMilliseconds(345);

        // Act
        var revoked = await _keys.RevokeAsync(key.Id, "alice", at);

        // Assert
        Assert.True(revoked);
        var stored = await _keys.FindAsync(key.Id);
        InstantAssert.Equal(at, stored?.RevokedAt);
        Assert.Equal("alice", stored?.RevokedBy);
    }

    [Fact]
    public async Task RevokeAsync_AlreadyRevoked_ReturnsFalseAndChangesNothing()
    {
        // Arrange
        var key = await _keys.CreateAsync(TestData.ApiKey());
        var firstAt = TestData.BaseTime.AddHours(1);
        await _keys.RevokeAsync(key.Id, "alice", firstAt);

        // Act
        var again = await _keys.RevokeAsync(key.Id, "mallory", TestData.BaseTime.AddHours(5));

        // Assert
        Assert.False(again);
        var stored = await _keys.FindAsync(key.Id);
        InstantAssert.Equal(firstAt, stored?.RevokedAt);
        Assert.Equal("alice", stored?.RevokedBy);
    }

    [Fact]
    public async Task TouchLastUsedAsync_TimeWithAnOffset_StoredAsTheSameInstant()
    {
        // Arrange
        var key = await _keys.CreateAsync(TestData.ApiKey());
        var usedAt = TestData.BaseTime.AddMinutes(1);

        // Act
        await _keys.TouchLastUsedAsync(key.Id, usedAt.ToOffset(TimeSpan.FromHours(-7)));

        // Assert
        InstantAssert.Equal(usedAt, (await _keys.FindAsync(key.Id))?.LastUsedAt);
    }

    [Fact]
    public async Task RevokeAsync_UnknownKey_ReturnsFalse()
    {
        // Act
        var revoked = await _keys.RevokeAsync(Guid.NewGuid(), "alice", TestData.BaseTime);

        // Assert
        Assert.False(revoked);
    }

    [Fact]
    public async Task TouchLastUsedAsync_TwoUses_KeepsTheLatestTimeAndNothingElse()
    {
        // Arrange
        var key = await _keys.CreateAsync(TestData.ApiKey());
        var firstUse = TestData.BaseTime.AddMinutes(10);
        var secondUse = TestData.BaseTime.AddMinutes(20).AddMilliseconds(1);

        // Act
        await _keys.TouchLastUsedAsync(key.Id, firstUse);
        var afterFirst = await _keys.FindAsync(key.Id);
        await _keys.TouchLastUsedAsync(key.Id, secondUse);
        var afterSecond = await _keys.FindAsync(key.Id);

        // Assert
        InstantAssert.Equal(firstUse, afterFirst?.LastUsedAt);
        InstantAssert.Equal(secondUse, afterSecond?.LastUsedAt);
        Assert.Null(afterSecond?.RevokedAt);
        Assert.Equal(key.Name, afterSecond?.Name);
    }
}

public sealed class SqliteApiKeyRepositoryTests(SqliteDatabaseFixture db) : ApiKeyRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresApiKeyRepositoryTests(PostgresDatabaseFixture db) : ApiKeyRepositoryTests<PostgresDatabaseFixture>(db);
