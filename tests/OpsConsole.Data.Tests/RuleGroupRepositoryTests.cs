using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;

namespace OpsConsole.Data.Tests;

public abstract class RuleGroupRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly RuleGroupRepository _groups = db.GetRequiredService<RuleGroupRepository>();

    private static RuleGroupEntity Group(string name, string yaml = "groups: []\n", string source = "api") => new()
    {
        Name = name,
        Source = source,
        File = source == "api" ? "api" : "rules/demo.yml",
        Yaml = yaml,
        UpdatedAt = TestData.BaseTime,
        UpdatedBy = "admin",
    };

    [Fact]
    public async Task ApplyAsync_CreateThenReplace_ListReturnsTheLatestOfEveryField()
    {
        // Arrange
        var name = TestData.UniqueSlug("group");
        await _groups.ApplyAsync([Group(name, "groups:\n  - name: first\n")], []);
        var replacement = Group(name, "groups:\n  - name: second\n    rules: []\n", "provisioned");
        replacement.UpdatedAt = TestData.BaseTime.AddMinutes(5).ToOffset(TimeSpan.FromHours(2));
        replacement.UpdatedBy = "provisioning";

        // Act
        await _groups.ApplyAsync([replacement], []);
        var stored = (await _groups.ListAsync()).Single(g => g.Name == name);

        // Assert
        Assert.Equal(("provisioned", "rules/demo.yml", "groups:\n  - name: second\n    rules: []\n", "provisioning"), (stored.Source, stored.File, stored.Yaml, stored.UpdatedBy));
        InstantAssert.Equal(TestData.BaseTime.AddMinutes(5), stored.UpdatedAt);
    }

    [Fact]
    public async Task ApplyAsync_DeletesAndUpsertsTogether_ListIsOrderedByName()
    {
        // Arrange
        var stem = TestData.UniqueSlug("set");
        await _groups.ApplyAsync([Group(stem + "-b"), Group(stem + "-gone")], []);

        // Act
        await _groups.ApplyAsync([Group(stem + "-a"), Group(stem + "-c")], [stem + "-gone", stem + "-never-existed"]);
        var names = (await _groups.ListAsync()).Select(g => g.Name).Where(n => n.StartsWith(stem, StringComparison.Ordinal)).ToList();

        // Assert
        Assert.Equal([stem + "-a", stem + "-b", stem + "-c"], names);
    }

    [Fact]
    public async Task ApplyAsync_OneRowFails_NothingOfTheChangeIsKept()
    {
        // Arrange
        var kept = TestData.UniqueSlug("kept");
        await _groups.ApplyAsync([Group(kept)], []);
        var fresh = TestData.UniqueSlug("fresh");
        var broken = Group(TestData.UniqueSlug("broken"));
        broken.Yaml = null!; // NOT NULL in both databases

        // Act
        await Assert.ThrowsAsync<DbUpdateException>(() => _groups.ApplyAsync([Group(fresh), broken], [kept]));
        var names = (await _groups.ListAsync()).Select(g => g.Name).ToList();

        // Assert
        Assert.Contains(kept, names);
        Assert.DoesNotContain(fresh, names);
    }

    [Fact]
    public async Task DeleteAsync_ExistingAndMissing_TrueThenFalse()
    {
        // Arrange
        var name = TestData.UniqueSlug("del");
        await _groups.ApplyAsync([Group(name)], []);

        // Act
        var first = await _groups.DeleteAsync(name);
        var second = await _groups.DeleteAsync(name);

        // Assert
        Assert.True(first);
        Assert.False(second);
        Assert.DoesNotContain(await _groups.ListAsync(), g => g.Name == name);
    }
}

public sealed class SqliteRuleGroupRepositoryTests(SqliteDatabaseFixture db) : RuleGroupRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresRuleGroupRepositoryTests(PostgresDatabaseFixture db) : RuleGroupRepositoryTests<PostgresDatabaseFixture>(db);
