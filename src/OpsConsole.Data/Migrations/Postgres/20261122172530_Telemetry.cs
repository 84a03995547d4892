using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpsConsole.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Telemetry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "health_check_results",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TenantId = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Service = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Check = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    DurationMs = table.Column<double>(type: "double precision", nullable: true),
                    TimestampMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_health_check_results", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "metric_metadata",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<int>(type: "integer", nullable: false),
                    Help = table.Column<string>(type: "text", nullable: true),
                    Unit = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_metadata", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "metric_samples",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Fingerprint = table.Column<long>(type: "bigint", nullable: false),
                    TimestampMs = table.Column<long>(type: "bigint", nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: true),
                    NaNKind = table.Column<byte>(type: "smallint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_samples", x => new { x.TenantId, x.Fingerprint, x.TimestampMs });
                });

            migrationBuilder.CreateTable(
                name: "metric_series",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Fingerprint = table.Column<long>(type: "bigint", nullable: false),
                    MetricName = table.Column<string>(type: "text", nullable: false),
                    Labels = table.Column<string>(type: "text", nullable: false),
                    FirstSeenMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_series", x => new { x.TenantId, x.Fingerprint });
                });

            migrationBuilder.CreateTable(
                name: "telemetry_logs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TenantId = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    TimeUnixNano = table.Column<long>(type: "bigint", nullable: false),
                    ObservedUnixNano = table.Column<long>(type: "bigint", nullable: false),
                    SeverityNumber = table.Column<int>(type: "integer", nullable: false),
                    SeverityText = table.Column<string>(type: "text", nullable: true),
                    Level = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    BodyJson = table.Column<string>(type: "text", nullable: false),
                    Attributes = table.Column<string>(type: "text", nullable: false),
                    TraceId = table.Column<byte[]>(type: "bytea", nullable: true),
                    SpanId = table.Column<byte[]>(type: "bytea", nullable: true),
                    ServiceName = table.Column<string>(type: "text", nullable: false),
                    Resource = table.Column<string>(type: "text", nullable: false),
                    ScopeName = table.Column<string>(type: "text", nullable: true),
                    ScopeVersion = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_telemetry_logs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "telemetry_spans",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TenantId = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    TraceId = table.Column<byte[]>(type: "bytea", nullable: false),
                    SpanId = table.Column<byte[]>(type: "bytea", nullable: false),
                    ParentSpanId = table.Column<byte[]>(type: "bytea", nullable: true),
                    TraceState = table.Column<string>(type: "text", nullable: true),
                    Name = table.Column<string>(type: "text", nullable: false),
                    ServiceName = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    StartUnixNano = table.Column<long>(type: "bigint", nullable: false),
                    EndUnixNano = table.Column<long>(type: "bigint", nullable: false),
                    DurationNano = table.Column<long>(type: "bigint", nullable: false),
                    StatusCode = table.Column<int>(type: "integer", nullable: false),
                    StatusMessage = table.Column<string>(type: "text", nullable: true),
                    Attributes = table.Column<string>(type: "text", nullable: false),
                    Events = table.Column<string>(type: "text", nullable: false),
                    Links = table.Column<string>(type: "text", nullable: false),
                    Resource = table.Column<string>(type: "text", nullable: false),
                    ScopeName = table.Column<string>(type: "text", nullable: true),
                    ScopeVersion = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_telemetry_spans", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_health_check_results_TenantId_Service_TimestampMs",
                table: "health_check_results",
                columns: new[] { "TenantId", "Service", "TimestampMs" });

            migrationBuilder.CreateIndex(
                name: "IX_metric_samples_TimestampMs",
                table: "metric_samples",
                column: "TimestampMs");

            migrationBuilder.CreateIndex(
                name: "IX_metric_series_MetricName",
                table: "metric_series",
                column: "MetricName");

            migrationBuilder.CreateIndex(
                name: "IX_telemetry_logs_TenantId_TimeUnixNano",
                table: "telemetry_logs",
                columns: new[] { "TenantId", "TimeUnixNano" });

            migrationBuilder.CreateIndex(
                name: "IX_telemetry_logs_TraceId",
                table: "telemetry_logs",
                column: "TraceId");

            migrationBuilder.CreateIndex(
                name: "IX_telemetry_spans_ServiceName_StartUnixNano",
                table: "telemetry_spans",
                columns: new[] { "ServiceName", "StartUnixNano" });

            migrationBuilder.CreateIndex(
                name: "IX_telemetry_spans_TenantId_StartUnixNano",
                table: "telemetry_spans",
                columns: new[] { "TenantId", "StartUnixNano" });

            migrationBuilder.CreateIndex(
                name: "IX_telemetry_spans_TraceId",
                table: "telemetry_spans",
                column: "TraceId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "health_check_results");

            migrationBuilder.DropTable(
                name: "metric_metadata");

            migrationBuilder.DropTable(
                name: "metric_samples");

            migrationBuilder.DropTable(
                name: "metric_series");

            migrationBuilder.DropTable(
                name: "telemetry_logs");

            migrationBuilder.DropTable(
                name: "telemetry_spans");
        }
    }
}
