using System.Globalization;
using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Scrape.Tests.Support;

/// <summary>Writes parsed samples back in exposition notation, so tests compare whole lines.</summary>
public static class Render
{
    public static string Sample(ExposedSample sample) =>
        $"{sample.Labels} {Value(sample.Value)}" + (sample.TimestampMs is { } ts ? $" @{ts.ToString(CultureInfo.InvariantCulture)}" : "");

    public static string[] Samples(ExpositionPage page) => [.. page.Samples.Select(Sample)];

    public static string Value(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
