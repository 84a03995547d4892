using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Scrape.Tests.Targets;

public sealed class PrometheusDurationTests
{
    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d2h", 93_600_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("0s", 0)]
    [InlineData(" 10s ", 10_000)]
    [InlineData("00:00:15", 15_000)]
    [InlineData("01:30:00", 5_400_000)]
    public void TryParse_PrometheusAndTimeSpanNotation_GivesTheDuration(string text, long milliseconds)
    {
        // Act
        var ok = PrometheusDuration.TryParse(text, out var duration);

        // Assert
        Assert.True(ok);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("s")]
    [InlineData("1.5s")]
    [InlineData("30s1m")]
    [InlineData("1m1m")]
    [InlineData("-5s")]
    [InlineData("5 s")]
    [InlineData("5sec")]
    [InlineData("99999999999999y")]
    public void TryParse_NotADuration_IsFalse(string? text)
    {
        // Act
        var ok = PrometheusDuration.TryParse(text, out _);

        // Assert
        Assert.False(ok);
    }

    [Theory]
    [InlineData(15_000, "15s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(250, "250ms")]
    [InlineData(3_600_000, "1h")]
    [InlineData(93_600_000, "1d2h")]
    [InlineData(0, "0s")]
    public void Format_Duration_IsTheShortestPrometheusNotation(long milliseconds, string expected)
    {
        // Act
        var text = PrometheusDuration.Format(TimeSpan.FromMilliseconds(milliseconds));

        // Assert
        Assert.Equal(expected, text);
    }
}
