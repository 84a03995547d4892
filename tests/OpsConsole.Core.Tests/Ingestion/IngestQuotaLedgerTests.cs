using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Ingestion;

public sealed class IngestQuotaLedgerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 23, 58, 10, TimeSpan.Zero);

    private sealed class FixedQuotas(Dictionary<string, IngestQuota> quotas) : IIngestQuotaSource
    {
        public IngestQuota QuotaOf(string tenantId) => quotas.TryGetValue(tenantId, out var q) ? q : IngestQuota.Unlimited;
    }

    private readonly FakeTimeProvider _clock = new(T0);

    private IngestQuotaLedger Ledger(params (string Tenant, long? Items, long? Bytes)[] quotas) =>
        new(new FixedQuotas(quotas.ToDictionary(q => q.Tenant, q => new IngestQuota(q.Items, q.Bytes))), _clock);

    private static TelemetryBatch Samples(string tenant, int n) => new()
    {
        Samples = [.. Enumerable.Range(0, n).Select(i => new SeriesSample(tenant, LabelSet.From(("__name__", "m"), ("i", i.ToString(CultureInfo.InvariantCulture))), i, i))],
    };

    [Fact]
    public void ItemsPerMinute_FitsWholeOrRefused_RetryAfterIsTheRestOfTheMinute_NextMinuteIsFresh()
    {
        var ledger = Ledger(("acme", 10, null));

        Assert.True(ledger.TryAdmit(Samples("acme", 6), 100).Admitted);
        var refused = ledger.TryAdmit(Samples("acme", 5), 100);

        Assert.False(refused.Admitted);
        Assert.Equal(IngestQuotaKind.ItemsPerMinute, refused.Rejection!.Kind);
        Assert.Equal((10L, 6L, 5L), (refused.Rejection.Limit, refused.Rejection.Used, refused.Rejection.Requested));
        Assert.Equal(50, refused.Rejection.RetryAfterSeconds); // 23:58:10 → 23:59:00
        Assert.Contains("10 items per minute", refused.Rejection.Message, StringComparison.Ordinal);
        Assert.Equal(6, ledger.UseOf("acme").ItemsThisMinute); // the refused request was not counted
        Assert.True(ledger.TryAdmit(Samples("acme", 4), 100).Admitted); // exactly up to the limit

        _clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(0, ledger.UseOf("acme").ItemsThisMinute);
        Assert.True(ledger.TryAdmit(Samples("acme", 10), 100).Admitted);
    }

    [Fact]
    public void BytesPerDay_RefusedUntilTheUtcDayEnds_SeedCountsTodaysBytesOnly()
    {
        var ledger = Ledger(("acme", null, 1000));
        ledger.Seed("acme", DateOnly.FromDateTime(T0.UtcDateTime).AddDays(-1), 900); // yesterday: ignored
        ledger.Seed("acme", DateOnly.FromDateTime(T0.UtcDateTime), 700);

        Assert.Equal(700, ledger.UseOf("acme").BytesToday);
        Assert.True(ledger.TryAdmit(Samples("acme", 1), 300).Admitted);
        var refused = ledger.TryAdmit(Samples("acme", 1), 1).Rejection;

        Assert.NotNull(refused);
        Assert.Equal(IngestQuotaKind.BytesPerDay, refused.Kind);
        Assert.Equal(110, refused.RetryAfterSeconds); // 23:58:10 → midnight
        _clock.Advance(TimeSpan.FromSeconds(110));
        Assert.True(ledger.TryAdmit(Samples("acme", 1), 1000).Admitted);
        Assert.Equal(1000, ledger.UseOf("acme").BytesToday);
    }

    [Fact]
    public void Rejections_RaiseTheEvent_AreRemembered_AndOtherTenantsAreUntouched()
    {
        var ledger = Ledger(("hooli", 1, null));
        var seen = new List<IngestQuotaRejection>();
        ledger.Rejected += seen.Add;

        Assert.True(ledger.TryAdmit(Samples("hooli", 1), 10).Admitted);
        Assert.False(ledger.TryAdmit(Samples("hooli", 1), 10).Admitted);
        Assert.True(ledger.TryAdmit(Samples("acme", 1000), 10).Admitted); // no quota: unlimited

        var rejection = Assert.Single(seen);
        Assert.Equal("hooli", rejection.TenantId);
        Assert.Equal((1L, rejection), (ledger.UseOf("hooli").Rejections, ledger.UseOf("hooli").LastRejection));
        Assert.Null(ledger.UseOf("acme").LastRejection);
    }

    [Fact]
    public void Refund_TakesBackTheChargeOfARequestRefusedLater()
    {
        var ledger = Ledger(("acme", 10, 100));
        var admitted = ledger.TryAdmit(Samples("acme", 8), 80);

        ledger.Refund(admitted);

        Assert.Equal((0L, 0L), (ledger.UseOf("acme").ItemsThisMinute, ledger.UseOf("acme").BytesToday));
        Assert.True(ledger.TryAdmit(Samples("acme", 10), 100).Admitted);
    }

    [Fact]
    public void MixedTenantBatch_AnyTenantOverQuota_RefusesAllOfIt_OtherwiseSplitsBytesByItems()
    {
        var ledger = Ledger(("acme", 100, null), ("hooli", 2, null));
        var mixed = new TelemetryBatch { Samples = [.. Samples("acme", 3).Samples, .. Samples("hooli", 1).Samples] };

        Assert.True(ledger.TryAdmit(mixed, 400).Admitted);
        Assert.Equal((3L, 300L), (ledger.UseOf("acme").ItemsThisMinute, ledger.UseOf("acme").BytesToday));
        Assert.Equal((1L, 100L), (ledger.UseOf("hooli").ItemsThisMinute, ledger.UseOf("hooli").BytesToday));

        var again = ledger.TryAdmit(new TelemetryBatch { Samples = [.. Samples("acme", 1).Samples, .. Samples("hooli", 2).Samples] }, 30);
        Assert.Equal("hooli", again.Rejection?.TenantId);
        Assert.Equal(3, ledger.UseOf("acme").ItemsThisMinute); // acme's part was not counted either
    }

    [Fact]
    public void Admission_UnderConcurrency_CountsExactlyToTheLimit()
    {
        var ledger = Ledger(("acme", 1_000_000, null));
        var batch = Samples("acme", 10);
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, 100_000, _ => ledger.TryAdmit(batch, 100));
        stopwatch.Stop();

        Assert.Equal(1_000_000, ledger.UseOf("acme").ItemsThisMinute); // exactly the limit: none lost, none over
        Assert.False(ledger.TryAdmit(Samples("acme", 1), 1).Admitted);
        output.WriteLine($"100,000 admissions of 10 samples on {Environment.ProcessorCount} cores: {stopwatch.Elapsed.TotalMilliseconds:0.0} ms ({stopwatch.Elapsed.TotalMilliseconds * 10:0.0} ns each)");
    }

    [Fact]
    public void BadInput_NegativeBytesOrSeed_Throws_AndChangesNothing()
    {
        var ledger = Ledger(("acme", 10, 100));

        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.TryAdmit(Samples("acme", 1), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Seed("acme", DateOnly.FromDateTime(T0.UtcDateTime), -5));
        Assert.Equal(default, ledger.UseOf("acme"));
    }
}
