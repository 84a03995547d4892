using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;

namespace OpsConsole.Data.Tests;

public abstract class TenantRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly TenantRepository _tenants = db.GetRequiredService<TenantRepository>();

    [Fact]
    public async Task CreateAsync_NewTenant_FindReturnsEveryField()
    {
        // Arrange
        var tenant = TestData.Tenant(createdAt: TestData.BaseTime.AddTicks(4567));
        tenant.IsDemo = true;

        // Act
        await _tenants.CreateAsync(tenant);
        var found = await _tenants.FindAsync(tenant.Id);

        // Assert
        Assert.NotNull(found);
        Assert.Equal(tenant.Id, found.Id);
        Assert.Equal("Acme Corporation", found.DisplayName);
        Assert.Equal("enterprise", found.Plan);
        Assert.True(found.IsDemo);
        InstantAssert.Equal(tenant.CreatedAt, found.CreatedAt);
    }

    [Fact]
    public async Task CreateAsync_TimeWithAnOffset_StoredAsTheSameInstant()
    {
        // Arrange
        var createdAt = TestData.BaseTime.ToOffset(TimeSpan.FromHours(5.5));
        var tenant = TestData.Tenant(createdAt: createdAt);

        // Act
        await _tenants.CreateAsync(tenant);
        var found = await _tenants.FindAsync(tenant.Id);

        // Assert
        InstantAssert.Equal(TestData.BaseTime, found?.CreatedAt);
    }

    [Fact]
    public async Task FindAsync_UnknownId_ReturnsNull()
    {
        // Act
        var found = await _tenants.FindAsync(TestData.UniqueSlug("missing"));

        // Assert
        Assert.Null(found);
    }

    [Fact]
    public async Task ListAsync_SeveralTenants_AllListedOrderedById()
    {
        // Arrange
        var stem = TestData.UniqueSlug("list");
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            await _tenants.CreateAsync(TestData.Tenant($"{stem}-{suffix}"));
        }

        // Act
        var listed = await _tenants.ListAsync();

        // Assert
        var ours = listed.Where(t => t.Id.StartsWith(stem, StringComparison.Ordinal)).Select(t => t.Id);
        Assert.Equal([$"{stem}-a", $"{stem}-b", $"{stem}-c"], ours);
    }

    [Fact]
    public async Task CreateAsync_DuplicateId_ThrowsDuplicateExceptionNamingTheIdAndKeepsTheOriginal()
    {
        // Arrange
        var original = await _tenants.CreateAsync(TestData.Tenant());
        var duplicate = TestData.Tenant(original.Id);
        duplicate.DisplayName = "Impostor";

        // Act
        var ex = await Assert.ThrowsAsync<DuplicateException>(() => _tenants.CreateAsync(duplicate));

        // Assert
        Assert.Equal($"A tenant with id '{original.Id}' already exists.", ex.Message);
        var stored = await _tenants.FindAsync(original.Id);
        Assert.Equal("Acme Corporation", stored?.DisplayName);
    }

    [Fact]
    public async Task UpdateAsync_QuotaOverridesStoredAndCleared_BeforeAndAfterReturned()
    {
        // Arrange
        var tenant = await _tenants.CreateAsync(TestData.Tenant());

        // Act
        var set = await _tenants.UpdateAsync(tenant.Id, "Acme EU", "business", 1234, 5_000_000_000);
        var stored = await _tenants.FindAsync(tenant.Id);
        var cleared = await _tenants.UpdateAsync(tenant.Id, "Acme EU", "business", null, null);

        // Assert
        Assert.NotNull(set);
        Assert.Equal(("Acme Corporation", (long?)null), (set.Value.Before.DisplayName, set.Value.Before.IngestItemsPerMinute));
        Assert.Equal(("Acme EU", "business", (long?)1234, (long?)5_000_000_000),
            (stored!.DisplayName, stored.Plan, stored.IngestItemsPerMinute, stored.IngestBytesPerDay));
        Assert.Equal((1234L, (long?)null), (cleared!.Value.Before.IngestItemsPerMinute!.Value, cleared.Value.After.IngestItemsPerMinute));
        Assert.Null((await _tenants.FindAsync(tenant.Id))!.IngestBytesPerDay);
    }

    [Fact]
    public async Task UpdateAsync_UnknownTenant_ReturnsNullAndCreatesNothing()
    {
        // Arrange
        var id = TestData.UniqueSlug("ghost");

        // Act
        var result = await _tenants.UpdateAsync(id, "Ghost", "free", 1, 1);

        // Assert
        Assert.Null(result);
        Assert.Null(await _tenants.FindAsync(id));
    }
}

public sealed class SqliteTenantRepositoryTests(SqliteDatabaseFixture db) : TenantRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresTenantRepositoryTests(PostgresDatabaseFixture db) : TenantRepositoryTests<PostgresDatabaseFixture>(db);
