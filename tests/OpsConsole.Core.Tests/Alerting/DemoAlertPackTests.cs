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
        Assert.Equal(["demo-saas-alerts", "demo-saas-log-and-health-alerts"], parsed.Groups.Select(g => g.Name));
        var rules = parsed.Groups.SelectMany(g => g.Rules).OfType<AlertingRule>().ToList();
        Assert.Equal(
            ["ServiceDown", "HighErrorRate", "LlmSlow", "CacheHitRateLow", "UploadBacklog", "ModelQualityDrop", "KafkaConsumerLag",
             "RagServiceErrorLogs", "RagServiceDownHealth", "ConsoleDatabaseCheckFailing"],
            rules.Select(r => r.Alert));
        Assert.NotNull(rules.Single(r => r.Alert == "RagServiceErrorLogs").Logs);
        Assert.NotNull(rules.Single(r => r.Alert == "RagServiceDownHealth").Health?.Service);
        Assert.NotNull(rules.Single(r => r.Alert == "ConsoleDatabaseCheckFailing").Health?.Check);
        foreach (var text in rules.SelectMany(r => r.Labels.Values.Concat(r.Annotations.Values)))
        {
            Assert.Null(AlertTemplate.Check(text));
        }

        Assert.All(rules, r => Assert.Contains(r.Labels["severity"], new[] { "critical", "warning" }));
    }
}
