using OpsConsole.Ingest.Prometheus;
using OpsConsole.Scrape.Tests.Support;

namespace OpsConsole.Scrape.Tests.Parsing;

public sealed class ExpositionParserErrorTests
{
    public static TheoryData<string, string> MalformedLines => new()
    {
        { "missing_value", "missing value for missing_value" },
        { "missing_value_after_labels{a=\"b\"}", "missing value for missing_value_after_labels" },
        { "bad_number{a=\"b\"} 12x", "invalid value '12x' for bad_number" },
        { "bad_number 1,5", "invalid value '1,5' for bad_number" },
        { "bad_number Infinite", "invalid value 'Infinite' for bad_number" },
        { "unterminated{a=\"b} 1", "unterminated value of label a (missing closing '\"')" },
        { "bad_escape{a=\"x\\qy\"} 1", "invalid escape sequence '\\q' in the value of label a" },
        { "1starts_with_digit 1", "invalid metric name '1starts_with_digit'" },
        { "bad-name 1", "invalid character '-' in metric name 'bad-name'" },
        { "m{1a=\"b\"} 1", "invalid label name at '1a=\"b\"} 1'" },
        { "m{a-b=\"c\"} 1", "invalid character '-' in label name 'a'" },
        { "m{a:b=\"c\"} 1", "invalid character ':' in label name 'a'" },
        { "m{a=\"1\",a=\"2\"} 1", "duplicate label name a" },
        { "m{__name__=\"other\"} 1", "duplicate label name __name__" },
        { "m{a=\"1\" b=\"2\"} 1", "expected ',' or '}' after the value of label a, found 'b'" },
        { "m{a=\"1\"", "label set without a closing '}'" },
        { "m{a=\"1\",", "label set without a closing '}'" },
        { "m{,} 1", "invalid label name at ',} 1'" },
        { "m{a=1} 1", "expected '\"' to start the value of label a" },
        { "m{a} 1", "expected '=' after label name a" },
        { "m{\"quoted\"=\"x\"} 1", "quoted (UTF-8) label names are not supported" },
        { "{a=\"1\"} 1", "metric name expected before '{' (quoted UTF-8 metric names are not supported)" },
        { "m 1 soon", "invalid timestamp 'soon' for m" },
        { "m 1 1.5", "invalid timestamp '1.5' for m" },
        { "m 1 1000 extra", "unexpected text 'extra' after the timestamp of m" },
        { "# TYPE m bogus", "unknown metric type 'bogus' for m" },
        { "# TYPE m", "TYPE line for m without a type" },
        { "# TYPE m counter extra", "unexpected text after the type of m" },
        { "# TYPE 1m counter", "TYPE line with an invalid metric name '1m'" },
        { "# HELP", "HELP line without a metric name" },
        { "# HELP bad-name text", "HELP line with an invalid metric name 'bad-name'" },
        { "m{a.b=\"c\"} 1", "invalid character '.' in label name 'a'" },
        { "m{a}", "expected '=' after label name a" },
    };

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void Parse_MalformedLine_IsReportedWithItsLineNumberAndTheOtherLinesStillParse(string line, string message)
    {
        // Arrange
        var page = $"before 1\n{line}\nafter{{a=\"b\"}} 2\n";

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Equal([new ExpositionError(2, message)], parsed.Errors);
        Assert.Equal(1, parsed.ErrorCount);
        Assert.Equal(["before 1", "after{a=\"b\"} 2"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_InvalidUtf8InALabelValue_IsReported()
    {
        // Arrange
        byte[] page = [.. "ok 1\nm{a=\""u8, 0xC3, 0x28, .. "\"} 1\n"u8];

        // Act
        var parsed = new ExpositionParser().Parse(page.AsSpan());

        // Assert
        Assert.Equal([new ExpositionError(2, "the value of label a is not valid UTF-8")], parsed.Errors);
        Assert.Equal(["ok 1"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_DuplicateSeries_KeepsTheFirstAndReportsTheSecond()
    {
        // Act
        var parsed = ExpositionParser.ParseText("m{a=\"1\",b=\"2\"} 1\nm{b=\"2\",a=\"1\"} 2\nm{a=\"1\",b=\"2\"} 3 1000\n");

        // Assert
        Assert.Equal([new ExpositionError(2, "duplicate series m{a=\"1\", b=\"2\"} (first on line 1)")], parsed.Errors);
        Assert.Equal(["m{a=\"1\", b=\"2\"} 1", "m{a=\"1\", b=\"2\"} 3 @1000"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_SecondTypeAndHelpAndTypeAfterSamples_AreReportedAndTheFirstDeclarationKept()
    {
        // Arrange
        const string page = """
            # TYPE m counter
            # TYPE m gauge
            # HELP m First.
            # HELP m Second.
            m 1
            late 2
            # TYPE late gauge
            """;

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Equal(
            [
                new ExpositionError(2, "second TYPE line for metric m"),
                new ExpositionError(4, "second HELP line for metric m"),
                new ExpositionError(7, "TYPE line for late after its samples"),
            ],
            parsed.Errors);
        Assert.Equal(["m 1", "late 2"], Render.Samples(parsed));
        Assert.Equal(new Domain.Telemetry.MetricMetadata("m", Domain.Telemetry.MetricType.Counter, "First.", null), Assert.Single(parsed.Metadata));
    }

    [Fact]
    public void Parse_HistogramBucketWithoutLeAndSummaryWithoutQuantile_AreReported()
    {
        // Arrange
        const string page = """
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{path="/"} 2
            h_bucket{le="half"} 3
            h_count 3
            # TYPE s summary
            s{quantile="0.5"} 1
            s 2
            s_sum 3
            """;

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Equal(
            [
                new ExpositionError(3, "histogram bucket h_bucket without a valid le label"),
                new ExpositionError(4, "histogram bucket h_bucket without a valid le label"),
                new ExpositionError(8, "summary quantile s without a valid quantile label"),
            ],
            parsed.Errors);
        Assert.Equal(["h_bucket{le=\"0.5\"} 1", "h_count 3", "s{quantile=\"0.5\"} 1", "s_sum 3"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_OpenMetricsWithoutEof_ReportsItAfterTheLastLineAndKeepsTheSamples()
    {
        // Act
        var parsed = ExpositionParser.ParseText("a 1\nb 2\n", ExpositionFormat.OpenMetrics);

        // Assert
        Assert.Equal([new ExpositionError(3, "the OpenMetrics page does not end with # EOF")], parsed.Errors);
        Assert.Equal(["a 1", "b 2"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_OpenMetricsTextAfterEof_IsReportedOnceAndIgnored()
    {
        // Act
        var parsed = ExpositionParser.ParseText("a 1\n# EOF\nb 2\nc 3\n", ExpositionFormat.OpenMetrics);

        // Assert
        Assert.Equal([new ExpositionError(3, "text after # EOF")], parsed.Errors);
        Assert.Equal(["a 1"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_TextFormatTypesThatOnlyOpenMetricsKnows_AreReported()
    {
        // Act
        var parsed = ExpositionParser.ParseText("# TYPE i info\n# TYPE u unknown\n");

        // Assert
        Assert.Equal(
            [new ExpositionError(1, "unknown metric type 'info' for i"), new ExpositionError(2, "unknown metric type 'unknown' for u")],
            parsed.Errors);
    }

    [Fact]
    public void Parse_ManyBadLines_CountsThemAllButKeepsTheFirstHundred()
    {
        // Arrange
        var page = string.Concat(Enumerable.Range(0, 150).Select(i => $"bad{i}\n")) + "good 1\n";

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Equal(150, parsed.ErrorCount);
        Assert.Equal(ExpositionParser.MaxErrorsRecorded, parsed.Errors.Count);
        Assert.Equal(new ExpositionError(1, "missing value for bad0"), parsed.Errors[0]);
        Assert.Equal(["good 1"], Render.Samples(parsed));
    }

    [Fact]
    public void Parse_LongGarbageLine_ShowsAShortPrintableExcerpt()
    {
        // Arrange
        var page = "m{a=\"b\"} " + new string('x', 500) + "\u0001";

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        var error = Assert.Single(parsed.Errors);
        Assert.Equal($"invalid value '{new string('x', 40)}...' for m", error.Message);
    }
}
