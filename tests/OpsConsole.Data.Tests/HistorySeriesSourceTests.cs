using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Data.Telemetry;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Tests;

/// <summary>
/// The query engine's series source: the database's samples before the hot store's coverage, then the hot store's,
/// exactly once each, NaNs and stale markers intact; the database is not read for ranges the hot store covers.
/// </summary>
public abstract class HistorySeriesSourceTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private const long Base = 1_800_000_000_000;
    private readonly TelemetryWriter _writer = db.GetRequiredService<TelemetryWriter>();
    private readonly TelemetryReader _reader = db.GetRequiredService<TelemetryReader>();

    /// <summary>A hot store whose clock is just after the data (retention a day, so nothing expires by age).</summary>
    private static SeriesStore HotStore() =>
        new(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Base + 3_600_000)));

    /// <summary>Sample k of a series at Base + 15 s·k: k, except an ordinary NaN at k = 10 and a stale marker at k = 20.</summary>
    private static double ValueAt(int k) => k == 10 ? double.NaN : k == 20 ? StaleMarker.StaleNaN : k;

    /// <summary>Writes series a (samples 0 … count − 1) and b (0 … bCount − 1, default count − 1, values −k).</summary>
    private async Task<(string Tenant, LabelSet A, LabelSet B)> WriteAsync(int count, int? bCount = null)
    {
        var tenant = TestData.UniqueSlug("history");
        var a = LabelSet.From(("__name__", "history_probe"), ("job", "a"));
        var b = LabelSet.From(("__name__", "history_probe"), ("job", "b"));
        var samples = new List<SeriesSample>();
        for (var k = 0; k < count; k++)
        {
            samples.Add(new SeriesSample(tenant, a, Base + (k * 15_000), ValueAt(k)));
            if (k < (bCount ?? count))
            {
                samples.Add(new SeriesSample(tenant, b, Base + (k * 15_000), -k));
            }
        }

        await _writer.WriteAsync(new TelemetryBatch { Samples = samples }, CancellationToken.None);
        return (tenant, a, b);
    }

    private static void AssertSameSamples(IReadOnlyList<Sample> expected, IReadOnlyList<Sample> actual)
    {
        Assert.Equal(expected.Select(s => s.TimestampMs), actual.Select(s => s.TimestampMs));
        Assert.Equal(expected.Select(s => BitConverter.DoubleToUInt64Bits(s.Value)), actual.Select(s => BitConverter.DoubleToUInt64Bits(s.Value)));
    }

    [Fact]
    public async Task Select_AcrossTheSeam_DatabaseThenHotSamplesExactlyOnceWithNaNAndStaleMarkersIntact()
    {
        var (tenant, a, _) = await WriteAsync(60);
        var hot = HotStore();
        // The hot store holds the newest 30 samples and a few older ones (as after evicting part of a chunk) but is
        // only complete from sample 30 on.
        for (var k = 25; k < 60; k++)
        {
            hot.Append(tenant, a, Base + (k * 15_000), ValueAt(k));
        }

        hot.MarkIncompleteBefore(Base + (30 * 15_000));
        var source = new HistorySeriesSource(hot, _reader);

        var selected = source.Select(tenant, [LabelMatcher.Equal("job", "a")], Base, Base + (59 * 15_000));

        var series = Assert.Single(selected);
        Assert.Equal(a, series.Labels);
        Assert.Equal(tenant, series.TenantId);
        AssertSameSamples([.. Enumerable.Range(0, 60).Select(k => new Sample(Base + (k * 15_000), ValueAt(k)))], series.ToList());
        Assert.True(StaleMarker.IsStaleNaN(series.ToList()[20].Value), "the stale marker keeps its bit pattern");
        Assert.True(double.IsNaN(series.ToList()[10].Value) && !StaleMarker.IsStaleNaN(series.ToList()[10].Value), "an ordinary NaN stays ordinary");
    }

    [Fact]
    public async Task Select_SeriesOnlyInTheDatabase_ComesBackSortedWithTheHotOnes()
    {
        var (tenant, a, b) = await WriteAsync(40, bCount: 30); // b stopped reporting at sample 29
        var hot = HotStore();
        for (var k = 30; k < 40; k++)
        {
            hot.Append(tenant, a, Base + (k * 15_000), ValueAt(k)); // b has left memory entirely
        }

        hot.MarkIncompleteBefore(Base + (30 * 15_000));
        var source = new HistorySeriesSource(hot, _reader);

        var selected = source.Select(tenant, [LabelMatcher.Equal(LabelSet.MetricName, "history_probe"), LabelMatcher.Regex("job", "a|b")], Base + (5 * 15_000), Base + (35 * 15_000));
        var cursor = selected[1].Samples();
        var seeked = cursor.Seek(Base + (29 * 15_000)) ? cursor.Current : default;

        Assert.Equal([a, b], selected.Select(s => s.Labels));
        Assert.Equal(31, selected[0].ToList().Count);
        AssertSameSamples([.. Enumerable.Range(5, 25).Select(k => new Sample(Base + (k * 15_000), -k))], selected[1].ToList());
        Assert.Equal(new Sample(Base + (29 * 15_000), -29), seeked);
    }

    [Fact]
    public async Task Select_RangeTheHotStoreCovers_NeverReadsTheDatabase()
    {
        var (tenant, a, _) = await WriteAsync(10);
        var hot = HotStore();
        for (var k = 0; k < 10; k++)
        {
            hot.Append(tenant, a, Base + (k * 15_000), ValueAt(k));
        }

        hot.MarkIncompleteBefore(Base + (5 * 15_000));
        // A reader whose database cannot even be opened: any read through it fails.
        var unreachable = new TelemetryReader(new UnreachableDatabase());
        var source = new HistorySeriesSource(hot, unreachable);

        var covered = source.Select(tenant, [LabelMatcher.Equal("job", "a")], Base + (5 * 15_000), Base + (9 * 15_000));

        Assert.Equal(5, Assert.Single(covered).ToList().Count);
        Assert.ThrowsAny<Exception>(() => source.Select(tenant, [LabelMatcher.Equal("job", "a")], Base, Base + (9 * 15_000)));
    }

    [Fact]
    public async Task Select_Cancelled_StopsReadingTheDatabase()
    {
        var (tenant, _, _) = await WriteAsync(10);
        var hot = HotStore();
        hot.MarkIncompleteBefore(Base + 3_600_000);
        var source = new HistorySeriesSource(hot, _reader);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.ThrowsAny<OperationCanceledException>(() => source.Select(tenant, [LabelMatcher.Equal("job", "a")], Base, Base + 3_600_000, cancelled.Token));
    }
}

/// <summary>A SQLite database in a directory that does not exist: opening it fails.</summary>
internal sealed class UnreachableDatabase : IDbContextFactory<OpsDbContext>
{
    public OpsDbContext CreateDbContext() =>
        new SqliteOpsDbContext(new DbContextOptionsBuilder<SqliteOpsDbContext>().UseSqlite("Data Source=/nonexistent-directory/history.db;Mode=ReadOnly").Options);
}

public sealed class SqliteHistorySeriesSourceTests(SqliteDatabaseFixture db) : HistorySeriesSourceTests<SqliteDatabaseFixture>(db);

public sealed class PostgresHistorySeriesSourceTests(PostgresDatabaseFixture db) : HistorySeriesSourceTests<PostgresDatabaseFixture>(db);
