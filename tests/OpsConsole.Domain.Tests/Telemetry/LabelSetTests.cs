using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Domain.Tests.Telemetry;

public sealed class LabelSetTests
{
    [Fact]
    public void From_AnyOrder_SortedByNameWithTheSameFingerprint()
    {
        var a = LabelSet.From(("service", "api"), ("__name__", "up"), ("job", "x"));
        var b = LabelSet.From(("job", "x"), ("service", "api"), ("__name__", "up"));

        Assert.Equal(["__name__", "job", "service"], a.Labels.Select(l => l.Key));
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Equal(a, b);
        Assert.Equal("up", a.Name);
    }

    [Fact]
    public void From_DuplicateNames_LastOneWins()
    {
        var set = LabelSet.From(("job", "first"), ("a", "1"), ("job", "second"));

        Assert.Equal("second", set.Get("job"));
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void From_EmptyValues_AreDroppedLikePrometheus()
    {
        var set = LabelSet.From(("job", "x"), ("instance", ""));

        Assert.Null(set.Get("instance"));
        Assert.Equal(LabelSet.From(("job", "x")), set);
    }

    [Theory]
    [InlineData("a", "bc", "ab", "c")]
    [InlineData("job", "x", "job", "y")]
    [InlineData("job", "x", "jobs", "x")]
    public void Fingerprint_DifferentSets_Differ(string n1, string v1, string n2, string v2)
    {
        var first = LabelSet.From((n1, v1));
        var second = LabelSet.From((n2, v2));

        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void WithAndWithout_ReturnNewSetsAndLeaveTheOriginal()
    {
        var set = LabelSet.From(("__name__", "http_requests_total"), ("status", "200"));

        var changed = set.With("status", "500").Without("__name__");

        Assert.Equal("200", set.Get("status"));
        Assert.Equal(LabelSet.From(("status", "500")), changed);
    }

    [Fact]
    public void ToString_UsesPrometheusNotationWithEscapes()
    {
        var set = LabelSet.From(("__name__", "errors_total"), ("msg", "say \"hi\"\n"), ("a", "b\\c"));

        Assert.Equal("errors_total{a=\"b\\\\c\", msg=\"say \\\"hi\\\"\\n\"}", set.ToString());
        Assert.Equal("{job=\"x\"}", LabelSet.From(("job", "x")).ToString());
    }

    [Theory]
    [InlineData("a", "1")] // before every label
    [InlineData("job", "x")] // between labels
    [InlineData("zone", "eu")] // after every label
    [InlineData("status", "500")] // replaces a value
    [InlineData("status", "")] // an empty value removes the label
    public void With_SameAsBuildingTheSetAfresh(string name, string value)
    {
        var set = LabelSet.From(("__name__", "http_requests_total"), ("method", "GET"), ("status", "200"));
        var expected = LabelSet.From(set.Labels.Where(l => l.Key != name).Append(new KeyValuePair<string, string>(name, value)));

        var changed = set.With(name, value);

        Assert.Equal(expected, changed);
        Assert.Equal(expected.Labels, changed.Labels);
        Assert.Equal(expected.Fingerprint, changed.Fingerprint);
    }

    [Fact]
    public void With_TheValueItAlreadyHas_ReturnsTheSameSet()
    {
        var set = LabelSet.From(("job", "api"), ("tenant_id", "acme"));

        Assert.Same(set, set.With("tenant_id", "acme"));
    }
}
