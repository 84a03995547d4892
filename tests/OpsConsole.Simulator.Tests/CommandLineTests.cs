namespace OpsConsole.Simulator.Tests;

/// <summary>The simulator's command line.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Parse_NoArguments_GrpcToLocalhost4317AtTwentyPerSecondWithIncidents()
    {
        var (options, error, _) = DemoCommandLine.Parse([]);

        Assert.Null(error);
        Assert.Equal(new Uri("http://localhost:4317"), options!.OtlpEndpoint);
        Assert.Equal(OtlpProtocol.Grpc, options.OtlpProtocol);
        Assert.Equal(20, options.Rate);
        Assert.Equal(9301, options.MetricsPortBase);
        Assert.True(options.Incidents);
        Assert.Equal(TimeSpan.FromMinutes(10), options.IncidentInterval);
        Assert.Null(options.ApiKey);
    }

    [Fact]
    public void Parse_HttpProtobufWithoutEndpoint_DefaultsToPort4318()
    {
        var (options, _, _) = DemoCommandLine.Parse(["--otlp-protocol", "http/protobuf"]);

        Assert.Equal(OtlpProtocol.HttpProtobuf, options!.OtlpProtocol);
        Assert.Equal(new Uri("http://localhost:4318"), options.OtlpEndpoint);
    }

    [Fact]
    public void Parse_EveryOption_IsTakenAsGiven()
    {
        var (options, error, _) = DemoCommandLine.Parse([
            "--otlp-endpoint", "http://console:4317", "--rate", "7.5", "--api-key", "oc_demo_key", "--metrics-port-base=9400",
            "--incidents", "off", "--incident-interval", "90s", "--diurnal", "off", "--seed", "3",
        ]);

        Assert.Null(error);
        Assert.Equal(new Uri("http://console:4317"), options!.OtlpEndpoint);
        Assert.Equal(7.5, options.Rate);
        Assert.Equal("oc_demo_key", options.ApiKey);
        Assert.Equal(9400, options.MetricsPortBase);
        Assert.False(options.Incidents);
        Assert.Equal(TimeSpan.FromSeconds(90), options.IncidentInterval);
        Assert.False(options.Diurnal);
        Assert.Equal(3, options.Seed);
    }

    [Fact]
    public void Parse_OtlpEndpointNone_SendsNoOtlp()
    {
        var (options, _, _) = DemoCommandLine.Parse(["--otlp-endpoint", "none"]);

        Assert.Null(options!.OtlpEndpoint);
    }

    [Theory]
    [InlineData("--rate", "fast", "--rate")]
    [InlineData("--rate", "0", "Rate")]
    [InlineData("--otlp-protocol", "udp", "grpc or http/protobuf")]
    [InlineData("--incident-interval", "soon", "--incident-interval")]
    [InlineData("--otlp-endpoint", "localhost", "absolute")]
    [InlineData("--colour", "red", "Unknown option '--colour'")]
    public void Parse_BadValue_ExplainsWhatIsWrong(string option, string value, string expected)
    {
        var (options, error, _) = DemoCommandLine.Parse([option, value]);

        Assert.Null(options);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Parse_Help_AsksForTheUsage()
    {
        var (_, _, help) = DemoCommandLine.Parse(["--help"]);

        Assert.True(help);
        Assert.Contains("--otlp-endpoint", DemoCommandLine.Usage);
    }
}
