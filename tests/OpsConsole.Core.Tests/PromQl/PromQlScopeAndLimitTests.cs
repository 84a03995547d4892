using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.PromQl;

/// <summary>The engine's tenant scope (an implicit tenant_id matcher on every selector) and its range limits.</summary>
public sealed class PromQlScopeAndLimitTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static SeriesStore Store()
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0)));
        foreach (var (tenant, job, label) in new[] { ("acme", "a", "acme"), ("globex", "g", "globex"), ("default", "scraped", "acme"), ("default", "other", (string?)null) })
        {
            var labels = label is null
                ? LabelSet.From(("__name__", "up"), ("job", job))
                : LabelSet.From(("__name__", "up"), ("job", job), ("tenant_id", label));
            store.Append(tenant, labels, T0 - 1_000, 1);
        }

        return store;
    }

    private static List<string?> Jobs(PromQlResult result) =>
        [.. Assert.IsType<InstantVector>(result).Samples.Select(s => s.Labels.Get("job")).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("up", new[] { "a", "scraped" })]
    [InlineData("{__name__=~\".+\"}", new[] { "a", "scraped" })]
    [InlineData("up{tenant_id=\"globex\"}", new string[0])]
    [InlineData("up or vector(1) * on() group_left up{job=\"g\"}", new[] { "a", "scraped" })]
    public void Scoped_EverySelectorGetsTheTenantMatcher(string query, string[] jobs)
    {
        var engine = new PromQlEngine(Store(), new PromQlOptions { TenantScope = "acme" });

        Assert.Equal(jobs, Jobs(engine.Instant(query, T0, null)));
    }

    [Fact]
    public void Unscoped_SeesEverything()
    {
        Assert.Equal(["a", "g", "other", "scraped"], Jobs(new PromQlEngine(Store()).Instant("up", T0, null)));
    }

    [Fact]
    public void Scoped_AggregationCountsOnlyTheTenant()
    {
        var result = new PromQlEngine(Store(), new PromQlOptions { TenantScope = "acme" }).Instant("count(up)", T0, null);

        Assert.Equal(2, Assert.Single(Assert.IsType<InstantVector>(result).Samples).Value);
    }

    [Fact]
    public void RangeLongerThanTheMaximum_IsABadQuery()
    {
        var engine = new PromQlEngine(Store(), new PromQlOptions { MaxRangeMs = 3_600_000 });

        var range = Assert.Throws<PromQlBadQueryException>(() => engine.Range("up", T0 - 7_200_000, T0, 60_000, null));
        var selector = Assert.Throws<PromQlBadQueryException>(() => engine.Instant("sum(rate(up[2h]))", T0, null));

        Assert.Contains("the query range of 2h is longer than the maximum of 1h", range.Message, StringComparison.Ordinal);
        Assert.Contains("the range selector [2h] is longer than the maximum of 1h", selector.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancelled_WhileEvaluating_StopsPromptly()
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0)));
        for (var i = 0; i < 200; i++)
        {
            var labels = LabelSet.From(("__name__", "busy"), ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            for (var k = 0; k < 2_000; k++)
            {
                store.Append("default", labels, T0 - ((2_000 - k) * 10_000L), k);
            }
        }

        // Cancelled right after the series are selected, so the evaluation is under way however fast this machine is
        // (a timer could fire after a fast evaluation had finished).
        using var cancel = new CancellationTokenSource();
        var source = new CancelAfterSelect(store, cancel);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Seconds of work at 10,000 steps over 200 series, summing windows of up to 2,000 samples, if nothing stopped it
        // (sum_over_time visits every sample of its window; count_over_time no longer does).
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new PromQlEngine(source).Range("sum(sum_over_time(busy[6h]))", T0 - 20_000_000, T0, 2_000, null, cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopped after {clock.Elapsed}");
    }

    /// <summary>Answers from the store, then cancels the query that asked.</summary>
    private sealed class CancelAfterSelect(ISeriesSource inner, CancellationTokenSource cancel) : ISeriesSource
    {
        public IReadOnlyList<SelectedSeries> Select(string? tenantId, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs)
        {
            var selected = inner.Select(tenantId, matchers, fromMs, toMs);
            cancel.Cancel();
            return selected;
        }
    }
}
