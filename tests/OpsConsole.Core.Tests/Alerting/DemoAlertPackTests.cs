using OpsConsole.Core.Alerting;
using OpsConsole.Core.Rules;

namespace OpsConsole.Core.Tests.Alerting;

/// <summary>The provisioned alert pack for the demo SaaS loads and its templates expand.</summary>
public sealed class DemoAlertPackTests
{
    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }

    [Fact]
    public void DemoAlerts_OneValidRulePerIncidentWithExpandableTemplates()
    {
        var parsed = RuleFileParser.Parse(File.ReadAllText(RepositoryFile("rules/demo-alerts.yml")));

        Assert.Empty(parsed.Errors);
        var rules = Assert.Single(parsed.Groups).Rules.OfType<AlertingRule>().ToList();
        Assert.Equal(["ServiceDown", "HighErrorRate", "LlmSlow", "CacheHitRateLow", "UploadBacklog", "ModelQualityDrop", "KafkaConsumerLag"], rules.Select(r => r.Alert));
        foreach (var text in rules.SelectMany(r => r.Labels.Values.Concat(r.Annotations.Values)))
        {
            Assert.Null(AlertTemplate.Check(text));
        }

        Assert.All(rules, r => Assert.Contains(r.Labels["severity"], new[] { "critical", "warning" }));
    }
}
