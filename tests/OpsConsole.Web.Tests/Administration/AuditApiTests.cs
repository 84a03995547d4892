using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests.Administration;

/// <summary>A console with audit entries of two tenants, written once for the class.</summary>
public sealed class AuditSeededConsole : OpsConsoleFactory, IAsyncLifetime
{
    public static readonly DateTimeOffset T0 = new(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        var log = Services.GetRequiredService<AuditLog>();
        for (var i = 0; i < 5; i++)
        {
            foreach (var tenant in new[] { "acme", "globex" })
            {
                await log.WriteAsync(new AuditLogEntryEntity
                {
                    At = T0.AddMinutes(i),
                    Actor = $"seeder-{tenant}",
                    Action = "test.change",
                    TargetType = "widget",
                    TargetId = $"{tenant}-widget-{i}",
                    TenantId = tenant,
                    After = $"{{\"marker\":\"{tenant.ToUpperInvariant()}-MARKER-{i}\"}}",
                });
            }
        }

        // One entry whose text needs CSV quoting: a comma, a quote and a line break.
        await log.WriteAsync(new AuditLogEntryEntity
        {
            At = T0.AddMinutes(10), Actor = "quoting, \"the\" tester", Action = "test.quote", TargetType = "widget", TargetId = "q",
            TenantId = "acme", Before = "line one\r\nline two", After = "{\"note\":\"a, b\"}",
        });

        // One entry whose text a spreadsheet would run as formulas (a client chose the actor name and the target id).
        await log.WriteAsync(new AuditLogEntryEntity
        {
            At = T0.AddMinutes(11), Actor = "=HYPERLINK(\"http://evil.example\",\"open\")", Action = "test.formula", TargetType = "widget",
            TargetId = "@SUM(A1:A9)", TenantId = "acme", Before = "+1+1", After = "-2+3",
        });
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// The audit API over entries of two tenants with unique markers: admins read all, tenant admins their own tenant
/// only (whatever they ask for), filters and paging, the CSV export against what the API shows, and bad input.
/// </summary>
public sealed class AuditApiTests(AuditSeededConsole factory) : IClassFixture<AuditSeededConsole>
{
    private readonly AuditSeededConsole _factory = factory;
    private readonly DateTimeOffset _t0 = AuditSeededConsole.T0;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static string[] Markers(JsonElement page) =>
        [.. page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("after").GetString() ?? "")];

    [Fact]
    public async Task TenantAdmin_SeesOnlyTheirTenantsEntries_AndAskingForAnotherTenantIsRefused()
    {
        var key = await _factory.CreateKeyAsync("acme-auditor", "role", "TenantAdmin", "acme");
        using var tenantAdmin = _factory.CreateApiClient(key);

        var own = await JsonAsync(await tenantAdmin.GetAsync("/api/v1/audit?limit=1000"));
        using var other = await tenantAdmin.GetAsync("/api/v1/audit?tenant=globex");
        var filtered = await JsonAsync(await tenantAdmin.GetAsync("/api/v1/audit?action=test.change&limit=1000"));
        using var export = await tenantAdmin.GetAsync("/api/v1/audit/export");
        var csv = await export.Content.ReadAsStringAsync();

        var tenants = own.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("tenantId").GetString()!).Distinct().ToArray();
        Assert.Equal(["acme"], tenants);
        Assert.Equal(5, filtered.GetProperty("entries").GetArrayLength());
        Assert.DoesNotContain("GLOBEX-MARKER", string.Join(' ', Markers(own)));
        Assert.Contains("ACME-MARKER-4", string.Join(' ', Markers(own)));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("tenant 'acme' only", await other.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.DoesNotContain("GLOBEX-MARKER", csv);
        Assert.Contains("ACME-MARKER-0", csv);
    }

    [Fact]
    public async Task TenantAdminSignedIn_AuditPageShowsOnlyTheirTenant()
    {
        using var browser = _factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(browser, "acme-admin", DemoAccounts.Password);

        using var page = await browser.GetAsync("/audit?action=test.change");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("ACME-MARKER-3", html);
        Assert.DoesNotContain("GLOBEX-MARKER", html);
    }

    [Fact]
    public async Task Admin_SeesBothTenants_FiltersByUserTargetAndTime_NewestFirst()
    {
        using var admin = _factory.CreateAdminClient();

        var all = Markers(await JsonAsync(await admin.GetAsync("/api/v1/audit?action=test.change&limit=1000")));
        var byUser = Markers(await JsonAsync(await admin.GetAsync("/api/v1/audit?user=seeder-globex")));
        var byTarget = Markers(await JsonAsync(await admin.GetAsync("/api/v1/audit?targetType=widget&targetId=acme-widget-2")));
        var from = Uri.EscapeDataString(_t0.AddMinutes(1).ToString("O"));
        var to = Uri.EscapeDataString(_t0.AddMinutes(3).ToString("O"));
        var byTime = Markers(await JsonAsync(await admin.GetAsync($"/api/v1/audit?action=test.change&tenant=globex&from={from}&to={to}")));

        Assert.Equal(10, all.Length);
        Assert.Equal(Enumerable.Range(0, 5).Reverse().Select(i => $"{{\"marker\":\"GLOBEX-MARKER-{i}\"}}"), byUser);
        Assert.Equal(["{\"marker\":\"ACME-MARKER-2\"}"], byTarget);
        Assert.Equal(["{\"marker\":\"GLOBEX-MARKER-2\"}", "{\"marker\":\"GLOBEX-MARKER-1\"}"], byTime);
    }

    [Fact]
    public async Task Paging_WalksNewestFirstWithoutGapsOrRepeats()
    {
        using var admin = _factory.CreateAdminClient();
        var seen = new List<string>();
        var pages = 0;
        for (var offset = 0; ; offset += 3)
        {
            var page = await JsonAsync(await admin.GetAsync($"/api/v1/audit?action=test.change&limit=3&offset={offset}"));
            seen.AddRange(Markers(page));
            pages++;
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                break;
            }
        }

        var everything = Markers(await JsonAsync(await admin.GetAsync("/api/v1/audit?action=test.change&limit=1000")));
        Assert.Equal(4, pages);
        Assert.Equal(everything, seen);
    }

