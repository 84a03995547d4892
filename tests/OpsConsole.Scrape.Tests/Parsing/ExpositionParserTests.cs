using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Scrape.Tests.Support;

namespace OpsConsole.Scrape.Tests.Parsing;

public sealed class ExpositionParserTests
{
    public static TheoryData<string, string[]> ValidPages => new()
    {
        { "metric_without_labels 12.47", ["metric_without_labels 12.47"] },
        { "metric_without_labels 12.47\n", ["metric_without_labels 12.47"] },
        {
            "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000",
            ["http_requests_total{code=\"200\", method=\"post\"} 1027 @1395066363000"]
        },
        { "negative_timestamp 1 -1000", ["negative_timestamp 1 @-1000"] },
        { "with_colons:rate5m 3", ["with_colons:rate5m 3"] },
        { "_leading_underscore 3", ["_leading_underscore 3"] },
        // Special values in every spelling Prometheus accepts, and scientific notation.
        {
            "a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf +inf\ng 1e-3\nh -1.5E+10\ni .5\nj 1.458255915e9\nk -0\nl 0x",
            // 'l 0x' is malformed; every other line parses.
            ["a NaN", "b +Inf", "c -Inf", "d +Inf", "e NaN", "f +Inf", "g 0.001", "h -15000000000", "i 0.5", "j 1458255915", "k -0"]
        },
        // Trailing comma, empty braces, blanks and tabs between tokens.
        {
            "x{a=\"1\",} 1\ny { a = \"1\" , b=\"2\" }\t2\nz{} 3\n   indented 4   \n",
            ["x{a=\"1\"} 1", "y{a=\"1\", b=\"2\"} 2", "z 3", "indented 4"]
        },
        // Empty lines, comments, and a comment that only looks like HELP.
        {
            "\n# just a comment\n#\n   \n# HELPFUL text\nm 1\n\n",
            ["m 1"]
        },
        // Windows line endings.
        { "a 1\r\nb{c=\"d\"} 2\r\n", ["a 1", "b{c=\"d\"} 2"] },
        // An empty label value is the same as no label (Prometheus's model).
        { "m{a=\"\",b=\"x\"} 1", ["m{b=\"x\"} 1"] },
        // UTF-8 label values.
        { "m{city=\"Zürich\",emoji=\"🚀\"} 1", ["m{city=\"Zürich\", emoji=\"🚀\"} 1"] },
        // A byte-order mark at the start is skipped.
        { "\uFEFFbom 1", ["bom 1"] },
    };

    [Theory]
    [MemberData(nameof(ValidPages))]
    public void Parse_ValidPage_GivesExactlyTheExpectedSamples(string page, string[] expected)
    {
        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Equal(expected, Render.Samples(parsed));
    }

    [Fact]
    public void Parse_LabelValueEscapes_AreDecoded()
    {
        // Arrange
        const string page = """msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9""";

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Empty(parsed.Errors);
        var labels = Assert.Single(parsed.Samples).Labels;
        Assert.Equal(@"C:\DIR\FILE.TXT", labels.Get("path"));
        Assert.Equal("Cannot find file:\n\"FILE.TXT\"", labels.Get("error"));
    }

    [Fact]
    public void Parse_HelpEscapes_AreDecodedAndOtherBackslashesKept()
    {
        // Arrange
        const string page = """
            # HELP h First line\nsecond line with a \\ backslash and a \" quote
            # TYPE h gauge
            h 1
            """;

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Empty(parsed.Errors);
        var metadata = Assert.Single(parsed.Metadata);
        Assert.Equal(new MetricMetadata("h", MetricType.Gauge, "First line\nsecond line with a \\ backslash and a \\\" quote", null), metadata);
    }

    [Fact]
    public void Parse_Histogram_AttributesBucketsSumAndCountToTheFamily()
    {
        // Arrange
        const string page = """
            # HELP http_request_duration_seconds A histogram of the request duration.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="0.1"} 33444
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            """;

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.Equal(
            [
                "http_request_duration_seconds_bucket{le=\"0.05\"} 24054",
                "http_request_duration_seconds_bucket{le=\"0.1\"} 33444",
                "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320",
                "http_request_duration_seconds_sum 53423",
                "http_request_duration_seconds_count 144320",
            ],
            Render.Samples(parsed));
        Assert.All(parsed.Samples, s => Assert.Equal(("http_request_duration_seconds", MetricType.Histogram), (s.Family, s.Type)));
        Assert.Equal(
            new MetricMetadata("http_request_duration_seconds", MetricType.Histogram, "A histogram of the request duration.", null),
            Assert.Single(parsed.Metadata));
    }

