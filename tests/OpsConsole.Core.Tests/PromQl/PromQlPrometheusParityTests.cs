using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.PromQl;

/// <summary>
/// One test per disagreement with Prometheus 2.42 that the conformance suite (tests/OpsConsole.Conformance.Tests) found;
/// each expected answer is what Prometheus gave on the same data.
/// </summary>
public sealed class PromQlPrometheusParityTests
{
    private static readonly long T0 = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static long At(double seconds) => T0 + (long)(seconds * 1000);

    /// <summary>A store with one sample per series at 0 s (or the given samples), all in tenant "t".</summary>
    private static PromQlEngine Engine(params (string Labels, (double Seconds, double Value)[] Samples)[] series)
    {
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0) + TimeSpan.FromHours(1)));
        foreach (var (labels, samples) in series)
        {
            foreach (var (seconds, value) in samples)
            {
                store.Append("t", Parse(labels), At(seconds), value);
            }
        }

        return new PromQlEngine(store);
    }

    private static (string, (double, double)[]) One(string labels, double value) => (labels, [(0, value)]);

    /// <summary><c>name{a="1",b="2"}</c> → labels.</summary>
    private static LabelSet Parse(string text)
    {
        var brace = text.IndexOf('{');
        var pairs = new List<(string, string)> { ("__name__", brace < 0 ? text : text[..brace]) };
        if (brace >= 0)
        {
            foreach (var pair in text[(brace + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                pairs.Add((pair[..eq].Trim(), pair[(eq + 1)..].Trim().Trim('"')));
            }
        }

        return LabelSet.From([.. pairs]);
    }

    private static List<VectorSample> Instant(PromQlEngine engine, string query, double atSeconds = 0) =>
        [.. Assert.IsType<InstantVector>(engine.Instant(query, At(atSeconds), "t")).Samples];

    [Fact]
    public void Stddev_OfEqualValues_IsExactlyZero()
    {
        // A two-pass mean of 0.1, 0.1, 0.1 is 0.10000000000000002, which left 1.4e-17; Prometheus's running
        // (Welford) variance gives exactly 0.
        var engine = Engine(One("x{i=\"1\"}", 0.1), One("x{i=\"2\"}", 0.1), One("x{i=\"3\"}", 0.1));

        Assert.Equal(0.0, Assert.Single(Instant(engine, "stddev(x)")).Value);
    }

    [Fact]
    public void Avg_OfHugeValues_DoesNotOverflow()
    {
        // sum/count overflows to +Inf; Prometheus's running mean stays at 1e308.
        var engine = Engine(One("x{i=\"1\"}", 1e308), One("x{i=\"2\"}", 1e308));

        Assert.Equal(1e308, Assert.Single(Instant(engine, "avg(x)")).Value);
    }

    [Fact]
    public void Topk_WithTies_KeepsTheSampleThePrometheusHeapKeeps()
    {
        // Input (label order) 4, 4, 5, 4: Prometheus's heap holds a and b, 5 evicts the root (a), so b stays, not a.
        var engine = Engine(One("x{i=\"a\"}", 4), One("x{i=\"b\"}", 4), One("x{i=\"c\"}", 5), One("x{i=\"d\"}", 4));

        var result = Instant(engine, "topk(2, x)");

        Assert.Equal(["x{i=\"c\"}", "x{i=\"b\"}"], result.Select(s => s.Labels.ToString()));
    }

    [Fact]
    public void Bottomk_WithTies_KeepsTheSampleThePrometheusHeapKeeps()
    {
        var engine = Engine(One("x{i=\"a\"}", 4), One("x{i=\"b\"}", 4), One("x{i=\"c\"}", 3), One("x{i=\"d\"}", 4));

        var result = Instant(engine, "bottomk(2, x)");

        Assert.Equal(["x{i=\"c\"}", "x{i=\"b\"}"], result.Select(s => s.Labels.ToString()));
    }

    [Fact]
    public void Topk_NaNParameter_IsAnError()
    {
        var engine = Engine(One("x{i=\"a\"}", 4));

        var e = Assert.Throws<PromQlEvaluationException>(() => engine.Instant("topk(NaN, x)", At(0), "t"));

        Assert.Contains("overflows int64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HistogramQuantile_TwoHistogramsDifferingOnlyByName_AreNotMerged()
    {
        // Prometheus groups buckets by every label but le (the name included): two results that collide once the
        // name is dropped. Merging the buckets answered one wrong quantile instead.
        var engine = Engine(
            One("a_bucket{le=\"1\"}", 1), One("a_bucket{le=\"+Inf\"}", 2),
            One("b_bucket{le=\"1\"}", 5), One("b_bucket{le=\"+Inf\"}", 10));

        var e = Assert.Throws<PromQlEvaluationException>(() => engine.Instant("histogram_quantile(0.5, {__name__=~\"a_bucket|b_bucket\"})", At(0), "t"));

        Assert.Contains("same labelset", e.Message, StringComparison.Ordinal);
        Assert.Equal(0.5, Assert.Single(Instant(engine, "histogram_quantile(0.25, a_bucket)")).Value);
    }

    [Fact]
    public void CountValuesWithout_ItsOwnLabel_RemovesIt()
    {
        // Prometheus sets the value label first and then drops the "without" labels, its own included.
        var engine = Engine(One("x{i=\"a\"}", 4), One("x{i=\"b\"}", 4));

        var result = Instant(engine, "count_values without (v) (\"v\", x)");

        Assert.Equal(["{i=\"a\"}", "{i=\"b\"}"], result.Select(s => s.Labels.ToString()).Order());
    }

    [Fact]
    public void Absent_LaterMatcherOnSameLabel_RemovesTheLabel()
    {
        var engine = Engine(One("x{i=\"a\"}", 4));

        var result = Assert.Single(Instant(engine, "absent(nothing{job=\"x\", job=~\"y\", code=\"1\"})"));

        Assert.Equal("{code=\"1\"}", result.Labels.ToString());
    }

    [Fact]
    public void RangeFunction_SeriesCollidingOnlyAcrossTime_IsAnError()
    {
        // a_total ends before b_total starts; rate() drops the names. Prometheus refuses the whole range query.
        var engine = Engine(
            ("a_total{job=\"j\"}", [(0, 1), (15, 2), (30, 3)]),
            ("b_total{job=\"j\"}", [(600, 1), (615, 2), (630, 3)]));

        var e = Assert.Throws<PromQlEvaluationException>(() => engine.Range("rate({__name__=~\"a_total|b_total\"}[1m])", At(0), At(660), 60_000, "t"));

        Assert.Contains("same labelset", e.Message, StringComparison.Ordinal);
        Assert.Single(Instant(engine, "rate({__name__=~\"a_total|b_total\"}[1m])", 30));
    }

    [Fact]
    public void UnaryMinus_SeriesCollidingOnlyAcrossTime_IsAnError()
    {
        var engine = Engine(("a{job=\"j\"}", [(0, 1)]), ("b{job=\"j\"}", [(600, 1)]));

        Assert.Throws<PromQlEvaluationException>(() => engine.Range("-{__name__=~\"a|b\"}", At(0), At(660), 60_000, "t"));
    }

    [Fact]
    public void GroupBy_IsUnsupportedNotASyntaxError()
    {
        var e = Assert.Throws<PromQlUnsupportedException>(() => PromQlParser.Parse("group by (job) (up)"));

        Assert.Contains("\"group\" is not supported", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SUM BY (job) (x)", "sum by (job) (x)")]
    [InlineData("sum(x) WITHOUT (i)", "sum without (i) (x)")]
    [InlineData("x AND ON(i) x", "x and on(i) x")]
    [InlineData("x OFFSET 5m", "x offset 5m")]
    [InlineData("1 < BOOL 2", "1 < bool 2")]
    [InlineData("Topk(1, x)", "topk(1, x)")]
    public void Keywords_AreCaseInsensitive(string query, string same)
    {
        Assert.Equal(PromQlParser.Parse(same).ToString(), PromQlParser.Parse(query).ToString());
    }

    [Theory]
    [InlineData("\"\\u00e9\\x41\\101\\U0001F600\"", "éAA😀")]
    [InlineData("\"\\xc3\\xa9\"", "é")]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"tab\\there\"", "tab\there")]
    [InlineData("`raw \\d`", "raw \\d")]
    public void Strings_TakeGoEscapes(string literal, string value)
    {
        Assert.Equal(value, Assert.IsType<StringLiteral>(PromQlParser.Parse(literal)).Value);
    }

    [Theory]
    [InlineData("\"\\q\"")]
    [InlineData("\"\\'\"")]
    [InlineData("\"\\xZZ\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\400\"")]
    public void Strings_BadEscapes_AreParseErrors(string literal)
    {
        Assert.Throws<PromQlParseException>(() => PromQlParser.Parse(literal));
    }

    [Theory]
    [InlineData("0755", 493)]
    [InlineData("010", 8)]
    [InlineData("08", 8)]
    [InlineData("0755.5", 755.5)]
    [InlineData("0x1F", 31)]
    public void Numbers_LeadingZeroIsOctalAsInPrometheus(string literal, double value)
    {
        Assert.Equal(value, Assert.IsType<NumberLiteral>(PromQlParser.Parse(literal)).Value);
    }

    [Fact]
    public void Numbers_TooLargeForADouble_AreParseErrors()
    {
        var e = Assert.Throws<PromQlParseException>(() => PromQlParser.Parse("1e400"));

        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionNames_AreCaseSensitive()
    {
        var e = Assert.Throws<PromQlParseException>(() => PromQlParser.Parse("RATE(x[5m])"));

        Assert.Contains("unknown function \"RATE\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Atan2_IsUnsupportedNotASyntaxError()
    {
        Assert.Throws<PromQlUnsupportedException>(() => PromQlParser.Parse("x atan2 x offset 5m"));
    }

    [Fact]
    public void RangeQueryOfAString_IsABadQuery()
    {
        var engine = Engine(One("x", 1));

        Assert.Throws<PromQlBadQueryException>(() => engine.Range("\"text\"", At(0), At(60), 15_000, "t"));
    }

    [Theory]
    [InlineData(1e-7, "0.0000001", "1e-07")]
    [InlineData(-1.5e-9, "-0.0000000015", "-1.5e-09")]
    [InlineData(1.266666666666667e-07, "0.0000001266666666666667", "1.266666666666667e-07")]
    [InlineData(0.000001, "0.000001", "0.000001")]
    [InlineData(4.85e20, "485000000000000000000", "485000000000000000000")]
    [InlineData(1e21, "1000000000000000000000", "1e+21")]
    [InlineData(1.2345678901234568e29, "123456789012345680000000000000", "1.2345678901234568e+29")]
    [InlineData(123.45, "123.45", "123.45")]
    [InlineData(0.0, "0", "0")]
    [InlineData(-2.5, "-2.5", "-2.5")]
    [InlineData(double.NaN, "NaN", "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf", "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf", "-Inf")]
    public void Format_WritesNumbersAsPrometheus(double value, string scalar, string sample)
    {
        Assert.Equal(scalar, PromQlFormat.Decimal(value));
        Assert.Equal(sample, PromQlFormat.SampleValue(value));
    }
}
