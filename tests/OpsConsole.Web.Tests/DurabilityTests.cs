using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsConsole.Data.Telemetry;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>A console on its own fresh PostgreSQL database (from OPSCONSOLE_TEST_PG, which ./test.sh sets).</summary>
public sealed class PostgresConsoleFactory(string database) : OpsConsoleFactory
{
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("OPSCONSOLE_TEST_PG")
        ?? throw new InvalidOperationException("OPSCONSOLE_TEST_PG is not set: run ./test.sh, which starts a throwaway PostgreSQL and sets it.");

    public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, Pooling = false }.ToString();

    protected override bool UseFakeClock => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "Postgres",
        ["Storage:ConnectionString"] = ConnectionString,
    };

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "durability_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    public static async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Nothing acknowledged is lost across a restart, on either database; a failed write answers 503 and keeps nothing.</summary>
public sealed class DurabilityTests
{
    private const string Trace = "6bf92f3577b34da6a3ce929d0e0e4736";

    private static async Task<HttpStatusCode> SendEverythingAsync(HttpClient admin, string marker)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var codes = new List<HttpStatusCode>();
        foreach (var (path, body) in new[]
        {
            ("traces", $"{{\"spans\":[{{\"traceId\":\"{Trace}\",\"spanId\":\"20f067aa0ba902b7\",\"name\":\"{marker}\",\"service\":\"shop\",\"startTime\":{now - 1000},\"durationMs\":12}}]}}"),
            ("logs", $"{{\"logs\":[{{\"message\":\"{marker} written\",\"service\":\"shop\",\"timestamp\":{now - 900}}}]}}"),
            ("metrics", $"{{\"metrics\":[{{\"name\":\"durable_total\",\"labels\":{{\"marker\":\"{marker}\"}},\"value\":3,\"timestamp\":{now - 800}}}]}}"),
        })
        {
            using var response = await admin.PostAsync($"/api/v1/monitoring/{path}?tenant=acme", Json(body));
            codes.Add(response.StatusCode);
        }

        return codes.All(c => c == HttpStatusCode.OK) ? HttpStatusCode.OK : codes.First(c => c != HttpStatusCode.OK);
    }

    private static async Task AssertEverythingIsBackAsync(OpsConsoleFactory restarted, string marker)
    {
        using var admin = restarted.CreateAdminClient();
        // The hot stores were reloaded from the database at start-up: searches that only read memory find it.
        var traces = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/traces?operation={marker}");
        var logs = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/logs/search?q={marker}");
        var metrics = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/monitoring/metrics?name=durable_total");
        Assert.Equal(1, traces.GetProperty("totalCount").GetInt64());
        Assert.Equal(1, logs.GetProperty("totalCount").GetInt64());
        Assert.Contains(metrics!, s => s.GetProperty("labels").GetProperty("marker").GetString() == marker);
    }

    private sealed class SqliteFactory(string directory) : OpsConsoleFactory(directory)
    {
        protected override bool UseFakeClock => false;
    }

    [Fact]
    public async Task Restart_OnSqlite_EverythingAcknowledgedIsThereAndBackInMemory()
    {
        var directory = Directory.CreateTempSubdirectory("opsconsole-durable-").FullName;
        var marker = "m" + Guid.NewGuid().ToString("N")[..10];
        using (var first = new SqliteFactory(directory) { KeepDatabase = true })
        {
            using var admin = first.CreateAdminClient();
            Assert.Equal(HttpStatusCode.OK, await SendEverythingAsync(admin, marker));
        }

        using var second = new SqliteFactory(directory);
        await AssertEverythingIsBackAsync(second, marker);
    }

    [Fact]
    public async Task Restart_OnPostgres_EverythingAcknowledgedIsThereAndBackInMemory()
    {
        var database = await PostgresConsoleFactory.CreateDatabaseAsync();
        var marker = "m" + Guid.NewGuid().ToString("N")[..10];
        using (var first = new PostgresConsoleFactory(database))
        {
            using var admin = first.CreateAdminClient();
            Assert.Equal(HttpStatusCode.OK, await SendEverythingAsync(admin, marker));
        }

        using var second = new PostgresConsoleFactory(database);
        await AssertEverythingIsBackAsync(second, marker);
    }

    [Fact]
    public async Task Write_WhileTheDatabaseRefuses_Answers503WithRetryAfterAndKeepsNothing()
    {
        var database = await PostgresConsoleFactory.CreateDatabaseAsync();
        using var factory = new PostgresConsoleFactory(database);
        using var admin = factory.CreateAdminClient();
        var marker = "m" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(HttpStatusCode.OK, await SendEverythingAsync(admin, "warm-up"));

        await PostgresConsoleFactory.AdminAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
        await PostgresConsoleFactory.AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
        HttpResponseMessage refused;
        try
        {
            refused = await admin.PostAsync("/api/v1/monitoring/logs?tenant=acme", Json($"{{\"logs\":[{{\"message\":\"{marker} lost?\",\"service\":\"shop\"}}]}}"));
        }
        finally
        {
            await PostgresConsoleFactory.AdminAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS true");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "503 carries Retry-After");
        var search = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/logs/search?q={marker}");
        Assert.Equal(0, search.GetProperty("totalCount").GetInt64());
        Assert.DoesNotContain(await factory.Services.GetRequiredService<TelemetryReader>().GetLogsAsync("acme", 0, ulong.MaxValue / 2, 10_000),
            l => l.Body.ToString().Contains(marker, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await SendEverythingAsync(admin, marker)); // and it recovers by itself
    }
}
