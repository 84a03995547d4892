namespace OpsConsole.Data;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The default SQLite file, relative to the content root (the repository root when run from source).</summary>
    public const string DefaultSqlitePath = "data/opsconsole.db";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// For SQLite: a connection string, or empty for <see cref="DefaultSqlitePath"/>. Relative file names are
    /// resolved against the content root. For PostgreSQL: an Npgsql connection string (required).
    /// </summary>
    public string? ConnectionString { get; set; }
}
