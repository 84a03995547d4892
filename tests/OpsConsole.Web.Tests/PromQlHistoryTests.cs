using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>
/// Queries reach history: three hours of samples are queried, the console restarts reloading only the last hour into
/// memory, and the same queries over the old range answer exactly the same from the database.
/// </summary>
public abstract class PromQlHistoryTests
{
    private const long StepMs = 15_000;
    private const string AcmeGaugeSum = "sum(history_gauge{job=\"api\"})";

    /// <summary>A console on the test's database; <paramref name="reloadWindow"/> sets <c>Retention:ReloadWindow</c>.</summary>
    protected abstract OpsConsoleFactory Start(string? reloadWindow, bool keepDatabase);

    /// <summary>
    /// Sample k (every 15 s from now − 3 h): a counter for acme that resets once; an acme gauge with an ordinary NaN
    /// at k = 200 and a stale marker at k = 300 (reporting again from k = 320); a gauge of the default tenant.
    /// </summary>
    private static TelemetryBatch Data(long start, int count)
    {
        var counter = LabelSet.From(("__name__", "history_requests_total"), ("job", "api"));
        var acmeGauge = LabelSet.From(("__name__", "history_gauge"), ("job", "api"));
        var defaultGauge = LabelSet.From(("__name__", "history_gauge"), ("job", "web"));
        var samples = new List<SeriesSample>();
        for (var k = 0; k < count; k++)
        {
            var t = start + (k * StepMs);
            samples.Add(new SeriesSample("acme", counter, t, k < 360 ? k * 5 : (k - 360) * 3));
            if (k is < 301 or >= 320)
            {
                samples.Add(new SeriesSample("acme", acmeGauge, t, k == 200 ? double.NaN : k == 300 ? StaleMarker.StaleNaN : Math.Sin(k / 10.0)));
            }

            samples.Add(new SeriesSample("default", defaultGauge, t, k % 7));
        }

        return new TelemetryBatch { Samples = samples };
    }

    /// <summary>Where two answers first differ, with some context.</summary>
    private static string Difference(string before, string after)
    {
        var at = 0;
        while (at < before.Length && at < after.Length && before[at] == after[at])
        {
            at++;
        }

        var from = Math.Max(0, at - 120);
        return $"at character {at}:\nbefore: …{before[from..Math.Min(before.Length, at + 120)]}…\nafter:  …{after[from..Math.Min(after.Length, at + 120)]}…";
    }

    private static string S(long ms) => (ms / 1000.0).ToString(CultureInfo.InvariantCulture);

    /// <summary>The queries, all over times older than the last hour.</summary>
    private static List<(string Url, bool AsAcme)> Queries(long start)
    {
        long At(int k) => start + (k * StepMs);
        var old = $"start={S(At(0))}&end={S(At(440))}";
        return
        [
            ($"/api/v1/query_range?query=history_gauge&{old}&step=60", false),
            ($"/api/v1/query_range?query={Uri.EscapeDataString("rate(history_requests_total[5m])")}&start={S(At(20))}&end={S(At(700))}&step=30", false),
            ($"/api/v1/query?query={Uri.EscapeDataString("count_over_time(history_gauge[3h])")}&time={S(At(715))}", false),
            ($"/api/v1/query?query=history_gauge&time={S(At(200))}", false), // the NaN is the latest sample
            ($"/api/v1/query?query=history_gauge&time={S(At(305))}", false), // after the stale marker: only web
            ($"/api/v1/query?query={Uri.EscapeDataString("increase(history_requests_total[2h])")}&time={S(At(600))}", false),
            ($"/api/v1/series?match[]=history_gauge&start={S(At(0))}&end={S(At(100))}", false),
            ($"/api/v1/label/job/values?start={S(At(0))}&end={S(At(100))}", false),
            ($"/api/v1/query_range?query={Uri.EscapeDataString("sum(history_gauge)")}&{old}&step=120", true),
            ($"/api/v1/query_range?query={Uri.EscapeDataString(AcmeGaugeSum)}&{old}&step=120", false),
        ];
    }

