using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Logs;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>The log explorer's API: the query language, paging, statistics, context, tenant scope and bad input.</summary>
public sealed class LogApiTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    /// <summary>Stores lines through the native API: as tenant acme (the ingest key) or, as admin, for another tenant.</summary>
    private async Task IngestAsync(string? tenant, params (int SecondsAgo, string Level, string Service, string Message, string Attributes)[] lines)
    {
        using var client = tenant is null ? factory.CreateApiClient(DemoAccounts.IngestKey) : factory.CreateAdminClient();
        var logs = string.Join(",", lines.Select(l =>
            $"{{\"message\":\"{l.Message}\",\"service\":\"{l.Service}\",\"level\":\"{l.Level}\",\"timestamp\":{Now.AddSeconds(-l.SecondsAgo).ToUnixTimeMilliseconds()},\"attributes\":{{{l.Attributes}}}}}"));
        using var response = await client.PostAsync("/api/v1/monitoring/logs" + (tenant is null ? "" : "?tenant=" + tenant), Json($"{{\"logs\":[{logs}]}}"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Url(string path, params (string Key, string Value)[] query) =>
        path + "?" + string.Join("&", query.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value)));

    private static string[] Messages(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("message").GetString()!)];

    [Fact]
    public async Task Search_WithTheQueryLanguage_ReturnsMatchesNewestFirstInPages()
    {
        const string Marker = "qlsearch";
        await IngestAsync(null,
            (50, "error", "rag-service", $"{Marker} upstream timeout calling llm", "\"duration_ms\":2500,\"user\":\"ann\""),
            (40, "warn", "rag-service", $"{Marker} slow retrieval", "\"duration_ms\":900,\"user\":\"bob\""),
            (30, "info", "rag-service", $"{Marker} query served", "\"duration_ms\":120"),
            (20, "error", "api-gateway", $"{Marker} connection refused by upstream", "\"duration_ms\":3"),
            (10, "fatal", "rag-service", $"{Marker} out of memory", "\"duration_ms\":700"));
        using var admin = factory.CreateAdminClient();

        var all = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"{Marker} level:>=warn -attr.user:bob"), ("limit", "2")));
        var next = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"{Marker} level:>=warn -attr.user:bob"), ("limit", "2"), ("cursor", all.GetProperty("nextCursor").GetString()!)));
        var slow = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"{Marker} (duration_ms:>=700 OR \"connection refused\") service:rag*")));

        Assert.Equal([$"{Marker} out of memory", $"{Marker} connection refused by upstream"], Messages(all));
        Assert.Equal(3, all.GetProperty("totalCount").GetInt32());
        Assert.Equal([$"{Marker} upstream timeout calling llm"], Messages(next));
        Assert.Equal(JsonValueKind.Null, next.GetProperty("nextCursor").ValueKind);
        Assert.Equal([$"{Marker} out of memory", $"{Marker} slow retrieval", $"{Marker} upstream timeout calling llm"], Messages(slow));
        var line = all.GetProperty("items")[0];
        Assert.Equal("fatal", line.GetProperty("level").GetString());
        Assert.Equal("acme", line.GetProperty("tenant").GetString());
        Assert.Equal("700", line.GetProperty("attributes").GetProperty("duration_ms").GetString());
    }

    [Theory]
    [InlineData("(timeout OR retry", 18, "Expected ')' to close the '(' at 1")]
    [InlineData("level:eror", 7, "Unknown level 'eror' at 7 — one of trace, debug, info, warn, error, fatal.")]
    [InlineData("duration_ms:>fast", 14, "'fast' at 14 is not a number")]
    public async Task Search_BadQuery_Is400ProblemWithThePosition(string query, int position, string message)
    {
        using var admin = factory.CreateAdminClient();

        using var search = await admin.GetAsync(Url("/api/v1/monitoring/logs/search", ("q", query)));
        using var stats = await admin.GetAsync(Url("/api/v1/monitoring/logs/statistics", ("q", query)));

        foreach (var response in new[] { search, stats })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(position, problem.GetProperty("position").GetInt32());
            Assert.Contains(message, problem.GetProperty("errors").GetProperty("q")[0].GetString(), StringComparison.Ordinal);
            Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/api/v1/monitoring/logs/search?from=2026-11-02T09:00:00Z&to=2026-11-02T08:00:00Z", "to", "must be before to")]
    [InlineData("/api/v1/monitoring/logs/search?from=2026-09-01T00:00:00Z&to=2026-11-02T00:00:00Z", "from", "at most 31 days")]
    [InlineData("/api/v1/monitoring/logs/search?from=yesterday", "from", "is not a time")]
    [InlineData("/api/v1/monitoring/logs/search?limit=1001", "limit", "from 1 to 1000")]
    [InlineData("/api/v1/monitoring/logs/search?limit=0", "limit", "from 1 to 1000")]
    [InlineData("/api/v1/monitoring/logs/search?cursor=page2", "cursor", "nextCursor of a previous page")]
    [InlineData("/api/v1/monitoring/logs/search?level=loud", "level", "level must be one of")]
    [InlineData("/api/v1/monitoring/logs/statistics?from=2026-10-02T00:00:00Z&to=2026-11-01T00:00:00Z&bucketSeconds=1", "bucketSeconds", "more than 10,000 buckets")]
    [InlineData("/api/v1/monitoring/logs/statistics?bucketSeconds=0", "bucketSeconds", "from 1 to 86400")]
    [InlineData("/api/v1/monitoring/logs/not-an-id/context", "id", "A log line id looks like")]
    [InlineData("/api/v1/monitoring/logs/1-1/context?before=501", "before", "from 0 to 500")]
    public async Task BadParameters_Are400NamingTheParameter(string url, string parameter, string message)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantAdmin_OnlyEverSeesTheirTenant_EvenAskingForAnother()
    {
        const string Marker = "qltenant";
        await IngestAsync(null, (30, "error", "rag-service", $"{Marker} acme line", ""), (20, "error", "rag-service", $"{Marker} acme second", ""));
        await IngestAsync("globex", (25, "error", "rag-service", $"{Marker} globex line", ""));
        var globexKey = await factory.CreateKeyAsync("logs-globex", "role", "TenantAdmin", "globex");
        using var globex = factory.CreateApiClient(globexKey);
        using var admin = factory.CreateAdminClient();
        var acmeLine = (await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"{Marker} tenant:acme")))).GetProperty("items")[0];

        var own = await globex.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", Marker)));
        var other = await globex.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"{Marker} tenant:acme")));
        var otherOr = await globex.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"tenant:acme OR {Marker}")));
        var stats = await globex.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/statistics", ("q", Marker)));
        using var context = await globex.GetAsync($"/api/v1/monitoring/logs/{acmeLine.GetProperty("id").GetString()}/context");
        var everything = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", Marker)));

        Assert.Equal([$"{Marker} globex line"], Messages(own));
        Assert.Empty(Messages(other));
        Assert.Equal(0, other.GetProperty("totalCount").GetInt32());
        Assert.Equal([$"{Marker} globex line"], Messages(otherOr));
        Assert.Equal(1, stats.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, context.StatusCode);
        Assert.Equal(3, everything.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Statistics_ChoosesTheBucketFromTheRangeAndStacksByLevel()
    {
        const string Marker = "qlstats";
        await IngestAsync("initech",
            (30 * 60, "error", "ml-engine", $"{Marker} a", ""), (30 * 60 - 1, "error", "ml-engine", $"{Marker} b", ""),
            (30 * 60 - 2, "info", "ml-engine", $"{Marker} c", ""), (5 * 60, "warn", "ml-engine", $"{Marker} d", ""));
        using var admin = factory.CreateAdminClient();

        var hour = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/statistics",
            ("q", Marker), ("from", Now.AddHours(-1).ToString("O")), ("to", Now.ToString("O"))));
        var day = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/statistics",
            ("q", Marker), ("from", Now.AddDays(-1).ToString("O")), ("to", Now.ToString("O"))));
        var given = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/statistics", ("q", Marker), ("bucketSeconds", "3600")));

        Assert.Equal(60, hour.GetProperty("bucketSeconds").GetInt32());
        Assert.Equal(900, day.GetProperty("bucketSeconds").GetInt32());
        Assert.Equal(3600, given.GetProperty("bucketSeconds").GetInt32());
        Assert.Equal(4, hour.GetProperty("total").GetInt32());
        var buckets = hour.GetProperty("buckets").EnumerateArray().ToList();
        Assert.InRange(buckets.Count, 60, 61);
        var busiest = buckets.Single(b => b.GetProperty("total").GetInt32() == 3);
        Assert.Equal(2, busiest.GetProperty("error").GetInt32());
        Assert.Equal(1, busiest.GetProperty("info").GetInt32());
        Assert.Equal(1, buckets.Sum(b => b.GetProperty("warn").GetInt32()));
    }

    [Fact]
    public async Task Context_GivesTheLinesAroundOneFromTheSameService()
    {
        const string Marker = "qlcontext";
        var lines = Enumerable.Range(1, 7).Select(i => (100 - (i * 10), "info", "upload-pipeline", $"{Marker} step {i}", "")).ToList();
        lines.Add((55, "info", "other-service", $"{Marker} elsewhere", ""));
        await IngestAsync(null, [.. lines]);
        using var admin = factory.CreateAdminClient();
        var four = (await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", ("q", $"{Marker} \"step 4\"")))).GetProperty("items")[0];

        var context = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/logs/{four.GetProperty("id").GetString()}/context?before=2&after=5");
        using var missing = await admin.GetAsync("/api/v1/monitoring/logs/1-999999/context");

        Assert.Equal($"{Marker} step 4", context.GetProperty("line").GetProperty("message").GetString());
        Assert.Equal([$"{Marker} step 2", $"{Marker} step 3"], context.GetProperty("before").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
        Assert.Equal([$"{Marker} step 5", $"{Marker} step 6", $"{Marker} step 7"], context.GetProperty("after").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Search_OlderThanMemory_ReadsTheDatabase_WithTheSameQueryTenantScopeAndContext()
    {
        // Three days old: written to the database only (as lines that have left memory are), half of them indexed.
        const string Marker = "qlstored";
        var at = Now.AddDays(-3);
        LogRecord Line(string tenant, int minute, string level, string text) => new()
        {
            TenantId = tenant,
            TimeUnixNano = UnixTime.ToNanos(at.AddMinutes(minute)),
            SeverityText = level,
            Body = AttributeValue.Of($"{Marker} {text}"),
            Resource = new TelemetryResource([new("service.name", AttributeValue.Of("upload-pipeline"))]),
        };
        await factory.Services.GetRequiredService<TelemetryWriter>().WriteAsync(new TelemetryBatch
        {
            Logs = [Line("acme", 1, "info", "parsed order-7"), Line("acme", 2, "error", "upload timeout order-7"), Line("globex", 3, "error", "upload timeout order-9")],
        }, CancellationToken.None);
        await factory.Services.GetRequiredService<LogSearchIndexer>().IndexPendingAsync(TimeSpan.Zero, 2);
        await factory.Services.GetRequiredService<TelemetryWriter>().WriteAsync(new TelemetryBatch
        {
            Logs = [Line("acme", 4, "error", "upload timeout order-8")],
        }, CancellationToken.None);
        var acmeKey = await factory.CreateKeyAsync("logs-stored-acme", "role", "TenantAdmin", "acme");
        using var acme = factory.CreateApiClient(acmeKey);
        using var admin = factory.CreateAdminClient();
        var range = new[] { ("from", at.AddHours(-1).ToString("O")), ("to", at.AddHours(1).ToString("O")) };

        var all = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", [("q", $"{Marker} timeout"), .. range]));
        var own = await acme.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", [("q", $"{Marker} level:error"), .. range]));
        var sneaky = await acme.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", [("q", $"{Marker} tenant:globex"), .. range]));
        var paged = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", [("q", Marker), ("limit", "2"), .. range]));
        var next = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/search", [("q", Marker), ("limit", "2"), ("cursor", paged.GetProperty("nextCursor").GetString()!), .. range]));
        var stats = await admin.GetFromJsonAsync<JsonElement>(Url("/api/v1/monitoring/logs/statistics", [("q", $"{Marker} timeout"), .. range]));
        var middle = own.GetProperty("items")[1].GetProperty("id").GetString();
        var context = await acme.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/logs/{middle}/context?before=5&after=5");

        Assert.Equal([$"{Marker} upload timeout order-8", $"{Marker} upload timeout order-9", $"{Marker} upload timeout order-7"], Messages(all));
        Assert.True(all.GetProperty("searchedDatabase").GetBoolean());
        Assert.Equal([$"{Marker} upload timeout order-8", $"{Marker} upload timeout order-7"], Messages(own));
        Assert.Empty(Messages(sneaky));
        Assert.Equal([$"{Marker} upload timeout order-8", $"{Marker} upload timeout order-9"], Messages(paged));
        Assert.Equal(4, paged.GetProperty("totalCount").GetInt32());
        Assert.Equal([$"{Marker} upload timeout order-7", $"{Marker} parsed order-7"], Messages(next));
        Assert.Equal(3, stats.GetProperty("total").GetInt32());
        Assert.Equal($"{Marker} upload timeout order-7", context.GetProperty("line").GetProperty("message").GetString());
        Assert.Equal([$"{Marker} parsed order-7"], context.GetProperty("before").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
        Assert.Equal([$"{Marker} upload timeout order-8"], context.GetProperty("after").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Search_PastTheTimeLimit_Is503AndSaysSo()
    {
        await using var limited = new TimeLimitedFactory();
        using var admin = limited.CreateAdminClient();
        var logs = limited.Services.GetRequiredService<TelemetryStores>().Logs;
        var now = limited.Clock.GetUtcNow();
        for (var batch = 0; batch < 2; batch++)
        {
            logs.Add([.. Enumerable.Range(0, 10_000).Select(i => new LogRecord
            {
                TenantId = "acme",
                TimeUnixNano = (ulong)now.AddSeconds(-1 - (i % 3000)).ToUnixTimeMilliseconds() * 1_000_000UL,
                Body = AttributeValue.Of($"alpha beta gamma line {batch}-{i}"),
            })]);
        }

        using var response = await admin.GetAsync(Url("/api/v1/monitoring/logs/search", ("q", "\"beta alpha\"")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("took longer than", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A console whose log searches find their time limit already passed when they start, whatever the speed of the
    /// machine: the explorer's clock reads the test clock, but its timers are due at once.
    /// </summary>
    private sealed class TimeLimitedFactory : OpsConsoleFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Logs:QueryTimeout"] = "00:00:00.001" };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton(sp => new LogExplorer(
                sp.GetRequiredService<TelemetryStores>(), sp.GetRequiredService<LogHistorySearch>(), new ImpatientClock(Clock), sp.GetRequiredService<IOptions<LogSearchOptions>>())));
        }
    }

    /// <summary>Tells the time of <paramref name="clock"/>; every timer fires as it is created.</summary>
    private sealed class ImpatientClock(TimeProvider clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            callback(state);
            return clock.CreateTimer(static _ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }
}
