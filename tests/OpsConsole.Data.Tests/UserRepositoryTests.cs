using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Domain.Security;

namespace OpsConsole.Data.Tests;

public abstract class UserRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private const int MaxFailures = 3;

    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private readonly UserRepository _users = db.GetRequiredService<UserRepository>();
    private readonly TenantRepository _tenants = db.GetRequiredService<TenantRepository>();

    [Fact]
    public async Task CreateAsync_NewUser_StoresNormalizedNameAndEveryField()
    {
        // Arrange
        var name = TestData.UniqueSlug("Grace.Hopper");
        var user = TestData.User($"  {name} ");

        // Act
        await _users.CreateAsync(user);
        var found = await _users.FindByIdAsync(user.Id);

        // Assert
        Assert.NotNull(found);
        Assert.Equal($"  {name} ", found.UserName);
        Assert.Equal(name.ToUpperInvariant(), found.NormalizedUserName);
        Assert.Equal("Ada Lovelace", found.DisplayName);
        Assert.Equal(user.PasswordHash, found.PasswordHash);
        Assert.Equal(Roles.Operator, found.RoleName);
        Assert.Null(found.TenantId);
        Assert.Equal(user.SecurityStamp, found.SecurityStamp);
        Assert.Equal(0, found.FailedSignInCount);
        Assert.Null(found.LockoutEndsAt);
        Assert.Null(found.LastSignInAt);
        Assert.False(found.IsDisabled);
        InstantAssert.Equal(TestData.BaseTime, found.CreatedAt);
    }

    [Fact]
    public async Task CreateAsync_TenantAdminOfExistingTenant_StoresTheTenant()
    {
        // Arrange
        var tenant = await _tenants.CreateAsync(TestData.Tenant());
        var user = TestData.User(role: Role.TenantAdmin, tenantId: tenant.Id);

        // Act
        await _users.CreateAsync(user);

        // Assert
        var found = await _users.FindByIdAsync(user.Id);
        Assert.Equal(tenant.Id, found?.TenantId);
        Assert.Equal(Roles.TenantAdmin, found?.RoleName);
    }

    [Theory]
    [InlineData("upper")]
    [InlineData("lower")]
    [InlineData("padded")]
    public async Task CreateAsync_SameNameInOtherCaseOrPadding_ThrowsDuplicateExceptionNamingTheUser(string variant)
    {
        // Arrange
        var name = TestData.UniqueSlug("Dup.User");
        await _users.CreateAsync(TestData.User(name));
        var other = variant switch
        {
            "upper" => name.ToUpperInvariant(),
            "lower" => name.ToLowerInvariant(),
            _ => $" {name}  ",
        };

        // Act
        var ex = await Assert.ThrowsAsync<DuplicateException>(() => _users.CreateAsync(TestData.User(other)));

        // Assert
        Assert.Equal($"A user named '{other}' already exists.", ex.Message);
        var found = await _users.FindByUserNameAsync(name);
        Assert.Equal(name, found?.UserName);
    }

    [Fact]
    public async Task CreateAsync_UnknownTenant_ThrowsArgumentExceptionNamingTheTenantAndStoresNothing()
    {
        // Arrange
        var missingTenant = TestData.UniqueSlug("nope");
        var user = TestData.User(role: Role.TenantAdmin, tenantId: missingTenant);

        // Act
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync(user));

        // Assert
        Assert.Contains($"Tenant '{missingTenant}' does not exist.", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _users.FindByIdAsync(user.Id));
    }

    [Fact]
    public async Task CreateAsync_UnknownRole_ThrowsArgumentExceptionNamingTheRole()
    {
        // Arrange
        var user = TestData.User();
        user.RoleName = "Superuser";

        // Act
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _users.CreateAsync(user));

        // Assert
        Assert.Contains("Role 'Superuser' does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _users.FindByIdAsync(user.Id));
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("upper")]
    [InlineData("lower")]
    [InlineData("padded")]
    public async Task FindByUserNameAsync_AnyCaseOrPadding_FindsTheUser(string variant)
    {
        // Arrange
        var name = TestData.UniqueSlug("Find.Me");
        var user = await _users.CreateAsync(TestData.User(name));
        var query = variant switch
        {
            "exact" => name,
            "upper" => name.ToUpperInvariant(),
            "lower" => name.ToLowerInvariant(),
            _ => $"\t{name} ",
        };

        // Act
        var found = await _users.FindByUserNameAsync(query);

        // Assert
        Assert.Equal(user.Id, found?.Id);
    }

    [Fact]
    public async Task FindByUserNameAsync_UnknownName_ReturnsNull()
    {
        // Act
        var found = await _users.FindByUserNameAsync(TestData.UniqueSlug("nobody"));

        // Assert
        Assert.Null(found);
    }

    [Fact]
    public async Task ListAsync_SeveralUsers_OrderedByNormalizedName()
    {
        // Arrange
        var stem = TestData.UniqueSlug("list");
        await _users.CreateAsync(TestData.User($"{stem}-b"));
        await _users.CreateAsync(TestData.User($"{stem}-C"));
        await _users.CreateAsync(TestData.User($"{stem}-a"));

        // Act
        var listed = await _users.ListAsync();

        // Assert
        var ours = listed.Where(u => u.NormalizedUserName.StartsWith(stem.ToUpperInvariant(), StringComparison.Ordinal)).Select(u => u.UserName);
        Assert.Equal([$"{stem}-a", $"{stem}-b", $"{stem}-C"], ours);
        Assert.True(await _users.AnyAsync());
    }

    [Fact]
    public async Task RecordFailedSignInAsync_FewerThanMaxFailures_CountsWithoutLocking()
    {
        // Arrange
        var user = await _users.CreateAsync(TestData.User());

        // Act
        var first = await _users.RecordFailedSignInAsync(user.Id, TestData.BaseTime, MaxFailures, Lockout);
        var second = await _users.RecordFailedSignInAsync(user.Id, TestData.BaseTime.AddSeconds(1), MaxFailures, Lockout);

        // Assert
        Assert.Null(first);
        Assert.Null(second);
        var stored = await _users.FindByIdAsync(user.Id);
        Assert.Equal(2, stored?.FailedSignInCount);
        Assert.Null(stored?.LockoutEndsAt);
    }

    [Fact]
    public async Task RecordFailedSignInAsync_MaxFailures_LocksUntilNowPlusLockoutAndResetsTheCount()
    {
        // Arrange
        var user = await _users.CreateAsync(TestData.User());
        var now = TestData.BaseTime.AddMinutes(5);
        await _users.RecordFailedSignInAsync(user.Id, now, MaxFailures, Lockout);
        await _users.RecordFailedSignInAsync(user.Id, now, MaxFailures, Lockout);

        // Act
        var lockedUntil = await _users.RecordFailedSignInAsync(user.Id, now, MaxFailures, Lockout);

        // Assert
        Assert.Equal(now + Lockout, lockedUntil);
        var stored = await _users.FindByIdAsync(user.Id);
        Assert.Equal(0, stored?.FailedSignInCount);
        InstantAssert.Equal(now + Lockout, stored?.LockoutEndsAt);
    }

    [Fact]
    public async Task RecordFailedSignInAsync_AfterALockout_CountsAgainFromOne()
    {
        // Arrange
        var user = await _users.CreateAsync(TestData.User());
        for (var i = 0; i < MaxFailures; i++)
        {
            await _users.RecordFailedSignInAsync(user.Id, TestData.BaseTime, MaxFailures, Lockout);
        }

        // Act
        var next = await _users.RecordFailedSignInAsync(user.Id, TestData.BaseTime.AddMinutes(20), MaxFailures, Lockout);

        // Assert
        Assert.Null(next);
        var stored = await _users.FindByIdAsync(user.Id);
        Assert.Equal(1, stored?.FailedSignInCount);
        InstantAssert.Equal(TestData.BaseTime + Lockout, stored?.LockoutEndsAt);
    }

    [Fact]
    public async Task RecordFailedSignInAsync_ConcurrentFailures_EachIsCountedAndExactlyOneLocks()
    {
        // Arrange
        var user = await _users.CreateAsync(TestData.User());
        const int Attempts = 10;

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, Attempts)
            .Select(_ => _users.RecordFailedSignInAsync(user.Id, TestData.BaseTime, Attempts, Lockout)));

        // Assert
        Assert.Single(results, r => r is not null);
        var stored = await _users.FindByIdAsync(user.Id);
        Assert.Equal(0, stored?.FailedSignInCount);
        InstantAssert.Equal(TestData.BaseTime + Lockout, stored?.LockoutEndsAt);
    }

    [Fact]
    public async Task RecordFailedSignInAsync_UnknownUser_ReturnsNull()
    {
        // Act
        var result = await _users.RecordFailedSignInAsync(Guid.NewGuid(), TestData.BaseTime, 1, Lockout);

        // Assert
        Assert.Null(result);
    }

    [Fact]
    public async Task RecordSuccessfulSignInAsync_LockedUserWithFailures_ClearsLockoutAndCountAndRecordsTheTime()
    {
        // Arrange
        var user = await _users.CreateAsync(TestData.User());
        for (var i = 0; i < MaxFailures + 1; i++)
        {
            await _users.RecordFailedSignInAsync(user.Id, TestData.BaseTime, MaxFailures, Lockout);
        }

        var signedInAt = TestData.BaseTime.AddHours(1).AddMilliseconds(7);

        // Act
        await _users.RecordSuccessfulSignInAsync(user.Id, signedInAt);

        // Assert
        var stored = await _users.FindByIdAsync(user.Id);
        Assert.NotNull(stored);
        Assert.Equal(0, stored.FailedSignInCount);
        Assert.Null(stored.LockoutEndsAt);
        InstantAssert.Equal(signedInAt, stored.LastSignInAt);
    }
}

public sealed class SqliteUserRepositoryTests(SqliteDatabaseFixture db) : UserRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresUserRepositoryTests(PostgresDatabaseFixture db) : UserRepositoryTests<PostgresDatabaseFixture>(db);