    [Fact]
    public void Parse_Summary_AttributesQuantilesSumAndCountToTheFamily()
    {
        // Arrange
        const string page = """
            # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.01"} 3102
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds{quantile="0.99"} NaN
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            """;

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.Equal(
            [
                "rpc_duration_seconds{quantile=\"0.01\"} 3102",
                "rpc_duration_seconds{quantile=\"0.5\"} 4773",
                "rpc_duration_seconds{quantile=\"0.99\"} NaN",
                "rpc_duration_seconds_sum 17560473",
                "rpc_duration_seconds_count 2693",
            ],
            Render.Samples(parsed));
        Assert.All(parsed.Samples, s => Assert.Equal(("rpc_duration_seconds", MetricType.Summary), (s.Family, s.Type)));
        Assert.Equal(MetricType.Summary, Assert.Single(parsed.Metadata).Type);
    }

    [Fact]
    public void Parse_UntypedAndUndeclaredMetrics_AreUnknownAndOnlyDeclaredOnesHaveMetadata()
    {
        // Arrange
        const string page = """
            # TYPE declared untyped
            declared 1
            undeclared 2
            undeclared_bucket{le="1"} 3
            """;

        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.All(parsed.Samples, s => Assert.Equal(MetricType.Unknown, s.Type));
        Assert.Equal(["declared", "undeclared", "undeclared_bucket"], parsed.Samples.Select(s => s.Family));
        Assert.Equal(new MetricMetadata("declared", MetricType.Unknown, null, null), Assert.Single(parsed.Metadata));
    }

    [Theory]
    [InlineData("# TYPE m counter\n# HELP m Help after type.\nm 1")]
    [InlineData("# HELP m Help after type.\n# TYPE m counter\nm 1")]
    public void Parse_HelpAndTypeInEitherOrder_GiveTheSameMetadata(string page)
    {
        // Act
        var parsed = ExpositionParser.ParseText(page);

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.Equal(new MetricMetadata("m", MetricType.Counter, "Help after type.", null), Assert.Single(parsed.Metadata));
        Assert.Equal(MetricType.Counter, Assert.Single(parsed.Samples).Type);
    }

    [Fact]
    public void Parse_HelpWithoutType_IsMetadataOfAnUnknownMetricAndEmptyHelpIsEmpty()
    {
        // Act
        var parsed = ExpositionParser.ParseText("# HELP only_help Just help.\n# HELP empty_help\nonly_help 1\n");

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.Equal(
            [new MetricMetadata("only_help", MetricType.Unknown, "Just help.", null), new MetricMetadata("empty_help", MetricType.Unknown, "", null)],
            parsed.Metadata);
    }

    [Fact]
    public void Parse_MetadataOfSeveralFamilies_IsInPageOrder()
    {
        // Act
        var parsed = ExpositionParser.ParseText("# TYPE b gauge\nb 1\n# TYPE a counter\na 2\n# TYPE c summary\n");

        // Assert
        Assert.Equal(["b", "a", "c"], parsed.Metadata.Select(m => m.Name));
        Assert.Equal([MetricType.Gauge, MetricType.Counter, MetricType.Summary], parsed.Metadata.Select(m => m.Type));
    }

    [Fact]
    public void Parse_OpenMetrics_ReadsUnitsSecondsTimestampsSuffixesAndDropsCreatedSeries()
    {
        // Arrange
        const string page = """
            # TYPE requests counter
            # UNIT requests requests
            # HELP requests Requests served.
            requests_total{path="/"} 10 1520879607.789
            requests_created{path="/"} 1520430000.123
            # TYPE latency_seconds histogram
            # UNIT latency_seconds seconds
            latency_seconds_bucket{le="0.5"} 3 # {trace_id="abc"} 0.3 1520879607.5
            latency_seconds_bucket{le="+Inf"} 4
            latency_seconds_sum 1.5
            latency_seconds_count 4
            latency_seconds_created 1520430000
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE queue gaugehistogram
            queue_bucket{le="+Inf"} 7
            queue_gcount 7
            queue_gsum 30
            # EOF

            """;

        // Act
        var parsed = ExpositionParser.ParseText(page, ExpositionFormat.OpenMetrics);

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.Equal(
            [
                "requests_total{path=\"/\"} 10 @1520879607789",
                "latency_seconds_bucket{le=\"0.5\"} 3",
                "latency_seconds_bucket{le=\"+Inf\"} 4",
                "latency_seconds_sum 1.5",
                "latency_seconds_count 4",
                "build_info{version=\"1.2\"} 1",
                "queue_bucket{le=\"+Inf\"} 7",
                "queue_gcount 7",
                "queue_gsum 30",
            ],
            Render.Samples(parsed));
        Assert.Equal(
            [
                new MetricMetadata("requests", MetricType.Counter, "Requests served.", "requests"),
                new MetricMetadata("latency_seconds", MetricType.Histogram, null, "seconds"),
                new MetricMetadata("build", MetricType.Info, null, null),
                new MetricMetadata("queue", MetricType.GaugeHistogram, null, null),
            ],
            parsed.Metadata);
        Assert.Equal(
            ["requests", "latency_seconds", "latency_seconds", "latency_seconds", "latency_seconds", "build", "queue", "queue", "queue"],
            parsed.Samples.Select(s => s.Family));
    }

