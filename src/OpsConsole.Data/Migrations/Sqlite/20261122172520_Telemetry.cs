using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Data.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Service = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Check = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    DurationMs = table.Column<double>(type: "REAL", nullable: true),
                    TimestampMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_health_check_results", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "metric_metadata",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<int>(type: "INTEGER", nullable: false),
                    Help = table.Column<string>(type: "TEXT", nullable: true),
                    Unit = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_metadata", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "metric_samples",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Fingerprint = table.Column<long>(type: "INTEGER", nullable: false),
                    TimestampMs = table.Column<long>(type: "INTEGER", nullable: false),
                    Value = table.Column<double>(type: "REAL", nullable: true),
                    NaNKind = table.Column<byte>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_samples", x => new { x.TenantId, x.Fingerprint, x.TimestampMs });
                });

            migrationBuilder.CreateTable(
                name: "metric_series",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Fingerprint = table.Column<long>(type: "INTEGER", nullable: false),
                    MetricName = table.Column<string>(type: "TEXT", nullable: false),
                    Labels = table.Column<string>(type: "TEXT", nullable: false),
                    FirstSeenMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_series", x => new { x.TenantId, x.Fingerprint });
                });

            migrationBuilder.CreateTable(
                name: "telemetry_logs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    TimeUnixNano = table.Column<long>(type: "INTEGER", nullable: false),
                    ObservedUnixNano = table.Column<long>(type: "INTEGER", nullable: false),
                    SeverityNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    SeverityText = table.Column<string>(type: "TEXT", nullable: true),
                    Level = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    BodyJson = table.Column<string>(type: "TEXT", nullable: false),
                    Attributes = table.Column<string>(type: "TEXT", nullable: false),
                    TraceId = table.Column<byte[]>(type: "BLOB", nullable: true),
                    SpanId = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ServiceName = table.Column<string>(type: "TEXT", nullable: false),
                    Resource = table.Column<string>(type: "TEXT", nullable: false),
                    ScopeName = table.Column<string>(type: "TEXT", nullable: true),
                    ScopeVersion = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_telemetry_logs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "telemetry_spans",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    TraceId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SpanId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ParentSpanId = table.Column<byte[]>(type: "BLOB", nullable: true),
                    TraceState = table.Column<string>(type: "TEXT", nullable: true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    ServiceName = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    StartUnixNano = table.Column<long>(type: "INTEGER", nullable: false),
                    EndUnixNano = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationNano = table.Column<long>(type: "INTEGER", nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: false),
                    StatusMessage = table.Column<string>(type: "TEXT", nullable: true),
                    Attributes = table.Column<string>(type: "TEXT", nullable: false),
                    Events = table.Column<string>(type: "TEXT", nullable: false),
                    Links = table.Column<string>(type: "TEXT", nullable: false),
                    Resource = table.Column<string>(type: "TEXT", nullable: false),
                    ScopeName = table.Column<string>(type: "TEXT", nullable: true),
                    ScopeVersion = table.Column<string>(type: "TEXT", nullable: true)
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