    private static async Task<List<string>> AnswerAsync(OpsConsoleFactory console, long start)
    {
        var acmeKey = await console.CreateKeyAsync("history-acme-" + Guid.NewGuid().ToString("N")[..6], "role", "TenantAdmin", "acme");
        using var admin = console.CreateAdminClient();
        using var acme = console.CreateApiClient(acmeKey);
        var answers = new List<string>();
        foreach (var (url, asAcme) in Queries(start))
        {
            using var response = await (asAcme ? acme : admin).GetAsync(url);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
            answers.Add(body.GetProperty("data").GetRawText());
        }

        return answers;
    }

    [Fact]
    public async Task OldRange_AfterARestartThatReloadedOnlyTheLastHour_AnswersExactlyAsBefore()
    {
        var start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000) - (3 * 3_600_000);
        List<string> before;
        using (var first = Start(reloadWindow: null, keepDatabase: true))
        {
            var result = await first.Services.GetRequiredService<ITelemetrySink>().WriteAsync(Data(start, 716), CancellationToken.None);
            Assert.Equal(IngestOutcome.Accepted, result.Outcome);
            before = await AnswerAsync(first, start);
        }

        // The data really has its NaN, its stale marker and the default tenant's series, and acme sees only its own.
        Assert.Contains("\"NaN\"", before[3], StringComparison.Ordinal);
        Assert.DoesNotContain("\"api\"", before[4], StringComparison.Ordinal);
        Assert.Contains("\"web\"", before[4], StringComparison.Ordinal);
        Assert.Contains("\"tenant_id\":\"acme\"", before[6], StringComparison.Ordinal);
        Assert.Equal(before[9], before[8]); // acme's sum of everything is the sum of its own gauge

        using var second = Start(reloadWindow: "01:00:00", keepDatabase: false);
        var after = await AnswerAsync(second, start);

        var hot = second.Services.GetRequiredService<TelemetryStores>().Series;
        Assert.Empty(hot.Select(null, [LabelMatcher.Regex(LabelSet.MetricName, "history_.*")], start, start + (200 * StepMs)));
        Assert.True(hot.CompleteFromMs > start + (440 * StepMs), "the restarted hot store must not cover the old range");
        for (var i = 0; i < before.Count; i++)
        {
            Assert.True(before[i] == after[i], $"query {i} ({Queries(start)[i].Url}) answered differently after the restart:\n{Difference(before[i], after[i])}");
        }
    }
}

/// <summary>On SQLite.</summary>
public sealed class SqlitePromQlHistoryTests : PromQlHistoryTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-history-").FullName;

    protected override OpsConsoleFactory Start(string? reloadWindow, bool keepDatabase) =>
        new HistoryConsole(_directory, reloadWindow) { KeepDatabase = keepDatabase };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class HistoryConsole(string directory, string? reloadWindow) : OpsConsoleFactory(directory)
    {
        protected override bool UseFakeClock => false;

        protected override IDictionary<string, string?> Settings => reloadWindow is null
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["Retention:ReloadWindow"] = reloadWindow };
    }
}

/// <summary>On PostgreSQL (a fresh database on the server in OPSCONSOLE_TEST_PG).</summary>
public sealed class PostgresPromQlHistoryTests : PromQlHistoryTests
{
    private readonly Lazy<string> _database = new(() => PostgresConsoleFactory.CreateDatabaseAsync().GetAwaiter().GetResult());

    protected override OpsConsoleFactory Start(string? reloadWindow, bool keepDatabase) => new HistoryConsole(
        new NpgsqlConnectionStringBuilder(PostgresConsoleFactory.AdminConnectionString) { Database = _database.Value, Pooling = false }.ToString(),
        reloadWindow);

    private sealed class HistoryConsole(string connectionString, string? reloadWindow) : OpsConsoleFactory
    {
        protected override bool UseFakeClock => false;

        protected override IDictionary<string, string?> Settings
        {
            get
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Storage:Provider"] = "Postgres",
                    ["Storage:ConnectionString"] = connectionString,
                };
                if (reloadWindow is not null)
                {
                    settings["Retention:ReloadWindow"] = reloadWindow;
                }

                return settings;
            }
        }
    }
}
