using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Domain.Tests.Telemetry;

public sealed class LabelMatcherTests
{
    public static TheoryData<LabelMatchType, string, string?, bool> Cases => new()
    {
        { LabelMatchType.Equal, "api", "api", true },
        { LabelMatchType.Equal, "api", "API", false },
        { LabelMatchType.Equal, "", null, true },
        { LabelMatchType.NotEqual, "api", "web", true },
        { LabelMatchType.NotEqual, "api", null, true },
        { LabelMatchType.NotEqual, "", null, false },
        { LabelMatchType.Regex, "api", "api-gateway", false },
        { LabelMatchType.Regex, "api.*", "api-gateway", true },
        { LabelMatchType.Regex, "gateway", "api-gateway", false },
        { LabelMatchType.Regex, "a|b", "a", true },
        { LabelMatchType.Regex, "a|b", "ab", false },
        { LabelMatchType.Regex, ".*", null, true },
        { LabelMatchType.Regex, ".+", null, false },
        { LabelMatchType.Regex, "line.*", "line1\nline2", true },
        { LabelMatchType.NotRegex, "5..", "500", false },
        { LabelMatchType.NotRegex, "5..", "200", true },
        { LabelMatchType.NotRegex, "5..", null, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_Value_FollowsPrometheusSemantics(LabelMatchType type, string pattern, string? value, bool expected)
    {
        // Arrange
        var matcher = LabelMatcher.Create("job", type, pattern);

        // Act
        var matches = matcher.Matches(value);

        // Assert
        Assert.Equal(expected, matches);
    }

    [Fact]
    public void Matches_LabelSetWithoutTheLabel_TreatedAsEmptyValue()
    {
        // Arrange
        var labels = LabelSet.From(("__name__", "up"));

        // Act
        var absentEqualsEmpty = LabelMatcher.Equal("job", "").Matches(labels);
        var absentNotEqualsValue = LabelMatcher.NotEqual("job", "api").Matches(labels);
        var absentNotRegexAnything = LabelMatcher.Regex("job", ".+").Matches(labels);

        // Assert
        Assert.True(absentEqualsEmpty);
        Assert.True(absentNotEqualsValue);
        Assert.False(absentNotRegexAnything);
    }

    [Theory]
    [InlineData("(unclosed")]
    [InlineData("(a)\\1")]
    [InlineData("(?=x)")]
    public void Create_InvalidOrUnsupportedRegex_ThrowsArgumentExceptionNamingThePattern(string pattern)
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => LabelMatcher.Regex("job", pattern));

        // Assert
        Assert.Contains(pattern, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_PrometheusNotation()
    {
        // Act
        var text = LabelMatcher.NotRegex("path", "/v1/\"x\"").ToString();

        // Assert
        Assert.Equal("path!~\"/v1/\\\"x\\\"\"", text);
    }
}
