using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Data.Migrations.Sqlite
{
    /// <summary>
    /// Full-text search over stored log lines: an FTS5 table of each line's search terms (filled in the background by
    /// the log search indexer, never in the intake's commit), the indexer's watermark, and an index on time alone for
    /// searches across tenants. No entity changes: the search reads these through SQL.
    /// </summary>
    [DbContext(typeof(SqliteOpsDbContext))]
    [Migration("20261122220000_LogSearch")]
    public partial class LogSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE VIRTUAL TABLE log_search_fts USING fts5(terms, content='', contentless_delete=1);");
            migrationBuilder.Sql("CREATE TABLE log_search_state (id INTEGER NOT NULL PRIMARY KEY, watermark INTEGER NOT NULL, indexed_at_ms INTEGER NOT NULL);");
            migrationBuilder.Sql("CREATE TRIGGER tr_telemetry_logs_search_delete AFTER DELETE ON telemetry_logs BEGIN DELETE FROM log_search_fts WHERE rowid = old.Id; END;");
            migrationBuilder.Sql("CREATE INDEX IX_telemetry_logs_TimeUnixNano ON telemetry_logs (TimeUnixNano);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IX_telemetry_logs_TimeUnixNano;");
            migrationBuilder.Sql("DROP TRIGGER tr_telemetry_logs_search_delete;");
            migrationBuilder.Sql("DROP TABLE log_search_state;");
            migrationBuilder.Sql("DROP TABLE log_search_fts;");
        }
    }
}
