using Microsoft.Data.Sqlite;

namespace OpsConsole.Data.Tests.Infrastructure;

/// <summary>A temporary SQLite file (in its own directory, used as the content root), deleted afterwards.</summary>
public sealed class SqliteDatabaseFixture : DatabaseFixture
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"opsconsole-data-tests-{Guid.NewGuid():N}");

    public override StorageProvider Provider => StorageProvider.Sqlite;

    /// <summary>The database file, relative to the content root the way an operator would configure it.</summary>
    public string DatabasePath => Path.Combine(_directory, "db", "opsconsole.db");

    protected override Task<(StorageOptions Options, string ContentRoot)> CreateDatabaseAsync()
    {
        var options = new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = "Data Source=db/opsconsole.db" };
        return Task.FromResult((options, _directory));
    }

    protected override Task DropDatabaseAsync(string? connectionString)
    {
        if (connectionString is not null)
        {
            using var connection = new SqliteConnection(connectionString);
            SqliteConnection.ClearPool(connection);
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
