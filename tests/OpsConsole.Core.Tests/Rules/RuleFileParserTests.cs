using OpsConsole.Core.Rules;

namespace OpsConsole.Core.Tests.Rules;

public sealed class RuleFileParserTests
{
    private const string Valid = """
        groups:
          - name: api
            interval: 30s
            query_offset: 1m
            limit: 100
            labels:
              team: platform
            rules:
              - record: service:http_requests:rate5m
                expr: sum by (service) (rate(http_requests_total[5m]))
                labels:
                  source: recorded
              - alert: HighErrorRate
                expr: |
                  service:http_request_errors:ratio_rate5m
                    > 0.05
                for: 5m
                keep_firing_for: 10m
                labels:
                  severity: critical
                annotations:
                  summary: "{{ $labels.service }} fails {{ $value }} of requests"
          - name: defaults
            rules:
              - record: up:count
                expr: count(up)
        """;

    [Fact]
    public void Parse_ValidFile_ReadsEveryFieldOfGroupsAndRules()
    {
        var result = RuleFileParser.Parse(Valid);

        Assert.Empty(result.Errors);
        Assert.Equal(["api", "defaults"], result.Groups.Select(g => g.Name));
        var api = result.Groups[0];
        Assert.Equal(30_000, api.IntervalMs);
        Assert.Equal(60_000, api.QueryOffsetMs);
        Assert.Equal(100, api.Limit);
        Assert.Equal("platform", api.Labels["team"]);
        var record = Assert.IsType<RecordingRule>(api.Rules[0]);
        Assert.Equal("service:http_requests:rate5m", record.Record);
        Assert.Equal("sum by (service) (rate(http_requests_total[5m]))", record.Expr);
        Assert.Equal("recorded", record.Labels["source"]);
        var alert = Assert.IsType<AlertingRule>(api.Rules[1]);
        Assert.Equal("HighErrorRate", alert.Alert);
        Assert.Equal("service:http_request_errors:ratio_rate5m\n  > 0.05\n", alert.Expr);
        Assert.Equal(300_000, alert.ForMs);
        Assert.Equal(600_000, alert.KeepFiringForMs);
        Assert.Equal("critical", alert.Labels["severity"]);
        Assert.Equal("{{ $labels.service }} fails {{ $value }} of requests", alert.Annotations["summary"]);
        var defaults = result.Groups[1];
        Assert.Null(defaults.IntervalMs); // the configured default applies
        Assert.Equal(0, defaults.Limit);
        Assert.Equal(0, defaults.QueryOffsetMs);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("# nothing yet\n", 0)]
    [InlineData("groups:\n", 0)]
    [InlineData("groups: []\n", 0)]
    [InlineData("groups:\n  - name: empty\n    rules: []\n", 1)]
    public void Parse_EmptyFileOrGroups_IsValid(string yaml, int groups)
    {
        var result = RuleFileParser.Parse(yaml);

        Assert.Empty(result.Errors);
        Assert.Equal(groups, result.Groups.Count);
    }

    private static string OneRule(string rule) => "groups:\n  - name: api\n    rules:\n      - record: ok:one\n        expr: up\n" + rule;

