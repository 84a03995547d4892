using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OpsConsole.Data;

// Used only by `dotnet ef migrations add` to build each provider's model; never at run time.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOpsDbContext>
{
    public SqliteOpsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOpsDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOpsDbContext>
{
    public PostgresOpsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOpsDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
