using OpsConsole.Data.Entities;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Data.Usage;

namespace OpsConsole.Data.Tests;

public abstract class UsageRepositoryTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private const long Hour = UsageRepository.HourMs;
    private static readonly long BaseHour = TestData.BaseTime.ToUnixTimeMilliseconds() / Hour * Hour;
    private readonly UsageRepository _usage = db.GetRequiredService<UsageRepository>();

    [Fact]
    public async Task ReplaceComputedHour_Twice_KeepsTheSecondAmountsOnly()
    {
        var tenant = TestData.UniqueSlug("comp");
        string[] kinds = ["api_calls", "queries"];
        await _usage.ReplaceComputedHourAsync(BaseHour, kinds, [new(tenant, BaseHour, "api_calls", 10), new(tenant, BaseHour, "queries", 4)], 1);

        await _usage.ReplaceComputedHourAsync(BaseHour, kinds, [new(tenant, BaseHour, "api_calls", 12)], 2);

        var totals = await _usage.HourlyAsync(tenant, BaseHour, BaseHour + Hour);
        Assert.Equal([new UsageHourTotal(BaseHour, "api_calls", 12)], totals);
    }

    [Fact]
    public async Task ReplaceComputedHour_OtherKinds_LeftAlone()
    {
        var tenant = TestData.UniqueSlug("kinds");
        await _usage.ReplaceComputedHourAsync(BaseHour, ["stored_items"], [new(tenant, BaseHour, "stored_items", 500)], 1);

        await _usage.ReplaceComputedHourAsync(BaseHour, ["api_calls"], [new(tenant, BaseHour, "api_calls", 3)], 2);

        var totals = await _usage.HourlyAsync(tenant, BaseHour, BaseHour + Hour);
        Assert.Equal(
            [new UsageHourTotal(BaseHour, "api_calls", 3), new UsageHourTotal(BaseHour, "stored_items", 500)],
            totals);
    }

    [Fact]
    public async Task InstanceTotals_RewrittenAndFromTwoInstances_SumOnceEach()
    {
        var tenant = TestData.UniqueSlug("inst");
        await _usage.SetInstanceTotalsAsync("first", [new(tenant, BaseHour, "request_bytes", 100)], 1);
        await _usage.SetInstanceTotalsAsync("first", [new(tenant, BaseHour, "request_bytes", 150)], 2); // absolute, not added
        await _usage.SetInstanceTotalsAsync("second", [new(tenant, BaseHour, "request_bytes", 40)], 3);
        await _usage.ReplaceComputedHourAsync(BaseHour + Hour, ["api_calls"], [new(tenant, BaseHour + Hour, "api_calls", 7)], 4);

        var totals = await _usage.HourlyAsync(tenant, BaseHour, BaseHour + (2 * Hour));

        Assert.Equal(
            [new UsageHourTotal(BaseHour, "request_bytes", 190), new UsageHourTotal(BaseHour + Hour, "api_calls", 7)],
            totals);
    }

    [Fact]
    public async Task Hourly_OnlyTheTenantAndRange()
    {
        var tenant = TestData.UniqueSlug("range");
        var other = TestData.UniqueSlug("other");
        await _usage.SetInstanceTotalsAsync("i", [
            new(tenant, BaseHour - Hour, "spans", 1), new(tenant, BaseHour, "spans", 2), new(tenant, BaseHour + Hour, "spans", 3),
            new(other, BaseHour, "spans", 99)], 1);

        var totals = await _usage.HourlyAsync(tenant, BaseHour, BaseHour + Hour);

        Assert.Equal([new UsageHourTotal(BaseHour, "spans", 2)], totals);
    }

    [Fact]
    public async Task Prune_DeletesHoursBeforeTheCutoffOnly()
    {
        var tenant = TestData.UniqueSlug("prune");
        var old = BaseHour - (400L * 24 * Hour);
        await _usage.SetInstanceTotalsAsync("i", [new(tenant, old, "spans", 1), new(tenant, BaseHour, "spans", 2)], 1);
        await _usage.ReplaceComputedHourAsync(old, ["api_calls"], [new(tenant, old, "api_calls", 5)], 1);

        var removed = await _usage.PruneAsync(old + Hour);

        Assert.True(removed >= 2);
        Assert.Equal([new UsageHourTotal(BaseHour, "spans", 2)], await _usage.HourlyAsync(tenant, old, BaseHour + Hour));
    }

    [Fact]
    public async Task BadInput_NotAnHourStart_ThrowsAndStoresNothing()
    {
        var tenant = TestData.UniqueSlug("bad");

        await Assert.ThrowsAsync<ArgumentException>(() => _usage.SetInstanceTotalsAsync("i", [new(tenant, BaseHour + 1, "spans", 1)], 1));
        await Assert.ThrowsAsync<ArgumentException>(() => _usage.ReplaceComputedHourAsync(BaseHour, ["spans"], [new(tenant, BaseHour + Hour, "spans", 1)], 1));
        await Assert.ThrowsAsync<ArgumentException>(() => _usage.SetInstanceTotalsAsync(UsageSources.Computed, [new(tenant, BaseHour, "spans", 1)], 1));

        Assert.Empty(await _usage.HourlyAsync(tenant, BaseHour - Hour, BaseHour + (2 * Hour)));
    }
}

public sealed class SqliteUsageRepositoryTests(SqliteDatabaseFixture db) : UsageRepositoryTests<SqliteDatabaseFixture>(db);

public sealed class PostgresUsageRepositoryTests(PostgresDatabaseFixture db) : UsageRepositoryTests<PostgresDatabaseFixture>(db);
