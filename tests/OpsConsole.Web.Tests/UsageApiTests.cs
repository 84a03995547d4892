using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Data.Usage;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>The usage API: who may read which tenant, bad input, JSON and streamed CSV with RFC 4180 quoting.</summary>
public sealed class UsageApiTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private const long Hour = UsageRepository.HourMs;
    private const string Url = "/api/v1/monitoring/tenants/{0}/usage";

    private static string For(string tenant, string query = "") => string.Format(System.Globalization.CultureInfo.InvariantCulture, Url, tenant) + query;

    private async Task<HttpClient> ClientAsync(string role, string? tenant = null) =>
        factory.CreateApiClient(await factory.CreateKeyAsync($"usage-{role}-{Guid.NewGuid():N}"[..30], "role", role, tenant));

    [Fact]
    public async Task TenantAdmin_OwnTenant_Admitted_OtherTenant_403WithoutData()
    {
        using var client = await ClientAsync("TenantAdmin", "acme");

        using var own = await client.GetAsync(For("acme"));
        using var other = await client.GetAsync(For("globex"));
        using var unknown = await client.GetAsync(For("nobody-here"));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.DoesNotContain("Globex", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode); // a tenant admin learns nothing about other tenant ids
    }

    [Theory]
    [InlineData("Admin")]
    [InlineData("Executive")]
    public async Task AdminAndExecutive_AnyTenant_Admitted(string role)
    {
        using var client = await ClientAsync(role);

        using var response = await client.GetAsync(For("globex"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("globex", body.GetProperty("tenant").GetString());
        Assert.Equal("Globex", body.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Operator_IsForbidden()
    {
        using var client = await ClientAsync("Operator");

        using var response = await client.GetAsync(For("acme"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task UnknownTenant_404ProblemJson()
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(For("no-such-tenant"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-such-tenant", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?to=2026-13-45T00:00:00Z", "to")]
    [InlineData("?from=2026-11-02T08:00:00Z&to=2026-11-02T08:00:00Z", "from")]
    [InlineData("?from=2026-11-02T09:00:00Z&to=2026-11-01T09:00:00Z", "from")]
    [InlineData("?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("?step=minute", "step")]
    [InlineData("?from=2026-09-01T00:00:00Z&to=2026-11-01T00:00:00Z&step=hour", "step")]
    [InlineData("?format=xml", "format")]
    public async Task BadInput_400NamingTheField(string query, string field)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(For("acme", query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {body}");
    }

    [Fact]
    public async Task Json_HourStep_RowsPerHourWithTheStoredAmounts()
    {
        var tenant = await CreateTenantAsync("Plain Tenant");
        var repository = factory.Services.GetRequiredService<UsageRepository>();
        var hour = new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await repository.ReplaceComputedHourAsync(hour, ["api_calls"], [new UsageAmount(tenant, hour, "api_calls", 42)], 0);
        await repository.SetInstanceTotalsAsync("elsewhere", [new UsageAmount(tenant, hour + Hour, "spans", 7)], 0);
        using var admin = factory.CreateAdminClient();

        var body = await admin.GetFromJsonAsync<JsonElement>(For(tenant, "?from=2026-11-01T10:00:00Z&to=2026-11-01T13:00:00Z&step=hour"));

        var rows = body.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(42, rows[0].GetProperty("values").GetProperty("api_calls").GetDouble());
        Assert.Equal(7, rows[1].GetProperty("values").GetProperty("spans").GetDouble());
        Assert.Equal(0, rows[2].GetProperty("values").GetProperty("api_calls").GetDouble());
        Assert.Equal(42, body.GetProperty("totals").GetProperty("api_calls").GetDouble());
    }

    [Fact]
    public async Task Csv_WithAcceptHeader_StreamsRfc4180RowsQuotingTheDisplayName()
    {
        var tenant = await CreateTenantAsync("Wile E. \"Coyote\", Inc.");
        var repository = factory.Services.GetRequiredService<UsageRepository>();
        var day = new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await repository.ReplaceComputedHourAsync(day + (5 * Hour), ["api_calls"], [new UsageAmount(tenant, day + (5 * Hour), "api_calls", 10)], 0);
        await repository.ReplaceComputedHourAsync(day + (6 * Hour), ["api_calls"], [new UsageAmount(tenant, day + (6 * Hour), "api_calls", 2.5)], 0);
        using var admin = factory.CreateAdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, For(tenant, "?from=2026-10-30T00:00:00Z&to=2026-11-01T00:00:00Z&step=day"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        using var response = await admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(["tenant", "tenant_name", "period_start", "period_end"], header[..4]);
        var apiCalls = Array.IndexOf(header, "api_calls");
        Assert.StartsWith($"{tenant},\"Wile E. \"\"Coyote\"\", Inc.\",2026-10-30T00:00:00Z,2026-10-31T00:00:00Z,", lines[1], StringComparison.Ordinal);
        // After the quoted name the fields split plainly again: the name is one field.
        var fields = lines[1][(lines[1].IndexOf("Inc.\",", StringComparison.Ordinal) + 6)..].Split(',');
        Assert.Equal("12.5", fields[apiCalls - 2]);
        Assert.StartsWith($"{tenant},\"Wile E. \"\"Coyote\"\", Inc.\",2026-10-31T00:00:00Z,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_WithFormatParameter_AsTenantAdmin_IsAFileDownload()
    {
        using var client = await ClientAsync("TenantAdmin", "acme");

        using var response = await client.GetAsync(For("acme", "?format=csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("usage-acme-", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
    }

    private async Task<string> CreateTenantAsync(string displayName)
    {
        var id = "u" + Guid.NewGuid().ToString("N")[..10];
        await factory.Services.GetRequiredService<TenantRepository>().CreateAsync(new TenantEntity
        {
            Id = id, DisplayName = displayName, Plan = "standard", CreatedAt = factory.Clock.GetUtcNow(),
        });
        return id;
    }
}
