using OpsConsole.Core.Rules;

namespace OpsConsole.Core.Tests.Rules;

/// <summary>The OpsConsole extensions of rule files: <c>logs:</c> and <c>health:</c> conditions instead of <c>expr</c>.</summary>
public sealed class SignalRuleFileTests
{
    private const string Head = "groups:\n  - name: ops\n    rules:\n";

    [Fact]
    public void Parse_LogAndHealthRules_ReadsTheirConditionsAndWritesThemBackTheSame()
    {
        var yaml = Head + """
                  - alert: RagErrors
                    logs: {query: 'level:error service:rag-service', window: 5m, op: '>=', threshold: 10}
                    for: 2m
                    labels: {severity: warning}
                  - alert: AnyErrors
                    logs:
                      query: 'level:error'
                      window: 1m
                  - alert: RagDown
                    health: {service: rag-service}
                    for: 1m
                  - alert: DbCheck
                    health: {check: db, service: upload-pipeline}
            """;

        var result = RuleFileParser.Parse(yaml);

        Assert.Empty(result.Errors);
        var rules = Assert.Single(result.Groups).Rules.Cast<AlertingRule>().ToList();
        Assert.Equal(new LogRuleCondition("level:error service:rag-service", 300_000, LogRuleOperator.GreaterOrEqual, 10), rules[0].Logs);
        Assert.Equal((120_000L, ""), (rules[0].ForMs, rules[0].Expr));
        Assert.Equal(new LogRuleCondition("level:error", 60_000, LogRuleOperator.GreaterThan, 0), rules[1].Logs); // any line at all
        Assert.Equal(new HealthRuleCondition("rag-service", null), rules[2].Health);
        Assert.Equal(new HealthRuleCondition("upload-pipeline", "db"), rules[3].Health);
        Assert.Equal("count of log lines matching 'level:error service:rag-service' over 5m >= 10", rules[0].Condition);
        Assert.Equal("health check db of upload-pipeline is failing", rules[3].Condition);

        var written = RuleFileWriter.Write(result.Groups);
        var reread = RuleFileParser.ParseValid(written);
        Assert.Equal(written, RuleFileWriter.Write(reread));
        Assert.Equal(rules.Select(r => (r.Logs, r.Health, r.ForMs)), reread[0].Rules.Cast<AlertingRule>().Select(r => (r.Logs, r.Health, r.ForMs)));
    }

    [Fact]
    public void Parse_BadLogQuery_ErrorPointsAtTheOffendingCharacterInTheFile()
    {
        var yaml = Head + "      - alert: RagErrors\n        logs: {query: 'level:error AND (service:rag', window: 5m}\n";

        var error = Assert.Single(RuleFileParser.Parse(yaml).Errors);

        Assert.Equal("logs.query", error.Field);
        Assert.Equal(5, error.Line);
        Assert.StartsWith("could not parse log query (column ", error.Message, StringComparison.Ordinal);
        var line = yaml.Split('\n')[4];
        var column = int.Parse(error.Message["could not parse log query (column ".Length..error.Message.IndexOf(')', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(line.IndexOf("level:", StringComparison.Ordinal) + column, error.Column); // 1-based column in the file
        Assert.Contains("5:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("(alert RagErrors)", error.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadRules => new()
    {
        { "      - alert: A\n        expr: up == 0\n        logs: {query: x, window: 5m}\n", "", "one condition" },
        { "      - alert: A\n        logs: {query: 'level:error'}\n", "logs.window", "must be set" },
        { "      - alert: A\n        logs: {window: 5m}\n", "logs.query", "must be set" },
        { "      - alert: A\n        logs: {query: x, window: 0}\n", "logs.window", "longer than 0" },
        { "      - alert: A\n        logs: {query: x, window: soon}\n", "logs.window", "not a duration" },
        { "      - alert: A\n        logs: {query: x, window: 5m, op: '=>'}\n", "logs.op", "not a comparison" },
        { "      - alert: A\n        logs: {query: x, window: 5m, threshold: many}\n", "logs.threshold", "not a number" },
        { "      - alert: A\n        logs: {query: x, window: 5m, treshold: 3}\n", "logs", "unknown field \"treshold\"" },
        { "      - alert: A\n        logs: level:error\n", "logs", "must be a mapping" },
        { "      - alert: A\n        health: {}\n", "health", "needs \"service\"" },
        { "      - alert: A\n        health: {service: ''}\n", "health.service", "must not be empty" },
        { "      - alert: A\n        health: {svc: rag}\n", "health", "unknown field \"svc\"" },
        { "      - record: a:b\n        expr: up\n        logs: {query: x, window: 5m}\n", "logs", "only alerting rules" },
        { "      - alert: A\n", "expr", "\"logs\" or \"health\"" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void Parse_BadCondition_ClearErrorAndNoGroups(string rule, string field, string message)
    {
        var result = RuleFileParser.Parse(Head + rule);

        Assert.Empty(result.Groups);
        Assert.Contains(result.Errors, e => (e.Field ?? "") == field && e.Message.Contains(message, StringComparison.Ordinal) && e.Line is not null);
    }
}
