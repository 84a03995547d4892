using OpsConsole.Web.Dashboards;

namespace OpsConsole.Web.Tests.Dashboards;

public sealed class DashboardRangeTests
{
    [Theory]
    [InlineData("now-5m", "now", "Last 5 minutes")]
    [InlineData("now-6h", null, "Last 6 hours")]
    [InlineData("now-24h", "now", "Last 24 hours")]
    [InlineData("now-7d", "now", "Last 7 days")]
    [InlineData("1800000000000", "1800003600000", "Jan 15 08:00:00 – Jan 15 09:00:00 UTC")]
    public void TryParse_ValidRanges_AreDescribedForPeople(string from, string? to, string described)
    {
        var range = DashboardRange.TryParse(from, to, out var error);

        Assert.Null(error);
        Assert.Equal(described, range!.Describe());
        Assert.Equal(from.StartsWith("now", StringComparison.Ordinal), range.IsRelative);
    }

    [Theory]
    [InlineData(null, "now", "the range has no start")]
    [InlineData("yesterday", "now", "from 'yesterday' is neither now-<duration>")]
    [InlineData("now-1h", "1800000000000", "a relative start (now-1h) needs to=now")]
    [InlineData("1800003600000", "1800000000000", "the range ends before it starts")]
    [InlineData("1800000000000", "soon", "to 'soon' must be a time in Unix milliseconds")]
    [InlineData("now-90d", "now", "now-90d is longer than the longest range, 31 days")]
    public void TryParse_BadRanges_SayWhy(string? from, string to, string expected)
    {
        Assert.Null(DashboardRange.TryParse(from, to, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_OfAnAbsoluteRange_IsExactlyThatRange()
    {
        var w = DashboardRange.Absolute(1_800_000_000_000, 1_800_000_600_000).Window(nowMs: 1_900_000_000_000);

        Assert.Equal((1_800_000_000_000, 1_800_000_600_000), (w.FromMs, w.ToMs));
        Assert.Equal(15_000, w.StepMs);
    }
}
