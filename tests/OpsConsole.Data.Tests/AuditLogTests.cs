using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Tests.Infrastructure;

namespace OpsConsole.Data.Tests;

public abstract class AuditLogTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private readonly AuditLog _log = db.GetRequiredService<AuditLog>();

    [Fact]
    public async Task WriteAsync_Entry_QueryReturnsEveryField()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        var entry = new AuditLogEntryEntity
        {
            At = TestData.BaseTime.AddTicks(1234),
            Actor = "alice",
            Action = "apikey.revoke",
            TargetType = "apikey",
            TargetId = "oc_abcd1234",
            TenantId = tenant,
            Before = """{"revoked":false}""",
            After = """{"revoked":true}""",
            RemoteAddress = "2001:db8::1",
        };

        // Act
        await _log.WriteAsync(entry);
        var found = Assert.Single(await _log.QueryAsync(new AuditQuery(TenantId: tenant)));

        // Assert
        Assert.True(found.Id > 0);
        InstantAssert.Equal(entry.At, found.At);
        Assert.Equal("alice", found.Actor);
        Assert.Equal("apikey.revoke", found.Action);
        Assert.Equal("apikey", found.TargetType);
        Assert.Equal("oc_abcd1234", found.TargetId);
        Assert.Equal(tenant, found.TenantId);
        Assert.Equal("""{"revoked":false}""", found.Before);
        Assert.Equal("""{"revoked":true}""", found.After);
        Assert.Equal("2001:db8::1", found.RemoteAddress);
    }

    [Fact]
    public async Task QueryAsync_ByTenant_ReturnsOnlyThatTenantNewestFirst()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        var other = TestData.UniqueSlug("audit");
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddMinutes(1), action: "first", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddMinutes(3), action: "third", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddMinutes(2), action: "second", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddMinutes(4), action: "elsewhere", tenantId: other));

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(TenantId: tenant));

        // Assert
        Assert.Equal(["third", "second", "first"], entries.Select(e => e.Action));
    }

    [Fact]
    public async Task QueryAsync_SameInstant_LaterWrittenEntryFirst()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime, action: "written-first", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime, action: "written-second", tenantId: tenant));

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(TenantId: tenant));

        // Assert
        Assert.Equal(["written-second", "written-first"], entries.Select(e => e.Action));
    }

    [Fact]
    public async Task QueryAsync_ByActor_ReturnsOnlyThatActorsEntries()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        var actor = TestData.UniqueSlug("actor");
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime, actor: actor, action: "mine-1", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(1), actor: "someone-else", action: "theirs", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(2), actor: actor, action: "mine-2"));

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(Actor: actor));

        // Assert
        Assert.Equal(["mine-2", "mine-1"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(actor, e.Actor));
    }

    [Fact]
    public async Task QueryAsync_ByActionAndTenant_CombinesFilters()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime, actor: "a", action: "user.delete", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(1), actor: "b", action: "user.create", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(2), actor: "c", action: "user.delete", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(3), actor: "d", action: "user.delete"));

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(TenantId: tenant, Action: "user.delete"));

        // Assert
        Assert.Equal(["c", "a"], entries.Select(e => e.Actor));
    }

    [Fact]
    public async Task QueryAsync_FromAndTo_FromIsInclusiveAndToIsExclusive()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        var t0 = TestData.BaseTime;
        foreach (var (offset, action) in new[] { (0, "before"), (10, "at-from"), (15, "inside"), (20, "at-to"), (30, "after") })
        {
            await WriteAsync(TestData.AuditEntry(t0.AddMilliseconds(offset), action: action, tenantId: tenant));
        }

        // Act
        var between = await _log.QueryAsync(new AuditQuery(TenantId: tenant, From: t0.AddMilliseconds(10), To: t0.AddMilliseconds(20)));
        var fromOnly = await _log.QueryAsync(new AuditQuery(TenantId: tenant, From: t0.AddMilliseconds(15)));
        var toOnly = await _log.QueryAsync(new AuditQuery(TenantId: tenant, To: t0.AddMilliseconds(15)));

        // Assert
        Assert.Equal(["inside", "at-from"], between.Select(e => e.Action));
        Assert.Equal(["after", "at-to", "inside"], fromOnly.Select(e => e.Action));
        Assert.Equal(["at-from", "before"], toOnly.Select(e => e.Action));
    }

    [Fact]
    public async Task QueryAsync_FromAndToWithAnOffset_FilterBySameInstantAsUtc()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime, action: "early", tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddHours(1), action: "late", tenantId: tenant));
        var plusTwo = TimeSpan.FromHours(2);

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(
            TenantId: tenant,
            From: TestData.BaseTime.AddMinutes(30).ToOffset(plusTwo),
            To: TestData.BaseTime.AddHours(2).ToOffset(plusTwo)));

        // Assert
        Assert.Equal(["late"], entries.Select(e => e.Action));
    }

    [Fact]
    public async Task QueryAsync_Limit_ReturnsTheNewestEntriesOnly()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        for (var i = 0; i < 5; i++)
        {
            await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(i), action: $"a{i}", tenantId: tenant));
        }

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(TenantId: tenant, Limit: 2));

        // Assert
        Assert.Equal(["a4", "a3"], entries.Select(e => e.Action));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(AuditLog.MaxLimit + 1)]
    public async Task QueryAsync_LimitOutOfRange_Throws(int limit)
    {
        // Act
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _log.QueryAsync(new AuditQuery(Limit: limit)));

        // Assert
        Assert.Equal("query", ex.ParamName);
        Assert.Equal(limit, ex.ActualValue);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(AuditLog.MaxLimit)]
    public async Task QueryAsync_LimitAtBounds_Accepted(int limit)
    {
        // Arrange
        var tenant = TestData.UniqueSlug("audit");
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime, tenantId: tenant));
        await WriteAsync(TestData.AuditEntry(TestData.BaseTime.AddSeconds(1), tenantId: tenant));

        // Act
        var entries = await _log.QueryAsync(new AuditQuery(TenantId: tenant, Limit: limit));

        // Assert
        Assert.Equal(Math.Min(limit, 2), entries.Count);
    }

    [Fact]
    public async Task QueryAsync_UnknownTenant_ReturnsNothing()
    {
        // Act
        var entries = await _log.QueryAsync(new AuditQuery(TenantId: TestData.UniqueSlug("none")));

        // Assert
        Assert.Empty(entries);
    }

    private Task WriteAsync(AuditLogEntryEntity entry) => _log.WriteAsync(entry);
}

public sealed class SqliteAuditLogTests(SqliteDatabaseFixture db) : AuditLogTests<SqliteDatabaseFixture>(db);

public sealed class PostgresAuditLogTests(PostgresDatabaseFixture db) : AuditLogTests<PostgresDatabaseFixture>(db);
