using Npgsql;

namespace OpsConsole.Data.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database (CREATE DATABASE with a unique name) on the server named by
/// <see cref="EnvironmentVariable"/>, dropped afterwards. Without the variable every test using it fails: these tests
/// are part of the suite and must never be skipped silently.
/// </summary>
public sealed class PostgresDatabaseFixture : DatabaseFixture
{
    public const string EnvironmentVariable = "OPSCONSOLE_TEST_PG";

    private readonly string _databaseName = $"opsconsole_test_{Guid.NewGuid():N}";
    private string? _serverConnectionString;

    public override StorageProvider Provider => StorageProvider.Postgres;

    public string DatabaseName => _databaseName;

    /// <summary>The server to test against, or an exception that says how to get one.</summary>
    public static string ServerConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set, so the PostgreSQL repository tests cannot run (they are never skipped). " +
                "Run ./test.sh from the repository root: it starts a throwaway PostgreSQL and sets the variable. Or set " +
                $"{EnvironmentVariable} yourself to a server where the user may CREATE DATABASE, e.g. " +
                "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres");
        }

        return value;
    }

    protected override async Task<(StorageOptions Options, string ContentRoot)> CreateDatabaseAsync()
    {
        _serverConnectionString = ServerConnectionString();
        await ExecuteOnServerAsync($"CREATE DATABASE \"{_databaseName}\"");
        var builder = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = _databaseName };
        var options = new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = builder.ConnectionString };
        return (options, AppContext.BaseDirectory);
    }

    protected override async Task DropDatabaseAsync(string? connectionString)
    {
        if (_serverConnectionString is null)
        {
            return;
        }

        if (connectionString is not null)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)");
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
