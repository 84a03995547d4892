using OpsConsole.Core.Query.PromQl;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.PromQl.PromQlDataSet;

namespace OpsConsole.Core.Tests.PromQl;

public sealed class PromQlRangeQueryTests
{
    private readonly PromQlEngine _engine = Engine();

    [Fact]
    public void Range_GaugeWithGap_HasPointsOnlyWithinLookback()
    {
        // last sample before the gap at 60 s (21) is visible up to 360 s; the next sample is at 600 s (25).
        var result = _engine.Range("temperature{job=\"api\"}", At(300), At(660), 60_000, "acme");

        var series = Assert.Single(result.Series);
        Assert.Equal("temperature{instance=\"a\", job=\"api\"}", series.Labels.ToString());
        Assert.Equal([new Sample(At(300), 21), new Sample(At(360), 21), new Sample(At(600), 25), new Sample(At(660), 25)], series.Points);
    }

    [Fact]
    public void Range_Rate_EvaluatesAtEveryStepSortedByLabels()
    {
        // step 30 s from 60 s to 90 s, [1m] windows:
        //  60 s, a [0,60]: 0 10 20 30 5 → 5 − 0 + 30 = 35 over exactly 60 s → 35/60;  b: 140 − 100 = 40 → 40/60
        //  90 s, a [30,90]: 35/60 (see the instant test);                              b: 160 − 120 = 40 → 40/60
        var result = _engine.Range("rate(http_requests_total{instance!=\"c\"}[1m])", At(60), At(90), 30_000, "acme");

        Assert.Equal(["{instance=\"a\", job=\"api\"}", "{instance=\"b\", job=\"web\"}"], result.Series.Select(s => s.Labels.ToString()));
        Assert.Equal([35.0 / 60, 35.0 / 60], result.Series[0].Points.Select(p => p.Value));
        Assert.Equal([40.0 / 60, 40.0 / 60], result.Series[1].Points.Select(p => p.Value));
    }

    [Fact]
    public void Range_ScalarExpression_IsOneSeriesWithoutLabels()
    {
        var result = _engine.Range("time() * 2", At(0), At(60), 30_000, "acme");

        var series = Assert.Single(result.Series);
        Assert.Equal(0, series.Labels.Count);
        Assert.Equal([T0 / 500.0, (T0 / 500.0) + 60, (T0 / 500.0) + 120], series.Points.Select(p => p.Value));
    }

    [Fact]
    public void Range_TooManyPoints_ThrowsAskingForLargerStep()
    {
        var e = Assert.Throws<PromQlBadQueryException>(() => _engine.Range("temperature", At(0), At(86_400), 1_000, "acme"));

        Assert.Contains("exceeded maximum resolution of 11,000 points", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_RangeVectorExpression_ThrowsInvalidTypeAsBadQuery()
    {
        var e = Assert.Throws<PromQlBadQueryException>(() => _engine.Range("temperature[1m]", At(0), At(60), 30_000, "acme"));

        Assert.Contains("range vector", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_MoreSamplesThanCap_ThrowsInsteadOfAnswering()
    {
        var engine = Engine(new PromQlOptions { MaxSamples = 10 });

        var e = Assert.Throws<PromQlEvaluationException>(() => engine.Instant("sum(rate(http_requests_total[5m]))", At(90), "acme"));

        Assert.Contains("too many samples", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_Cancelled_StopsWithCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => _engine.Range("rate(http_requests_total[1m])", At(0), At(600), 15_000, "acme", cancelled.Token));
    }

    [Fact]
    public void Query_UnsupportedFunction_ThrowsUnsupportedNotWrongAnswer()
    {
        var e = Assert.Throws<PromQlUnsupportedException>(() => _engine.Instant("label_join(up, \"a\", \",\", \"b\")", At(0), "acme"));

        Assert.Contains("label_join", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-15_000)]
    public void Range_StepNotPositive_ThrowsAskingForPositiveStep(long step)
    {
        var e = Assert.Throws<PromQlBadQueryException>(() => _engine.Range("temperature", At(0), At(60), step, "acme"));

        Assert.Contains("Try a positive integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_StaleMarker_EndsSeriesAtOnce()
    {
        // web's temperature: 30 at 0 s, stale marker at 60 s → points at 0 s and 30 s only (no 5-minute tail).
        var result = _engine.Range("temperature{job=\"web\"}", At(0), At(180), 30_000, "acme");

        Assert.Equal([new Sample(At(0), 30), new Sample(At(30), 30)], Assert.Single(result.Series).Points);
    }
}