    [Fact]
    public async Task Export_IsRfc4180CsvWithExactlyTheRowsTheApiShows()
    {
        using var admin = _factory.CreateAdminClient();
        const string filter = "tenant=acme";

        var shown = (await JsonAsync(await admin.GetAsync($"/api/v1/audit?{filter}&limit=1000"))).GetProperty("entries").EnumerateArray().ToArray();
        using var export = await admin.GetAsync($"/api/v1/audit/export?{filter}");
        var text = await export.Content.ReadAsStringAsync();
        var records = Csv.Parse(text);

        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", export.Content.Headers.ContentDisposition?.ToString());
        Assert.EndsWith("\r\n", text);
        Assert.Equal(["id", "at", "actor", "action", "target_type", "target_id", "tenant", "remote_address", "before", "after"], records[0]);
        Assert.Equal(shown.Select(e => e.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)), records.Skip(1).Select(r => r[0]));
        var quoted = records.Single(r => r[3] == "test.quote");
        Assert.Equal(("quoting, \"the\" tester", "line one\r\nline two", "{\"note\":\"a, b\"}"), (quoted[2], quoted[8], quoted[9]));
        Assert.All(records, r => Assert.Equal(10, r.Count));
    }

    [Fact]
    public async Task Export_TextThatASpreadsheetWouldRunAsAFormula_IsExportedAsText()
    {
        using var admin = _factory.CreateAdminClient();

        var shown = (await JsonAsync(await admin.GetAsync("/api/v1/audit?action=test.formula"))).GetProperty("entries").EnumerateArray().Single();
        using var export = await admin.GetAsync("/api/v1/audit/export?action=test.formula");
        var row = Csv.Parse(await export.Content.ReadAsStringAsync())[1];

        // The API shows the text as it was written; the CSV cells carry a leading apostrophe, so they open as text.
        Assert.Equal("=HYPERLINK(\"http://evil.example\",\"open\")", shown.GetProperty("actor").GetString());
        Assert.Equal("'=HYPERLINK(\"http://evil.example\",\"open\")", row[2]);
        Assert.Equal(("'@SUM(A1:A9)", "'+1+1", "'-2+3"), (row[5], row[8], row[9]));
        Assert.Equal(("test.formula", "widget", "acme"), (row[3], row[4], row[6]));
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("to=2026-13-45")]
    [InlineData("from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z")]
    [InlineData("from=2026-10-01T00:00:00Z&to=2026-10-01T00:00:00Z")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("offset=-1")]
    public async Task BadQuery_Answers400ProblemOnListAndExport(string query)
    {
        using var admin = _factory.CreateAdminClient();

        using var list = await admin.GetAsync("/api/v1/audit?" + query);
        using var export = await admin.GetAsync("/api/v1/audit/export?" + query);

        foreach (var response in new[] { list, export })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateObject().Any());
        }
    }

    [Fact]
    public async Task OperatorKey_IsForbidden()
    {
        var key = await _factory.CreateKeyAsync("op-audit", "role", "Operator");
        using var client = _factory.CreateApiClient(key);

        using var response = await client.GetAsync("/api/v1/audit");
        using var export = await client.GetAsync("/api/v1/audit/export");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, export.StatusCode);
    }
}

/// <summary>A strict RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records).</summary>
internal static class Csv
{
    public static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"' && field.Length == 0)
            {
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "Unterminated quoted field.");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                Assert.True(i >= text.Length || text[i] is ',' or '\r', $"Text after a closing quote at {i}.");
                continue;
            }

            if (text[i] == ',')
            {
                record.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (text[i] == '\r')
            {
                Assert.True(i + 1 < text.Length && text[i + 1] == '\n', "A record must end with CRLF.");
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
                i += 2;
            }
            else
            {
                Assert.NotEqual('\n', text[i]);
                Assert.NotEqual('"', text[i]);
                field.Append(text[i++]);
            }
        }

        Assert.True(record.Count == 0 && field.Length == 0, "The last record must end with CRLF.");
        return records;
    }
}
