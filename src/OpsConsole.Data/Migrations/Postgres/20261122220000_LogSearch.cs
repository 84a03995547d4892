using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Data.Migrations.Postgres
{
    /// <summary>
    /// Full-text search over stored log lines: a tsvector of each line's search terms with a GIN index (filled in the
    /// background by the log search indexer, never in the intake's COPY), the indexer's watermark, and an index on
    /// time alone for searches across tenants. No entity changes: the search reads these through SQL.
    /// </summary>
    [DbContext(typeof(PostgresOpsDbContext))]
    [Migration("20261122220000_LogSearch")]
    public partial class LogSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE log_search_terms (
                    log_id bigint NOT NULL PRIMARY KEY REFERENCES telemetry_logs ("Id") ON DELETE CASCADE,
                    tsv tsvector NOT NULL);
                """);
            migrationBuilder.Sql("CREATE INDEX ix_log_search_terms_tsv ON log_search_terms USING GIN (tsv);");
            migrationBuilder.Sql("CREATE TABLE log_search_state (id integer NOT NULL PRIMARY KEY, watermark bigint NOT NULL, indexed_at_ms bigint NOT NULL);");
            migrationBuilder.Sql("CREATE INDEX \"IX_telemetry_logs_TimeUnixNano\" ON telemetry_logs (\"TimeUnixNano\");");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX \"IX_telemetry_logs_TimeUnixNano\";");
            migrationBuilder.Sql("DROP TABLE log_search_state;");
            migrationBuilder.Sql("DROP TABLE log_search_terms;");
        }
    }
}
