using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Traces;

public sealed class TagFilterAndDurationTests
{
    private static Span With(params (string Key, AttributeValue Value)[] attributes) => new()
    {
        TenantId = "t", TraceId = new TraceId(1, 1), SpanId = new SpanId(1), Name = "n", StartTimeUnixNano = 1, EndTimeUnixNano = 2,
        Attributes = [.. attributes.Select(a => new Domain.Telemetry.Attribute(a.Key, a.Value))],
    };

    [Theory]
    [InlineData("order.id=ord-12*", "ord-1234", true)]
    [InlineData("order.id=ord-12*", "xord-1234", false)]
    [InlineData("order.id=*34", "ord-1234", true)]
    [InlineData("order.id=ord*3*", "ord-1234", true)]
    [InlineData("order.id=ord.1*", "ord-1234", false)] // '.' is literal in a wildcard
    [InlineData("order.id=~ord.1.*", "ord-1234", true)]
    [InlineData("order.id=~12", "ord-1234", false)] // regexes are anchored at both ends
    [InlineData("order.id=ord-1234", "ord-1234", true)]
    [InlineData("order.id", "anything", true)]
    [InlineData("missing", "anything", false)]
    public void Parse_EachForm_MatchesAsDocumented(string filter, string value, bool matches) =>
        Assert.Equal(matches, TagFilter.Parse(filter).Matches(With(("order.id", AttributeValue.Of(value)))));

    [Fact]
    public void Parse_NonStringValues_ComparedAsText() =>
        Assert.True(TagFilter.Parse("http.status_code=5*").Matches(With(("http.status_code", AttributeValue.Of(503L)))));

    [Theory]
    [InlineData("key=~(unclosed", "not a valid regular expression")]
    [InlineData("=value", "no attribute key")]
    public void Parse_BadInput_ThrowsAMessageNamingTheProblem(string filter, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => TagFilter.Parse(filter)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("250ms", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1.5s", 1500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("2m", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1h", TimeSpan.TicksPerHour)]
    [InlineData("7d", 7 * TimeSpan.TicksPerDay)]
    [InlineData("800us", 8000)]
    [InlineData("120", 120 * TimeSpan.TicksPerMillisecond)]
    [InlineData(" 3 s ", 3 * TimeSpan.TicksPerSecond)]
    public void Duration_WithUnits_Parses(string text, long ticks)
    {
        Assert.True(TraceDuration.TryParse(text, out var d));
        Assert.Equal(ticks, d.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-5ms")]
    [InlineData("5 parsecs")]
    [InlineData("1e400s")]
    [InlineData("ms")]
    public void Duration_Malformed_IsRefused(string text) => Assert.False(TraceDuration.TryParse(text, out _));

    [Theory]
    [InlineData(250 * TimeSpan.TicksPerMillisecond, "250ms")]
    [InlineData(1500 * TimeSpan.TicksPerMillisecond, "1.5s")]
    [InlineData(TimeSpan.TicksPerHour, "1h")]
    public void Duration_Format_RoundTrips(long ticks, string text)
    {
        Assert.Equal(text, TraceDuration.Format(TimeSpan.FromTicks(ticks)));
        Assert.True(TraceDuration.TryParse(text, out var back));
        Assert.Equal(ticks, back.Ticks);
    }
}
