using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Data.Tests;

public sealed class StorageConfigurationTests : IDisposable
{
    private readonly string _contentRoot = Path.Combine(Path.GetTempPath(), $"opsconsole-content-{Guid.NewGuid():N}");

    public StorageConfigurationTests() => Directory.CreateDirectory(_contentRoot);

    public void Dispose()
    {
        if (Directory.Exists(_contentRoot))
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
    }

    [Fact]
    public void ResolveConnectionString_RelativeSqlitePath_AbsoluteUnderContentRootAndDirectoryCreated()
    {
        // Arrange
        var options = new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = "Data Source=state/nested/ops.db" };
        var expected = Path.Combine(_contentRoot, "state", "nested", "ops.db");

        // Act
        var resolved = DataServiceCollectionExtensions.ResolveConnectionString(options, _contentRoot);

        // Assert
        var dataSource = new SqliteConnectionStringBuilder(resolved).DataSource;
        Assert.Equal(expected, dataSource);
        Assert.True(Path.IsPathRooted(dataSource));
        Assert.True(Directory.Exists(Path.Combine(_contentRoot, "state", "nested")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void ResolveConnectionString_SqliteWithoutConnectionString_DefaultFileUnderContentRoot(string? connectionString)
    {
        // Arrange
        var options = new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = connectionString };

        // Act
        var resolved = DataServiceCollectionExtensions.ResolveConnectionString(options, _contentRoot);

        // Assert
        Assert.Equal(Path.Combine(_contentRoot, "data", "opsconsole.db"), new SqliteConnectionStringBuilder(resolved).DataSource);
        Assert.True(Directory.Exists(Path.Combine(_contentRoot, "data")));
    }

    [Fact]
    public void ResolveConnectionString_AbsoluteSqlitePath_KeptAndDirectoryCreated()
    {
        // Arrange
        var path = Path.Combine(_contentRoot, "elsewhere", "ops.db");
        var options = new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = $"Data Source={path}" };

        // Act
        var resolved = DataServiceCollectionExtensions.ResolveConnectionString(options, "/nonexistent-content-root");

        // Assert
        Assert.Equal(path, new SqliteConnectionStringBuilder(resolved).DataSource);
        Assert.True(Directory.Exists(Path.Combine(_contentRoot, "elsewhere")));
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    public void ResolveConnectionString_InMemorySqlite_LeftInMemoryAndNoDirectoryCreated(string connectionString)
    {
        // Arrange
        var options = new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = connectionString };
        var original = new SqliteConnectionStringBuilder(connectionString).DataSource;

        // Act
        var resolved = DataServiceCollectionExtensions.ResolveConnectionString(options, _contentRoot);

        // Assert
        Assert.Equal(original, new SqliteConnectionStringBuilder(resolved).DataSource);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_contentRoot));
    }

    [Fact]
    public void ResolveConnectionString_SqliteWithoutDataSource_ThrowsNamingDataSource()
    {
        // Arrange
        var options = new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = "Cache=Shared" };

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => DataServiceCollectionExtensions.ResolveConnectionString(options, _contentRoot));

        // Assert
        Assert.Contains("names no 'Data Source'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void ResolveConnectionString_PostgresWithoutConnectionString_ThrowsNamingTheSetting(string? connectionString)
    {
        // Arrange
        var options = new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString };

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => DataServiceCollectionExtensions.ResolveConnectionString(options, _contentRoot));

        // Assert
        Assert.Contains("Storage:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:Provider is Postgres", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveConnectionString_PostgresConnectionString_ReturnedUnchanged()
    {
        // Arrange
        const string ConnectionString = "Host=db;Database=opsconsole;Username=opsconsole;Password=secret";
        var options = new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = ConnectionString };

        // Act
        var resolved = DataServiceCollectionExtensions.ResolveConnectionString(options, _contentRoot);

        // Assert
        Assert.Equal(ConnectionString, resolved);
    }

    [Fact]
    public void AddOpsConsoleData_PostgresWithoutConnectionString_ThrowsBeforeRegisteringAnything()
    {
        // Arrange
        var services = new ServiceCollection();
        var options = new StorageOptions { Provider = StorageProvider.Postgres };

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddOpsConsoleData(options, _contentRoot));

        // Assert
        Assert.Contains("Storage:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void AddOpsConsoleData_UnknownProvider_ThrowsNamingTheProvider()
    {
        // Arrange
        var services = new ServiceCollection();
        var options = new StorageOptions { Provider = (StorageProvider)42, ConnectionString = "Data Source=:memory:" };

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddOpsConsoleData(options, _contentRoot));

        // Assert
        Assert.Contains("Storage:Provider '42' is not supported", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolvedStorage_ToString_NeverShowsTheConnectionString()
    {
        // Arrange
        var storage = new ResolvedStorage(StorageProvider.Postgres, "Host=db;Password=secret");

        // Act
        var text = storage.ToString();

        // Assert
        Assert.Equal("Postgres", text);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }
}
