using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RuleGroups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rule_groups",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    File = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Yaml = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rule_groups", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_rule_groups_Source",
                table: "rule_groups",
                column: "Source");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rule_groups");
        }
    }
}