    // Each bad input, and the message a person gets: the line and column, the group, the rule (index and name), the field.
    [Theory]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: [unclosed\n",
        "6:1: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'.")]
    [InlineData("grops:\n  - name: api\n",
        "1:1: unknown field \"grops\" in a rule file (known: groups)")]
    [InlineData("groups:\n  - name: api\n    intervall: 1m\n    rules: []\n",
        "3:5: group \"api\": unknown field \"intervall\" in a group (known: name, interval, query_offset, limit, labels, rules)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        exp: up\n",
        "5:9: group \"api\", rule 1 (record a:b): unknown field \"exp\" in a rule (known: record, alert, expr, logs, health, for, keep_firing_for, labels, annotations)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        alert: B\n        expr: up\n",
        "4:9: group \"api\", rule 1 (alert B): only one of \"record\" and \"alert\" may be set")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - expr: up\n",
        "4:9: group \"api\", rule 1: one of \"record\" or \"alert\" must be set")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n",
        "4:9: group \"api\", rule 1 (record a:b): expr: must be set: the PromQL expression the rule evaluates")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: ok:one\n        expr: up\n      - alert: HighErrorRate\n        expr: sum(rate(errors_total[5m]) > \n",
        "7:15: group \"api\", rule 2 (alert HighErrorRate): expr: could not parse expression: unexpected end of input at position 29: expected an expression (a number, string, selector, function call or aggregation)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: nosuchfn(up)\n",
        "5:15: group \"api\", rule 1 (record a:b): expr: could not parse expression: unknown function \"nosuchfn\" (at position 1)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: rate(up[5m:1m])\n",
        "5:15: group \"api\", rule 1 (record a:b): expr: not supported by OpsConsole's PromQL engine yet: subqueries (expr[range:step]) are not supported yet")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up[5m]\n",
        "5:15: group \"api\", rule 1 (record a:b): expr: a rule's expression must give an instant vector or a scalar, not a range vector")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: 5xx-rate\n        expr: up\n",
        "4:17: group \"api\", rule 1 (record 5xx-rate): record: invalid recording rule name \"5xx-rate\" (a metric name: letters, digits, _ and :, not starting with a digit)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: 'up{job=\"a\"}'\n        expr: up\n",
        "4:17: group \"api\", rule 1 (record up{job=\"a\"}): record: invalid recording rule name \"up{job=\"a\"}\" (braces in the name: should they be in expr?)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n        for: 5m\n",
        "6:14: group \"api\", rule 1 (record a:b): for: invalid field in a recording rule: only alerting rules have \"for\"")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n        keep_firing_for: 5m\n",
        "6:26: group \"api\", rule 1 (record a:b): keep_firing_for: invalid field in a recording rule: only alerting rules have \"keep_firing_for\"")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n        annotations:\n          summary: x\n",
        "7:11: group \"api\", rule 1 (record a:b): annotations: invalid field in a recording rule: only alerting rules have \"annotations\"")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - alert: Down\n        expr: up == 0\n        labels:\n          team-name: x\n",
        "7:11: group \"api\", rule 1 (alert Down): labels: invalid label name \"team-name\" (letters, digits and _, not starting with a digit)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n        labels:\n          __name__: other\n",
        "7:11: group \"api\", rule 1 (record a:b): labels: \"__name__\" cannot be set as a label: the metric name comes from record (or is alertname)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - alert: Down\n        expr: up == 0\n        annotations:\n          1summary: x\n",
        "7:11: group \"api\", rule 1 (alert Down): annotations: invalid annotation name \"1summary\" (letters, digits and _, not starting with a digit)")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5 minutes\n",
        "6:14: group \"api\", rule 1 (alert Down): for: \"5 minutes\" is not a duration: use e.g. 30s, 5m, 1h30m")]
    [InlineData("groups:\n  - name: api\n    interval: 1x\n    rules: []\n",
        "3:15: group \"api\": interval: \"1x\" is not a duration: use e.g. 30s, 5m, 1h30m")]
    [InlineData("groups:\n  - name: api\n    interval: 500ms\n    rules: []\n",
        "3:15: group \"api\": interval: \"500ms\" is too short: a group runs at most once a second")]
    [InlineData("groups:\n  - name: api\n    limit: -1\n    rules: []\n",
        "3:12: group \"api\": limit: \"-1\" is not a whole number of series (0 or more; 0 means no limit)")]
    [InlineData("groups:\n  - name: api\n    rules: []\n  - name: api\n    rules: []\n",
        "4:5: group \"api\": name: group name \"api\" is repeated in the same file")]
    [InlineData("groups:\n  - interval: 1m\n    rules: []\n",
        "2:5: group 1: name: a group needs a name")]
    [InlineData("groups:\n  name: api\n",
        "2:3: groups: must be a list of groups")]
    [InlineData("groups:\n  - name: api\n    rules:\n      record: a:b\n",
        "4:7: group \"api\": rules: must be a list of rules")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - just text\n",
        "4:9: group \"api\", rule 1: a rule is a mapping with record or alert, and expr")]
    [InlineData("groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n        expr: down\n",
        "6:9: invalid YAML: Duplicate key expr")]
    [InlineData("groups: []\n---\ngroups: []\n",
        "3:1: a rule file holds one YAML document; a second one starts here")]
    [InlineData("- name: api\n",
        "1:1: a rule file is a mapping with a \"groups\" list, e.g. groups: [{name: api, rules: [...]}]")]
    public void Parse_InvalidFile_ReportsTheErrorWithLineGroupAndRule(string yaml, string expected)
    {
        var result = RuleFileParser.Parse(yaml);

        Assert.False(result.IsValid);
        Assert.Empty(result.Groups); // nothing of an invalid file is taken
        Assert.Contains(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_SeveralBadRules_ReportsEachOneNotOnlyTheFirst()
    {
        var yaml = OneRule("""
                  - record: bad name
                    expr: up
                  - alert: Broken
                    expr: rate(up)
                  - record: fine:rule
                    expr: up
                    for: 1m
            """);

        var errors = RuleFileParser.Parse(yaml).Errors;

        Assert.Collection(errors,
            e => Assert.Equal((2, "bad name", RuleKind.Recording, "record"), (e.RuleIndex!.Value, e.RuleName!, e.RuleKind!.Value, e.Field!)),
            e => Assert.Equal((3, "Broken", RuleKind.Alerting, "expr"), (e.RuleIndex!.Value, e.RuleName!, e.RuleKind!.Value, e.Field!)),
            e => Assert.Equal((4, "fine:rule", RuleKind.Recording, "for"), (e.RuleIndex!.Value, e.RuleName!, e.RuleKind!.Value, e.Field!)));
        Assert.All(errors, e => Assert.Equal("api", e.Group));
        Assert.StartsWith("group \"api\", rule 3 (alert Broken): expr: could not parse expression: argument 1 of \"rate\" must be a range vector",
            errors[1].ToString()[(errors[1].ToString().IndexOf(' ', StringComparison.Ordinal) + 1)..], StringComparison.Ordinal);
    }

    [Fact]
    public void ParseValid_InvalidFile_ThrowsWithEveryError()
    {
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.ParseValid("groups:\n  - name: a\n    rules:\n      - expr: up\n      - record: x\n"));

        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("group \"a\", rule 1: one of \"record\" or \"alert\" must be set", e.Message, StringComparison.Ordinal);
        Assert.Contains("group \"a\", rule 2 (record x): expr: must be set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NullLabelValue_IsAnEmptyValueThatRemovesTheLabel()
    {
        var group = RuleFileParser.ParseValid(OneRule("        labels:\n          instance: ~\n          job:\n          env: 'null'\n"))[0];

        var labels = group.Rules[0].Labels;
        Assert.Equal("", labels["instance"]);
        Assert.Equal("", labels["job"]);
        Assert.Equal("null", labels["env"]); // quoted: the string, not YAML's null
    }

    [Fact]
    public void Write_ParsedGroups_ReadBackToTheSameGroups()
    {
        var yaml = """
            groups:
              - name: "odd: names # and all"
                interval: 1h30m
                limit: 7
                labels: {team: "true", owner: "123", note: "null", empty: ""}
                rules:
                  - record: a:b
                    expr: "sum by (x) (rate(y{z=~\"a|b\"}[5m]))"
                  - alert: Multi
                    expr: |
                      up
                        == 0
                    for: 90s
                    annotations:
                      description: "line one\nline two"
                      unicode: "é ✓ 😀"
                      lead: " space"
            """;
        var groups = RuleFileParser.ParseValid(yaml);

        var written = RuleFileWriter.Write(groups);
        var again = RuleFileParser.ParseValid(written);

        Assert.Equal(written, RuleFileWriter.Write(again));
        var (a, b) = (groups[0], again[0]);
        Assert.Equal((a.Name, a.IntervalMs, a.Limit), (b.Name, b.IntervalMs, b.Limit));
        Assert.Equal(a.Labels.OrderBy(l => l.Key), b.Labels.OrderBy(l => l.Key));
        Assert.Equal(a.Rules.Select(r => r.Expr), b.Rules.Select(r => r.Expr));
        var (alertA, alertB) = ((AlertingRule)a.Rules[1], (AlertingRule)b.Rules[1]);
        Assert.Equal(90_000, alertB.ForMs);
        Assert.Equal(alertA.Annotations.OrderBy(l => l.Key), alertB.Annotations.OrderBy(l => l.Key));
    }

    [Fact]
    public void Parse_TheRepositorysProvisionedRuleFiles_AreValid_RecordingAndAlertingPacksApart()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "OpsConsole.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("OpsConsole.sln not found above the test's directory.");
        }

        var files = Directory.GetFiles(Path.Combine(root.FullName, "rules"), "*.y*ml");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var result = RuleFileParser.Parse(File.ReadAllText(file));
            Assert.True(result.IsValid, $"{file}: {string.Join("\n", result.Errors)}");
            var rules = result.Groups.SelectMany(g => g.Rules).ToList();
            Assert.NotEmpty(rules);
            if (Path.GetFileName(file).Contains("alerts", StringComparison.Ordinal))
            {
                Assert.All(rules, r => Assert.IsType<AlertingRule>(r));
            }
            else
            {
                Assert.All(rules, r => Assert.IsType<RecordingRule>(r));
            }
        }
    }
}
