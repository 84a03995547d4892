using System.Globalization;
using System.Text;
using OpsConsole.Web.Api;

namespace OpsConsole.Web.Usage;

/// <summary>Writes a usage report as RFC 4180 CSV (CRLF line ends; a field with a comma, quote or line break is quoted;
/// names cannot run as spreadsheet formulas, see <see cref="CsvText"/>).</summary>
public static class UsageCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static string FileName(UsageReport report) => string.Create(CultureInfo.InvariantCulture,
        $"usage-{report.TenantId}-{report.From:yyyyMMddHH}-{report.To:yyyyMMddHH}-{report.Step.ToString().ToLowerInvariant()}.csv");

    /// <summary>The header: tenant, tenant name, period start/end (UTC ISO 8601), one column per kind, console down minutes.</summary>
    public static IReadOnlyList<string> Header(UsageReport report) =>
        ["tenant", "tenant_name", "period_start", "period_end", .. report.Kinds, "console_down_minutes"];

    public static IReadOnlyList<string> Fields(UsageReport report, UsageRow row) =>
    [
        CsvText.Text(report.TenantId), CsvText.Text(report.DisplayName), Time(row.Start), Time(row.End),
        .. report.Kinds.Select(k => Number(row.Value(k))),
        row.ConsoleDownMinutes.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Streams the report to <paramref name="output"/>, flushing every few rows so a long one starts arriving at once.</summary>
    public static async Task WriteAsync(UsageReport report, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(CsvText.Line(Header(report)).AsMemory(), ct);
        var written = 0;
        foreach (var row in report.Rows)
        {
            await writer.WriteAsync(CsvText.Line(Fields(report, row)).AsMemory(), ct);
            if (++written % 64 == 0)
            {
                await writer.FlushAsync(ct);
            }
        }

        await writer.FlushAsync(ct);
    }

    public static string Number(double value) => Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
