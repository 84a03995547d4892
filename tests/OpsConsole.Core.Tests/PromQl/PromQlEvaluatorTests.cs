using OpsConsole.Core.Query.PromQl;
using static OpsConsole.Core.Tests.PromQl.PromQlDataSet;

namespace OpsConsole.Core.Tests.PromQl;

/// <summary>
/// Instant queries against <see cref="PromQlDataSet"/>; expected values worked out by hand from Prometheus's algorithms
/// (and, for the numbers in comments, checked once against Prometheus 2.42's <c>promtool test rules</c> on the same data).
/// </summary>
public sealed class PromQlEvaluatorTests
{
    private readonly PromQlEngine _engine = Engine();

    private Dictionary<string, double> Query(string query, double atSeconds, string? tenant = "acme")
    {
        var result = Assert.IsType<InstantVector>(_engine.Instant(query, At(atSeconds), tenant));
        Assert.All(result.Samples, s => Assert.Equal(At(atSeconds), s.TimestampMs));
        return result.Samples.ToDictionary(s => s.Labels.ToString(), s => s.Value);
    }

    private double QueryScalar(string query, double atSeconds) =>
        Assert.IsType<ScalarResult>(_engine.Instant(query, At(atSeconds), "acme")).Value;

    private static void AssertSeries(Dictionary<string, double> actual, params (string Labels, double Value)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Labels).Order(), actual.Keys.Order());
        foreach (var (labels, value) in expected)
        {
            Assert.Equal(value, actual[labels], 1e-9);
        }
    }

    [Fact]
    public void Instant_Selector_ReturnsLatestSampleWithNameAndEvaluationTime()
    {
        var result = Query("http_requests_total", 90);

        AssertSeries(result,
            ("http_requests_total{instance=\"a\", job=\"api\"}", 25),
            ("http_requests_total{instance=\"c\", job=\"api\"}", 80),
            ("http_requests_total{instance=\"b\", job=\"web\"}", 160));
    }

    [Fact]
    public void Instant_SelectorBetweenSamples_TakesSampleBefore()
    {
        // instance c has samples at 60 s (70) and 90 s (80): at 89 s the latest is 70.
        AssertSeries(Query("http_requests_total{instance=\"c\"}", 89), ("http_requests_total{instance=\"c\", job=\"api\"}", 70));
    }

    [Fact]
    public void Instant_SelectorExactlyFiveMinutesAfterSample_StillFindsIt()
    {
        // last sample at 60 s; 360 s − 300 s = 60 s: inside the lookback (inclusive, Prometheus 2.x).
        AssertSeries(Query("temperature{job=\"api\"}", 360), ("temperature{instance=\"a\", job=\"api\"}", 21));
    }

    [Fact]
    public void Instant_SelectorMoreThanFiveMinutesAfterSample_IsAbsent()
    {
        Assert.Empty(Query("temperature{job=\"api\"}", 361));
    }

    [Fact]
    public void Instant_StaleMarkerIsLatestSample_SeriesIsAbsent()
    {
        // web's temperature ended with a stale marker at 60 s; before it the series is there.
        AssertSeries(Query("temperature", 59),
            ("temperature{instance=\"a\", job=\"api\"}", 22),
            ("temperature{instance=\"b\", job=\"web\"}", 30));
        AssertSeries(Query("temperature", 61), ("temperature{instance=\"a\", job=\"api\"}", 21));
    }

    [Fact]
    public void Instant_Offset_ReadsEarlierSample()
    {
        AssertSeries(Query("http_requests_total{instance=\"a\"} offset 30s", 90), ("http_requests_total{instance=\"a\", job=\"api\"}", 5));
    }

    [Fact]
    public void Instant_RegexOnName_SelectsBothMetrics()
    {
        var result = Query("{__name__=~\"jobs_.*|temperature\", job!=\"web\"}", 90);

        AssertSeries(result, ("jobs_processed_total{job=\"worker\"}", 61), ("temperature{instance=\"a\", job=\"api\"}", 21));
    }

    [Fact]
    public void Instant_TenantGiven_SeesOnlyThatTenantsSeries()
    {
        AssertSeries(Query("http_requests_total{job=\"api\"}", 90, "globex"), ("http_requests_total{instance=\"a\", job=\"api\"}", 2000));
    }

    [Fact]
    public void Rate_WindowWithCounterReset_AddsValueBeforeReset()
    {
        // [30 s, 90 s]: 20 30 5 15 25. increase = 25 − 20 + 30 (reset after 30) = 35; samples touch both edges, no
        // extrapolation; rate = 35 / 60 s.
        AssertSeries(Query("rate(http_requests_total{instance=\"a\"}[1m])", 90), ("{instance=\"a\", job=\"api\"}", 35.0 / 60));
        AssertSeries(Query("increase(http_requests_total{instance=\"a\"}[1m])", 90), ("{instance=\"a\", job=\"api\"}", 35));
    }

    [Fact]
    public void Increase_SamplesShortOfWindowEdges_ExtrapolatesToEdges()
    {
        // [40 s, 100 s]: 45:30 60:5 75:15 90:25 → 25 − 30 + 30 = 25 over 45 s sampled; 5 s to start and 10 s to
        // end are both below 1.1 × 15 s, so extrapolate to 60 s: 25 × 60 / 45 = 33.333…; rate = that / 60.
        AssertSeries(Query("increase(http_requests_total{instance=\"a\"}[1m])", 100), ("{instance=\"a\", job=\"api\"}", 25.0 * 60 / 45));
        AssertSeries(Query("rate(http_requests_total{instance=\"a\"}[1m])", 100), ("{instance=\"a\", job=\"api\"}", 25.0 * 60 / 45 / 60));
    }

    [Fact]
    public void Increase_SeriesEndsLongBeforeWindowEnd_ExtrapolatesHalfAnInterval()
    {
        // web [20 s, 200 s]: 30:120 … 90:160 → 40 over 60 s, average interval 15 s; 10 s to start (< 16.5 s,
        // extrapolate fully), 110 s to end (≥ 16.5 s, only 7.5 s): 40 × 77.5 / 60 = 51.666…
        AssertSeries(Query("increase(http_requests_total{job=\"web\"}[3m])", 200), ("{instance=\"b\", job=\"web\"}", 40 * 77.5 / 60));
    }

    [Fact]
    public void Increase_CounterStartsNearZero_DoesNotExtrapolateBelowZero()
    {
        // [30 s, 90 s]: 60:1 75:31 90:61 → 60 over 30 s; 30 s to start, but zero is reached 30 × 1/60 = 0.5 s
        // before the first sample, so extrapolate 0.5 s: 60 × 30.5 / 30 = 61.
        AssertSeries(Query("increase(jobs_processed_total[1m])", 90), ("{job=\"worker\"}", 61));
    }

    [Fact]
    public void Rate_SingleSampleInWindow_IsAbsent()
    {
        // [75 s, 95 s] holds only instance c's sample at 90 s: a rate needs two samples.
        Assert.Empty(Query("rate(http_requests_total{instance=\"c\"}[20s])", 95));
    }

    [Fact]
    public void Delta_Gauge_ExtrapolatesWithoutCounterHandling()
    {
        // [15 s, 75 s]: 30:22 60:21 → −1 over 30 s; 15 s to each edge < 1.1 × 30 s → −1 × 60 / 30 = −2.
        AssertSeries(Query("delta(temperature{job=\"api\"}[1m])", 75), ("{instance=\"a\", job=\"api\"}", -2));
    }

    [Fact]
    public void Irate_LastTwoSamplesAcrossReset_UsesValueAfterReset()
    {
        // 45:30 then 60:5 → a reset: 5 / 15 s.
        AssertSeries(Query("irate(http_requests_total{instance=\"a\"}[1m])", 60), ("{instance=\"a\", job=\"api\"}", 5.0 / 15));
        AssertSeries(Query("idelta(temperature{job=\"api\"}[1m])", 60), ("{instance=\"a\", job=\"api\"}", -1));
    }

    [Theory]
    [InlineData("avg_over_time", 21)] // (20 + 22 + 21) / 3
    [InlineData("min_over_time", 20)]
    [InlineData("max_over_time", 22)]
    [InlineData("sum_over_time", 63)]
    [InlineData("count_over_time", 3)]
    public void OverTime_GaugeWindow_AggregatesSamplesAndDropsName(string function, double expected)
    {
        AssertSeries(Query(function + "(temperature{job=\"api\"}[1m])", 60), ("{instance=\"a\", job=\"api\"}", expected));
    }

    [Fact]
    public void LastOverTime_GaugeWindow_KeepsName()
    {
        AssertSeries(Query("last_over_time(temperature{job=\"api\"}[10m])", 500), ("temperature{instance=\"a\", job=\"api\"}", 21));
    }

    [Fact]
    public void Aggregations_ByJob_GroupAndDropOtherLabels()
    {
        AssertSeries(Query("sum by (job) (http_requests_total)", 90), ("{job=\"api\"}", 105), ("{job=\"web\"}", 160)); // 25 + 80
        AssertSeries(Query("avg(http_requests_total) by (job)", 90), ("{job=\"api\"}", 52.5), ("{job=\"web\"}", 160));
        AssertSeries(Query("count without (instance) (http_requests_total)", 90), ("{job=\"api\"}", 2), ("{job=\"web\"}", 1));
        AssertSeries(Query("max by (job) (http_requests_total)", 90), ("{job=\"api\"}", 80), ("{job=\"web\"}", 160));
        AssertSeries(Query("min(http_requests_total)", 90), ("{}", 25));
    }

    [Fact]
    public void Aggregations_Statistics_FollowPrometheusFormulas()
    {
        // values 25, 80, 160: mean 88.33; population stddev sqrt(((−63.33)² + (−8.33)² + 71.67²) / 3) = 55.4276…
        AssertSeries(Query("stddev(http_requests_total)", 90), ("{}", 55.42763049438631));

        // quantile 0.25: rank 0.25 × 2 = 0.5 → 25 + 0.5 × (80 − 25) = 52.5
        AssertSeries(Query("quantile(0.25, http_requests_total)", 90), ("{}", 52.5));
        AssertSeries(Query("count_values(\"count\", count by (job) (http_requests_total))", 90), ("{count=\"2\"}", 1), ("{count=\"1\"}", 1));
    }

    [Fact]
    public void Topk_KeepsOriginalLabelsLargestFirst()
    {
        var result = Assert.IsType<InstantVector>(_engine.Instant("topk(2, http_requests_total)", At(90), "acme"));

        Assert.Equal(["http_requests_total{instance=\"b\", job=\"web\"}", "http_requests_total{instance=\"c\", job=\"api\"}"], result.Samples.Select(s => s.Labels.ToString()));
        AssertSeries(Query("bottomk by (job) (1, http_requests_total)", 90),
            ("http_requests_total{instance=\"a\", job=\"api\"}", 25),
            ("http_requests_total{instance=\"b\", job=\"web\"}", 160));
    }

    [Theory]
    [InlineData("1 + 2 * 3 ^ 2", 19)]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("-2 ^ 2", -4)]
    [InlineData("7 % 3 - 10 / 4", -1.5)]
    [InlineData("1 > bool 2", 0)]
    [InlineData("(1 + 1) == bool 2", 1)]
    [InlineData("scalar(sum(http_requests_total))", 265)]
    [InlineData("scalar(http_requests_total)", double.NaN)]
    public void Scalars_ArithmeticAndComparisons_FollowPrecedence(string query, double expected)
    {
        Assert.Equal(expected, QueryScalar(query, 90), 1e-12);
    }

    [Fact]
    public void Time_ReturnsEvaluationTimeInSeconds()
    {
        Assert.Equal((T0 / 1000.0) + 90, QueryScalar("time()", 90));
    }

    [Fact]
    public void VectorScalar_ArithmeticDropsNameComparisonFiltersAndKeepsIt()
    {
        AssertSeries(Query("2 * http_requests_total{instance=\"a\"}", 90), ("{instance=\"a\", job=\"api\"}", 50));
        AssertSeries(Query("http_requests_total > 50", 90),
            ("http_requests_total{instance=\"c\", job=\"api\"}", 80),
            ("http_requests_total{instance=\"b\", job=\"web\"}", 160));
        AssertSeries(Query("100 > http_requests_total", 90),
            ("http_requests_total{instance=\"a\", job=\"api\"}", 25),
            ("http_requests_total{instance=\"c\", job=\"api\"}", 80));
        AssertSeries(Query("http_requests_total{job=\"api\"} >= bool 80", 90),
            ("{instance=\"a\", job=\"api\"}", 0),
            ("{instance=\"c\", job=\"api\"}", 1));
    }

    [Fact]
    public void VectorVector_OneToOne_MatchesOnAllLabelsButName()
    {
        // now − 30 s ago: a 25 − 5, c 80 − 70, b 160 − 140
        AssertSeries(Query("http_requests_total - http_requests_total offset 30s", 90),
            ("{instance=\"a\", job=\"api\"}", 20),
            ("{instance=\"c\", job=\"api\"}", 10),
            ("{instance=\"b\", job=\"web\"}", 20));
    }

    [Fact]
    public void VectorVector_GroupLeft_DividesEachInstanceByItsJobTotal()
    {
        AssertSeries(Query("http_requests_total / on(job) group_left sum by (job) (http_requests_total)", 90),
            ("{instance=\"a\", job=\"api\"}", 25.0 / 105),
            ("{instance=\"c\", job=\"api\"}", 80.0 / 105),
            ("{instance=\"b\", job=\"web\"}", 1));
    }

    [Fact]
    public void VectorVector_OnReducesLabelsToMatchedOnes()
    {
        AssertSeries(Query("sum by (job, instance) (temperature) + on(job) sum by (job) (http_requests_total)", 90), ("{job=\"api\"}", 21 + 105));
    }

    [Fact]
    public void VectorVector_ManyToOneWithoutGroupLeft_Throws()
    {
        var e = Assert.Throws<PromQlEvaluationException>(() => _engine.Instant("http_requests_total + on(job) temperature", At(90), "acme"));
        Assert.Contains("many-to-one matching must be explicit", e.Message, StringComparison.Ordinal);

        var duplicate = Assert.Throws<PromQlEvaluationException>(() => _engine.Instant("temperature + on(job) http_requests_total", At(90), "acme"));
        Assert.Contains("found duplicate series for the match group {job=\"api\"} on the right hand-side", duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetOperators_MatchOnJob()
    {
        // at 90 s only api has a temperature (web's ended with a stale marker)
        AssertSeries(Query("http_requests_total and on(job) temperature", 90),
            ("http_requests_total{instance=\"a\", job=\"api\"}", 25),
            ("http_requests_total{instance=\"c\", job=\"api\"}", 80));
        AssertSeries(Query("http_requests_total unless on(job) temperature", 90), ("http_requests_total{instance=\"b\", job=\"web\"}", 160));
        AssertSeries(Query("temperature or on(job) http_requests_total", 90),
            ("temperature{instance=\"a\", job=\"api\"}", 21),
            ("http_requests_total{instance=\"b\", job=\"web\"}", 160));
    }

    [Fact]
    public void MathFunctions_ApplyPerSampleAndDropName()
    {
        AssertSeries(Query("abs(temperature - 25)", 60), ("{instance=\"a\", job=\"api\"}", 4));
        AssertSeries(Query("clamp(http_requests_total, 30, 100)", 90),
            ("{instance=\"a\", job=\"api\"}", 30),
            ("{instance=\"c\", job=\"api\"}", 80),
            ("{instance=\"b\", job=\"web\"}", 100));
        AssertSeries(Query("clamp_min(http_requests_total{job=\"api\"}, 50)", 90), ("{instance=\"a\", job=\"api\"}", 50), ("{instance=\"c\", job=\"api\"}", 80));
        AssertSeries(Query("clamp_max(http_requests_total{job=\"api\"}, 50)", 90), ("{instance=\"a\", job=\"api\"}", 25), ("{instance=\"c\", job=\"api\"}", 50));
        Assert.Empty(Query("clamp(http_requests_total, 100, 30)", 90));
        AssertSeries(Query("ceil(http_requests_total{instance=\"a\"} / 10)", 90), ("{instance=\"a\", job=\"api\"}", 3));
        AssertSeries(Query("floor(http_requests_total{instance=\"a\"} / 10)", 90), ("{instance=\"a\", job=\"api\"}", 2));
    }

    [Theory]
    [InlineData("round(vector(2.5))", 3)] // half up: floor(2.5 + 0.5)
    [InlineData("round(vector(-2.5))", -2)] // floor(−2.5 + 0.5)
    [InlineData("round(vector(7), 5)", 5)] // floor(7/5 + 0.5) × 5
    public void Round_HalfUpToNearest(string query, double expected)
    {
        AssertSeries(Query(query, 90), ("{}", expected));
    }

    [Fact]
    public void Absent_MissingSelector_ReturnsOneWithEqualityLabels()
    {
        AssertSeries(Query("absent(nonexistent{job=\"x\", instance=~\"y.*\"})", 90), ("{job=\"x\"}", 1));
        Assert.Empty(Query("absent(http_requests_total)", 90));
    }

    [Fact]
    public void Sort_OrdersByValue()
    {
        var ascending = Assert.IsType<InstantVector>(_engine.Instant("sort(http_requests_total)", At(90), "acme"));
        var descending = Assert.IsType<InstantVector>(_engine.Instant("sort_desc(http_requests_total)", At(90), "acme"));

        Assert.Equal([25, 80, 160], ascending.Samples.Select(s => s.Value));
        Assert.Equal([160, 80, 25], descending.Samples.Select(s => s.Value));
    }

    [Fact]
    public void Instant_RangeSelector_ReturnsRawSamplesWithoutStaleMarkers()
    {
        var result = Assert.IsType<RangeMatrix>(_engine.Instant("temperature[1m]", At(60), "acme"));

        Assert.Equal(2, result.Series.Count);
        Assert.Equal([20, 22, 21], result.Series[0].Points.Select(p => p.Value));
        Assert.Equal([30], result.Series[1].Points.Select(p => p.Value)); // the stale marker at 60 s is left out
    }

    [Fact]
    public void Instant_StringLiteral_ReturnsString()
    {
        Assert.Equal("hello", Assert.IsType<StringResult>(_engine.Instant("\"hello\"", At(0), "acme")).Value);
    }

    [Theory]
    [InlineData(0.5, 0.3)] // rank 20 of 40 falls in (0.1, 0.5] holding 20: 0.1 + 0.4 × (20 − 10) / 20
    [InlineData(0.99, 0.98)] // rank 39.6 falls in (0.5, 1] holding 10: 0.5 + 0.5 × (39.6 − 30) / 10
    [InlineData(1, 1)] // rank 40 is reached in le="1": its upper bound
    [InlineData(1.5, double.PositiveInfinity)]
    public void HistogramQuantile_Buckets_InterpolatesWithinBucket(double q, double expected)
    {
        var query = FormattableString.Invariant($"histogram_quantile({q}, request_duration_seconds_bucket)");

        AssertSeries(Query(query, 60), ("{job=\"api\"}", expected));
    }

    [Fact]
    public void HistogramQuantile_OfRates_GivesSameQuantileAsCounts()
    {
        // [0 s, 60 s]: every bucket rises from 0 to its count over exactly 60 s: rates 10/60, 30/60, 40/60, 40/60.
        AssertSeries(Query("histogram_quantile(0.5, sum by (le, job) (rate(request_duration_seconds_bucket[1m])))", 60), ("{job=\"api\"}", 0.3));
    }

    [Fact]
    public void HistogramQuantile_NoInfBucket_IsNaN()
    {
        var result = Query("histogram_quantile(0.5, request_duration_seconds_bucket{le!=\"+Inf\"})", 60);

        Assert.True(double.IsNaN(Assert.Single(result).Value));
    }

    [Fact]
    public void Instant_AllTenantsWithoutEqualLabels_SeesEveryTenant()
    {
        AssertSeries(Query("temperature{job=\"api\"}", 90, tenant: null), ("temperature{instance=\"a\", job=\"api\"}", 21));
    }

    [Fact]
    public void Instant_AllTenantsWithEqualLabelsInTwoTenants_ThrowsUnsupportedNotMergedAnswer()
    {
        var e = Assert.Throws<PromQlUnsupportedException>(() => _engine.Instant("http_requests_total{instance=\"a\"}", At(90), null));

        Assert.Contains("tenants \"acme\" and \"globex\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_ResultsWithSameLabelsAfterNameDropped_Throws()
    {
        // temperature and http_requests_total of instance a both become {instance="a", job="api"}
        var e = Assert.Throws<PromQlEvaluationException>(() => _engine.Instant("abs({__name__=~\"temperature|http_requests_total\", instance=\"a\"})", At(90), "acme"));

        Assert.Contains("vector cannot contain metrics with the same labelset", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("label_replace(temperature{job=\"api\"}, \"host\", \"$1-x\", \"instance\", \"(.*)\")", "temperature{host=\"a-x\", instance=\"a\", job=\"api\"}")]
    [InlineData("label_replace(temperature{job=\"api\"}, \"host\", \"$1x\", \"instance\", \"(.*)\")", "temperature{instance=\"a\", job=\"api\"}")] // Go reads $1x as group "1x": empty, so no label
    [InlineData("label_replace(temperature{job=\"api\"}, \"host\", \"${1}x\", \"instance\", \"(.*)\")", "temperature{host=\"ax\", instance=\"a\", job=\"api\"}")]
    [InlineData("label_replace(temperature{job=\"api\"}, \"job\", \"$$\", \"instance\", \"b\")", "temperature{instance=\"a\", job=\"api\"}")] // no full match: unchanged
    [InlineData("label_replace(temperature{job=\"api\"}, \"job\", \"\", \"instance\", \"a\")", "temperature{instance=\"a\"}")] // empty result removes the label
    public void LabelReplace_GoExpansion_SetsOrRemovesLabelAndKeepsName(string query, string expectedLabels)
    {
        AssertSeries(Query(query, 90), (expectedLabels, 21));
    }

    [Fact]
    public void LabelReplace_NamedGroup_ThrowsUnsupported()
    {
        var e = Assert.Throws<PromQlUnsupportedException>(() => _engine.Instant("label_replace(temperature, \"x\", \"$1\", \"job\", \"(?P<j>.*)\")", At(90), "acme"));

        Assert.Contains("named capture groups", e.Message, StringComparison.Ordinal);
    }
}