    [Fact]
    public void Parse_OpenMetricsWithKeepCreatedSeries_KeepsThem()
    {
        // Arrange
        var parser = new ExpositionParser { KeepCreatedSeries = true };

        // Act
        var parsed = parser.Parse("# TYPE c counter\nc_total 1\nc_created 1520430000\n# EOF\n", ExpositionFormat.OpenMetrics);

        // Assert
        Assert.Equal(["c_total 1", "c_created 1520430000"], Render.Samples(parsed));
        Assert.All(parsed.Samples, s => Assert.Equal(MetricType.Counter, s.Type));
    }

    [Fact]
    public void Parse_CreatedSeriesInTheTextFormat_AreOrdinarySamplesOfTheirOwnFamily()
    {
        // client_python writes _created series into the 0.0.4 format as their own gauges.
        // Act
        var parsed = ExpositionParser.ParseText("# TYPE c_total counter\nc_total 1\n# TYPE c_created gauge\nc_created 1520430000\n");

        // Assert
        Assert.Equal(["c_total 1", "c_created 1520430000"], Render.Samples(parsed));
        Assert.Equal([MetricType.Counter, MetricType.Gauge], parsed.Samples.Select(s => s.Type));
    }

    [Fact]
    public void Parse_WithTargetLabels_TargetWinsAndConflictingLabelsAreExported()
    {
        // Arrange
        var target = LabelSet.From(("job", "rag-service"), ("instance", "10.0.0.7:9101"), ("env", "prod"));
        const string page = """
            plain 1
            clash{job="batch",instance="worker-3"} 2
            double_clash{job="a",exported_job="b"} 3
            empty_clash{job=""} 4
            """;

        // Act
        var parsed = new ExpositionParser().Parse(page, targetLabels: target);

        // Assert
        Assert.Empty(parsed.Errors);
        Assert.Equal(
            [
                "plain{env=\"prod\", instance=\"10.0.0.7:9101\", job=\"rag-service\"} 1",
                "clash{env=\"prod\", exported_instance=\"worker-3\", exported_job=\"batch\", instance=\"10.0.0.7:9101\", job=\"rag-service\"} 2",
                "double_clash{env=\"prod\", exported_exported_job=\"a\", exported_job=\"b\", instance=\"10.0.0.7:9101\", job=\"rag-service\"} 3",
                "empty_clash{env=\"prod\", instance=\"10.0.0.7:9101\", job=\"rag-service\"} 4",
            ],
            Render.Samples(parsed));
    }

    [Fact]
    public void Parse_MultiSegmentSequence_GivesTheSameAsOneSpan()
    {
        // Arrange
        const string page = "# TYPE m counter\nm{a=\"x\"} 1 1000\nm{a=\"y\"} 2\nbad line here\n";
        var bytes = System.Text.Encoding.UTF8.GetBytes(page);
        var sequence = Segments.Of(bytes, 5);

        // Act
        var fromSequence = new ExpositionParser().Parse(sequence);
        var fromSpan = new ExpositionParser().Parse(bytes.AsSpan());

        // Assert
        Assert.False(sequence.IsSingleSegment);
        Assert.Equal(Render.Samples(fromSpan), Render.Samples(fromSequence));
        Assert.Equal(fromSpan.Errors, fromSequence.Errors);
        Assert.Equal(fromSpan.Metadata, fromSequence.Metadata);
    }

    [Fact]
    public void Parse_SameParserTwice_ReusesNamesAndForgetsThePreviousPage()
    {
        // Arrange
        var parser = new ExpositionParser();
        var first = parser.Parse("# TYPE m gauge\nm{a=\"x\"} 1\nbroken\n");

        // Act
        var second = parser.Parse("m{a=\"x\"} 2\n");

        // Assert
        Assert.Single(first.Errors);
        Assert.Empty(second.Errors);
        Assert.Empty(second.Metadata);
        Assert.Equal(MetricType.Unknown, Assert.Single(second.Samples).Type);
        Assert.Same(first.Samples[0].Labels.Get("a"), second.Samples[0].Labels.Get("a"));
    }

    [Fact]
    public void Parse_EveryTruncationOfAPage_NeverThrows()
    {
        // Arrange
        const string page = """
            # HELP h Help with \\ and \n.
            # TYPE h histogram
            h_bucket{le="0.1",path="C:\\x\"y\n"} 1 1000
            h_bucket{le="+Inf",} 2
            h_sum 3e-2
            h_count 2
            # EOF

            """;
        var bytes = System.Text.Encoding.UTF8.GetBytes(page);

        // Act + Assert: every prefix (cut in the middle of any token) parses without an exception.
        for (var length = 0; length <= bytes.Length; length++)
        {
            foreach (var format in new[] { ExpositionFormat.PrometheusText, ExpositionFormat.OpenMetrics })
            {
                var parsed = new ExpositionParser().Parse(bytes.AsSpan(0, length), format);
                Assert.True(parsed.Samples.Count <= 4);
            }
        }
    }
}
