using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SampleNaN : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<double>(
                name: "Value",
                table: "metric_samples",
                type: "double precision",
                nullable: true,
                oldClrType: typeof(double),
                oldType: "double precision");

            migrationBuilder.AddColumn<byte>(
                name: "NaNKind",
                table: "metric_samples",
                type: "smallint",
                nullable: false,
                defaultValue: (byte)0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NaNKind",
                table: "metric_samples");

            migrationBuilder.AlterColumn<double>(
                name: "Value",
                table: "metric_samples",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0,
                oldClrType: typeof(double),
                oldType: "double precision",
                oldNullable: true);
        }
    }
}
