using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;

namespace OpsConsole.Data.Tests;

public abstract class DashboardRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly DashboardRepository _dashboards = db.GetRequiredService<DashboardRepository>();

    private static DashboardEntity Row(string uid, int version, string title, string by = "admin") => new()
    {
        Uid = uid,
        Title = title,
        Json = $"{{\"uid\":\"{uid}\",\"title\":\"{title}\"}}",
        Version = version,
        UpdatedBy = by,
        UpdatedAt = TestData.BaseTime.AddMinutes(version),
    };

    [Fact]
    public async Task SaveVersionAsync_EachSaveIsAVersion_AndTheLatestIsCurrent()
    {
        var uid = TestData.UniqueSlug("d");

        Assert.True(await _dashboards.SaveVersionAsync(Row(uid, 1, "First"), 0, "created"));
        Assert.True(await _dashboards.SaveVersionAsync(Row(uid, 2, "Second", "bob"), 1, "renamed"));

        var current = await _dashboards.FindAsync(uid);
        Assert.Equal(("Second", 2, "bob"), (current!.Title, current.Version, current.UpdatedBy));
        InstantAssert.Equal(TestData.BaseTime.AddMinutes(2), current.UpdatedAt);
        var versions = await _dashboards.VersionsAsync(uid);
        Assert.Equal([(2, "renamed"), (1, "created")], versions.Select(v => (v.Version, v.Message)));
        Assert.Contains("First", (await _dashboards.VersionAsync(uid, 1))!.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoSavesOverTheSameVersion_OnlyTheFirstLands_EvenFromTwoReplicas()
    {
        var uid = TestData.UniqueSlug("d");
        await _dashboards.SaveVersionAsync(Row(uid, 1, "First"), 0, null);
        // A second repository on the same database stands for another replica of the console.
        var other = new DashboardRepository(db.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<OpsDbContext>>());

        var mine = await _dashboards.SaveVersionAsync(Row(uid, 2, "Mine"), 1, null);
        var theirs = await other.SaveVersionAsync(Row(uid, 2, "Theirs"), 1, null);

        Assert.True(mine);
        Assert.False(theirs);
        Assert.Equal("Mine", (await _dashboards.FindAsync(uid))!.Title);
        Assert.Equal(2, (await _dashboards.VersionsAsync(uid)).Count);
    }

    [Fact]
    public async Task CreatingATakenUid_IsRefused_AndChangesNothing()
    {
        var uid = TestData.UniqueSlug("d");
        await _dashboards.SaveVersionAsync(Row(uid, 1, "First"), 0, null);

        Assert.False(await _dashboards.SaveVersionAsync(Row(uid, 1, "Again"), 0, null));
        Assert.Equal("First", (await _dashboards.FindAsync(uid))!.Title);
    }

    [Fact]
    public async Task DeleteAsync_RemovesTheDashboardAndItsHistory()
    {
        var uid = TestData.UniqueSlug("d");
        await _dashboards.SaveVersionAsync(Row(uid, 1, "First"), 0, null);
        await _dashboards.SaveVersionAsync(Row(uid, 2, "Second"), 1, null);

        Assert.True(await _dashboards.DeleteAsync(uid));
        Assert.False(await _dashboards.DeleteAsync(uid));
        Assert.Null(await _dashboards.FindAsync(uid));
        Assert.Empty(await _dashboards.VersionsAsync(uid));
        Assert.True(await _dashboards.SaveVersionAsync(Row(uid, 1, "Reborn"), 0, null)); // the uid is free again
    }
}

public sealed class SqliteDashboardRepositoryTests(SqliteDatabaseFixture db) : DashboardRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresDashboardRepositoryTests(PostgresDatabaseFixture db) : DashboardRepositoryTests<PostgresDatabaseFixture>(db);
