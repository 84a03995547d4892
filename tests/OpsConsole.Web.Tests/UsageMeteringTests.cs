using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Web.Tests.Infrastructure;
using OpsConsole.Web.Usage;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>
/// Metering from telemetry sent through the real intake: the mapped kinds from stored metrics (PromQL), the console's own
/// counts, restarts on both databases without double counting, and an hour the console was partly down.
/// </summary>
public sealed class UsageMeteringTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A console on the SQLite file in a directory (or a PostgreSQL database), on a fake clock.</summary>
    private sealed class MeteredFactory(string directory, string? postgres = null) : OpsConsoleFactory(directory)
    {
        protected override IDictionary<string, string?> Settings => postgres is null ? new Dictionary<string, string?>() : new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = postgres,
        };

        public UsageMeter Meter => Services.GetRequiredService<UsageMeter>();
    }

    private static string Counter(string name, string labels, params (DateTimeOffset At, double Value)[] points) =>
        string.Join(',', points.Select(p => $"{{\"name\":\"{name}\",\"labels\":{{{labels}}},\"value\":{p.Value},\"timestamp\":{p.At.ToUnixTimeMilliseconds()},\"type\":\"counter\"}}"));

    private static async Task PostAsync(HttpClient admin, string path, string body)
    {
        using var response = await admin.PostAsync(path, Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> HourAsync(HttpClient admin, string tenant, DateTimeOffset hour)
    {
        var body = await admin.GetFromJsonAsync<JsonElement>(
            $"/api/v1/monitoring/tenants/{tenant}/usage?from={hour:yyyy-MM-ddTHH:mm:ssZ}&to={hour.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}&step=hour");
        return Assert.Single(body.GetProperty("rows").EnumerateArray().ToList());
    }

    [Fact]
    public async Task MappedKinds_FromMetricsSentThroughIntake_PerTenantWithTokensSharedByCost()
    {
        using var factory = new MeteredFactory(Directory.CreateTempSubdirectory("opsconsole-usage-").FullName);
        using var admin = factory.CreateAdminClient();
        var h = Start.AddHours(-1); // the closed hour 08:00-09:00
        var at = new[] { h.AddMinutes(5), h.AddMinutes(35), h.AddMinutes(55) };
        await PostAsync(admin, "/api/v1/monitoring/metrics?tenant=acme", "{\"metrics\":[" + string.Join(',',
            Counter("api_requests_total", "", (at[0], 100), (at[1], 160), (at[2], 200)),
            Counter("llm_cost_dollars_total", "\"provider\":\"openai\",\"model\":\"gpt\"", (at[0], 10), (at[1], 25), (at[2], 40))) + "]}");
        await PostAsync(admin, "/api/v1/monitoring/metrics?tenant=globex", "{\"metrics\":[" + string.Join(',',
            Counter("api_requests_total", "", (at[0], 5), (at[1], 6), (at[2], 7)),
            Counter("llm_cost_dollars_total", "\"provider\":\"openai\",\"model\":\"gpt\"", (at[0], 1), (at[1], 6), (at[2], 11))) + "]}");
        // llm_tokens_total carries no tenant_id (TELEMETRY.md): sent without one.
        await PostAsync(admin, "/api/v1/monitoring/metrics", "{\"metrics\":[" +
            Counter("llm_tokens_total", "\"provider\":\"openai\",\"model\":\"gpt\",\"type\":\"input\"", (at[0], 1000), (at[1], 3000), (at[2], 5000)) + "]}");

        await factory.Meter.RunPassAsync();

        var acme = (await HourAsync(admin, "acme", h)).GetProperty("values");
        var globex = (await HourAsync(admin, "globex", h)).GetProperty("values");
        // increase() over the hour: 100 counted over the 50 sampled minutes, extrapolated to the hour's 60 (Prometheus's rule).
        Assert.Equal(120, acme.GetProperty("api_calls").GetDouble(), 6);
        Assert.Equal(2.4, globex.GetProperty("api_calls").GetDouble(), 6);
        Assert.Equal(36, acme.GetProperty("llm_cost_dollars").GetDouble(), 6);
        // The hour's 4,800 tokens (4,000 extrapolated likewise) shared 3:1 as the cost was (30 vs 10 dollars).
        Assert.Equal(3600, acme.GetProperty("llm_tokens").GetDouble(), 6);
        Assert.Equal(1200, globex.GetProperty("llm_tokens").GetDouble(), 6);
        Assert.Equal(0, acme.GetProperty("documents").GetDouble());
    }

    [Fact]
    public async Task ConsoleIntake_CountedPerTenant_WithTheRequestBytes_AndShownInTheOpenHour()
    {
        using var factory = new MeteredFactory(Directory.CreateTempSubdirectory("opsconsole-usage-").FullName);
        using var admin = factory.CreateAdminClient();
        var logs = "{\"logs\":[{\"message\":\"one\",\"service\":\"shop\"},{\"message\":\"two\",\"service\":\"shop\"},{\"message\":\"three\",\"service\":\"shop\"}]}";
        var spans = $"{{\"spans\":[{{\"traceId\":\"6bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"20f067aa0ba902b7\",\"name\":\"GET /\",\"service\":\"shop\",\"startTime\":{Start.AddSeconds(-5).ToUnixTimeMilliseconds()},\"durationMs\":12}}]}}";
        await PostAsync(admin, "/api/v1/monitoring/logs?tenant=acme", logs);
        await PostAsync(admin, "/api/v1/monitoring/traces?tenant=acme", spans);
        await PostAsync(admin, "/api/v1/monitoring/logs?tenant=globex", logs);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));

        await factory.Meter.RunPassAsync();

        var row = await HourAsync(admin, "acme", Start);
        var values = row.GetProperty("values");
        Assert.True(row.GetProperty("open").GetBoolean());
        Assert.Equal(3, values.GetProperty("log_records").GetDouble());
        Assert.Equal(1, values.GetProperty("spans").GetDouble());
        Assert.Equal(Encoding.UTF8.GetByteCount(logs) + Encoding.UTF8.GetByteCount(spans), values.GetProperty("request_bytes").GetDouble());
        Assert.Equal(3, (await HourAsync(admin, "globex", Start)).GetProperty("values").GetProperty("log_records").GetDouble());
    }

    [Fact]
    public async Task QuotaRejections_CountedAsTimesAndItems_AndBadInputRefused()
    {
        using var factory = new MeteredFactory(Directory.CreateTempSubdirectory("opsconsole-usage-").FullName);
        using var admin = factory.CreateAdminClient();
        factory.Meter.RecordQuotaRejection("acme", 500, Start.AddMinutes(1));
        factory.Meter.RecordQuotaRejection("acme", 20, Start.AddMinutes(2));

        Assert.Throws<ArgumentException>(() => factory.Meter.RecordQuotaRejection("Not A Tenant", 5, Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => factory.Meter.RecordQuotaRejection("acme", -1, Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => factory.Meter.RecordQuotaRejection("acme", 5, Start.AddDays(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => factory.Meter.RecordQuotaRejection("acme", 5, Start.AddHours(3)));
        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        await factory.Meter.RunPassAsync();

        var values = (await HourAsync(admin, "acme", Start)).GetProperty("values");
        Assert.Equal(520, values.GetProperty("ingest_rejected").GetDouble());
        Assert.Equal(2, values.GetProperty("ingest_rejections").GetDouble());
    }

    [Fact]
    public async Task QuotaRefusalAtIntake_IsCountedInUsage_AndTodaysBytesSurviveARestartOfTheQuota()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-usage-quota-").FullName;
        var logs = (string marker, int n) => "{\"logs\":[" + string.Join(',', Enumerable.Range(0, n).Select(i => $"{{\"message\":\"{marker} {i}\",\"service\":\"shop\"}}")) + "]}";
        double bytesToday;
        using (var first = new MeteredFactory(directory) { KeepDatabase = true })
        {
            using var admin = first.CreateAdminClient();
            using (var put = await admin.PutAsJsonAsync("/api/v1/admin/tenants/acme", new { displayName = "Acme Corp", plan = "enterprise", ingestItemsPerMinute = 5 }))
            {
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }

            await PostAsync(admin, "/api/v1/monitoring/logs?tenant=acme", logs("kept", 3));
            using (var refused = await admin.PostAsync("/api/v1/monitoring/logs?tenant=acme", Json(logs("refused", 4))))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            }

            first.Clock.Advance(TimeSpan.FromMinutes(2));
            await first.Meter.RunPassAsync();
            var values = (await HourAsync(admin, "acme", Start)).GetProperty("values");
            Assert.Equal(4, values.GetProperty("ingest_rejected").GetDouble());
            Assert.Equal(1, values.GetProperty("ingest_rejections").GetDouble());
            Assert.Equal(3, values.GetProperty("log_records").GetDouble());
            bytesToday = values.GetProperty("request_bytes").GetDouble();
            Assert.True(bytesToday > 0);
        }

        using var second = new MeteredFactory(directory);
        second.Clock.SetUtcNow(Start.AddMinutes(30));
        _ = second.CreateClient(); // starts the console: the ledger is seeded from the stored usage
        var ledger = second.Services.GetRequiredService<OpsConsole.Core.Ingestion.IngestQuotaLedger>();
        Assert.Equal((long)bytesToday, ledger.UseOf("acme").BytesToday);
    }

    [Fact]
    public async Task Restart_OnSqlite_NoDoubleCounting_AndTheDowntimeShownAsPartial() =>
        await RestartAsync(Directory.CreateTempSubdirectory("opsconsole-usage-restart-").FullName, null);

    [Fact]
    public async Task Restart_OnPostgres_NoDoubleCounting_AndTheDowntimeShownAsPartial() =>
        await RestartAsync(Directory.CreateTempSubdirectory("opsconsole-usage-restart-").FullName,
            new Npgsql.NpgsqlConnectionStringBuilder(PostgresConsoleFactory.AdminConnectionString) { Database = await PostgresConsoleFactory.CreateDatabaseAsync(), Pooling = false }.ToString());

    private static async Task RestartAsync(string directory, string? postgres)
    {
        var logs = (int n) => "{\"logs\":[" + string.Join(',', Enumerable.Range(0, n).Select(i => $"{{\"message\":\"line {i}\",\"service\":\"shop\"}}")) + "]}";
        using (var first = new MeteredFactory(directory, postgres) { KeepDatabase = true })
        {
            using var admin = first.CreateAdminClient();
            await PostAsync(admin, "/api/v1/monitoring/logs?tenant=acme", logs(3));
            first.Clock.Advance(TimeSpan.FromMinutes(20));
            await first.Meter.RunPassAsync();
            await first.Meter.RunPassAsync(); // the same totals written again
        } // stopping writes the running time up to 09:20

        using var second = new MeteredFactory(directory, postgres);
        second.Clock.SetUtcNow(Start.AddMinutes(34)); // down from 09:20 to 09:34
        using (var admin = second.CreateAdminClient())
        {
            await PostAsync(admin, "/api/v1/monitoring/logs?tenant=acme", logs(2));
            second.Clock.SetUtcNow(Start.AddMinutes(61));
            await second.Meter.RunPassAsync();

            var row = await HourAsync(admin, "acme", Start);
            Assert.Equal(5, row.GetProperty("values").GetProperty("log_records").GetDouble());
            Assert.True(row.GetProperty("partial").GetBoolean());
            Assert.Equal(14, row.GetProperty("consoleDownMinutes").GetInt32());
            Assert.False(row.GetProperty("open").GetBoolean());

            var next = await HourAsync(admin, "acme", Start.AddHours(1));
            Assert.False(next.GetProperty("partial").GetBoolean()); // running all of the minute of 10:00 so far
        }
    }
}
