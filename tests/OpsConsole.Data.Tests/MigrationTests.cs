using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Domain.Security;

namespace OpsConsole.Data.Tests;

public abstract class MigrationTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    protected TFixture Db { get; } = db;

    [Fact]
    public async Task MigrateAsync_FreshDatabase_SeedsTheFourRolesWithDescriptions()
    {
        // Arrange
        var factory = Db.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var context = await factory.CreateDbContextAsync();

        // Act
        var roles = await context.Roles.AsNoTracking().OrderBy(r => r.Name).ToListAsync();

        // Assert
        Assert.Equal(4, roles.Count);
        Assert.Equal(["Admin", "Executive", "Operator", "TenantAdmin"], roles.Select(r => r.Name));
        Assert.All(roles, r => Assert.Equal(Roles.Describe(Enum.Parse<Role>(r.Name)), r.Description));
    }

    [Fact]
    public async Task MigrateAsync_RunAgain_LeavesNoPendingMigrationsAndKeepsTheSeed()
    {
        // Arrange
        var migrator = Db.GetRequiredService<DatabaseMigrator>();
        var factory = Db.GetRequiredService<IDbContextFactory<OpsDbContext>>();

        // Act
        await migrator.MigrateAsync();

        // Assert
        await using var context = await factory.CreateDbContextAsync();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await context.Database.GetAppliedMigrationsAsync());
        Assert.Equal(4, await context.Roles.CountAsync());
    }

    [Fact]
    public async Task CanConnectAsync_MigratedDatabase_True()
    {
        // Arrange
        var migrator = Db.GetRequiredService<DatabaseMigrator>();

        // Act
        var ok = await migrator.CanConnectAsync(CancellationToken.None);

        // Assert
        Assert.True(ok);
    }

    [Fact]
    public void AddOpsConsoleData_Provider_ContextMatchesTheConfiguredProvider()
    {
        // Arrange
        var factory = Db.GetRequiredService<IDbContextFactory<OpsDbContext>>();

        // Act
        using var context = factory.CreateDbContext();

        // Assert
        Assert.Equal(Db.Provider, Db.GetRequiredService<ResolvedStorage>().Provider);
        Assert.IsType(Db.Provider == StorageProvider.Sqlite ? typeof(SqliteOpsDbContext) : typeof(PostgresOpsDbContext), context);
    }
}

public sealed class SqliteMigrationTests(SqliteDatabaseFixture db) : MigrationTests<SqliteDatabaseFixture>(db)
{
    [Fact]
    public async Task MigrateAsync_SqliteFile_IsInWalJournalMode()
    {
        // Arrange
        await using var connection = new SqliteConnection(Db.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        // Act
        var mode = (string?)await command.ExecuteScalarAsync();

        // Assert
        Assert.Equal("wal", mode);
    }

    [Fact]
    public void AddOpsConsoleData_RelativeSqlitePath_DatabaseFileCreatedUnderContentRoot()
    {
        // Act
        var exists = File.Exists(Db.DatabasePath);

        // Assert
        Assert.True(exists, $"expected the database file at {Db.DatabasePath}");
        Assert.Contains(Db.DatabasePath, Db.ConnectionString, StringComparison.Ordinal);
    }
}

public sealed class PostgresMigrationTests(PostgresDatabaseFixture db) : MigrationTests<PostgresDatabaseFixture>(db)
{
    [Fact]
    public async Task MigrateAsync_Postgres_RunsInTheTestClassOwnDatabase()
    {
        // Arrange
        var factory = Db.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var context = await factory.CreateDbContextAsync();

        // Act
        var name = await context.Database.SqlQueryRaw<string>("SELECT current_database() AS \"Value\"").SingleAsync();

        // Assert
        Assert.Equal(Db.DatabaseName, name);
    }
}
