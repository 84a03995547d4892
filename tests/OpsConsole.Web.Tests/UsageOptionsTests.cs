using OpsConsole.Web.Usage;

namespace OpsConsole.Web.Tests;

/// <summary>The <c>Usage</c> section: the mapping merges over the defaults; bad configuration is named at start-up.</summary>
public sealed class UsageOptionsTests
{
    [Fact]
    public void Mapping_ConfiguredKindsReplaceAddOrDropDefaults()
    {
        var options = new UsageOptions();
        options.Kinds["api_calls"] = "sum by (tenant_id) (increase(http_requests_total[$__range]))";
        options.Kinds["documents"] = "";
        options.Kinds["chats"] = "sum by (tenant_id) (increase(chat_requests_total[$__range]))";

        var mapping = options.Mapping().ToDictionary(k => k.Key, k => k.Value);

        Assert.Equal("sum by (tenant_id) (increase(http_requests_total[$__range]))", mapping["api_calls"]);
        Assert.DoesNotContain("documents", mapping.Keys);
        Assert.Equal("chats", options.Mapping()[^1].Key); // added kinds after the defaults
        Assert.Empty(options.Problems());
        Assert.Equal(["spans", "log_records"], options.ShownKinds().SkipWhile(k => k != "spans").Take(2));
    }

    [Theory]
    [InlineData("api_calls", "sum by (tenant_id) (increase(api_requests_total[$__range])", "Usage:Kinds:api_calls is not valid PromQL")]
    [InlineData("Bad Kind", "sum(up)", "Usage:Kinds:Bad Kind")]
    [InlineData("spans", "sum(up)", "Usage:Kinds:spans")]
    public void Problems_BadKind_NamedWithTheReason(string kind, string expression, string expected)
    {
        var options = new UsageOptions();
        options.Kinds[kind] = expression;

        var problem = Assert.Single(options.Problems());

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_BadTimings_EachNamed()
    {
        var options = new UsageOptions { Interval = TimeSpan.Zero, LateDataGrace = TimeSpan.FromHours(2), RetentionMonths = 0, Backfill = TimeSpan.FromHours(-1) };

        var problems = options.Problems();

        Assert.Contains(problems, p => p.StartsWith("Usage:Interval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Usage:LateDataGrace", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Usage:RetentionMonths", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Usage:Backfill", StringComparison.Ordinal));
    }
}

/// <summary>A console whose usage mapping is broken does not start, and says which kind and why.</summary>
public sealed class UsageStartupTests
{
    private sealed class BadMappingFactory : Infrastructure.OpsConsoleFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Usage:Kinds:api_calls"] = "sum by (tenant_id) (increase(api_requests_total[$__range])",
        };
    }

    [Fact]
    public void Start_WithInvalidPromQlForAKind_FailsNamingTheKind()
    {
        using var factory = new BadMappingFactory();

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Usage:Kinds:api_calls is not valid PromQL", error.ToString(), StringComparison.Ordinal);
    }
}
