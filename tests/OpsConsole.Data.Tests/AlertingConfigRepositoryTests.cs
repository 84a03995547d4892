using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;

namespace OpsConsole.Data.Tests;

public abstract class AlertingConfigRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly AlertingConfigRepository _versions = db.GetRequiredService<AlertingConfigRepository>();

    [Fact]
    public async Task AddAsync_VersionsInOrder_LatestIsTheNewestAndASecondSaveOfTheSameVersionIsRefused()
    {
        // Arrange
        var next = ((await _versions.LatestAsync())?.Version ?? 0) + 1;

        // Act
        var first = await _versions.AddAsync(new AlertingConfigVersionEntity { Version = next, Document = "{\"a\":1}", CreatedAt = TestData.BaseTime, CreatedBy = "config" });
        var second = await _versions.AddAsync(new AlertingConfigVersionEntity { Version = next + 1, Document = "{\"a\":2}", CreatedAt = TestData.BaseTime.AddMinutes(1).ToOffset(TimeSpan.FromHours(2)), CreatedBy = "admin" });
        var duplicate = await _versions.AddAsync(new AlertingConfigVersionEntity { Version = next + 1, Document = "{\"a\":3}", CreatedAt = TestData.BaseTime.AddMinutes(2), CreatedBy = "other" });
        var latest = await _versions.LatestAsync();
        var list = await _versions.ListAsync(2);

        // Assert
        Assert.True(first);
        Assert.True(second);
        Assert.False(duplicate);
        Assert.NotNull(latest);
        Assert.Equal((next + 1, "{\"a\":2}", "admin"), (latest.Version, latest.Document, latest.CreatedBy));
        InstantAssert.Equal(TestData.BaseTime.AddMinutes(1), latest.CreatedAt);
        Assert.Equal([next + 1, next], list.Select(v => v.Version));
    }
}

public sealed class SqliteAlertingConfigRepositoryTests(SqliteDatabaseFixture db) : AlertingConfigRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresAlertingConfigRepositoryTests(PostgresDatabaseFixture db) : AlertingConfigRepositoryTests<PostgresDatabaseFixture>(db);
