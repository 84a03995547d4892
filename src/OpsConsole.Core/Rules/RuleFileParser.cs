using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Domain.Telemetry;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsConsole.Core.Rules;

/// <summary>What <see cref="RuleFileParser.Parse"/> found: the groups, valid only when <see cref="Errors"/> is empty.</summary>
public sealed record RuleFileParseResult(IReadOnlyList<RuleGroup> Groups, IReadOnlyList<RuleFileError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads Prometheus rule files (<c>groups:</c> of <c>name</c>, <c>interval</c>, <c>query_offset</c>, <c>limit</c>,
/// <c>labels</c>, <c>rules:</c> of recording and alerting rules) and checks them as Prometheus and promtool do:
/// unknown fields, names, durations, <c>record</c> xor <c>alert</c>, fields that only alerting rules have, repeated
/// group names, and every expression through the PromQL parser. It reports every problem it finds, each with its
/// line, group and rule (see <see cref="RuleFileError"/>), and returns only groups that have none.
/// </summary>
public static partial class RuleFileParser
{
    private static readonly string[] FileFields = ["groups"];
    private static readonly string[] GroupFields = ["name", "interval", "query_offset", "limit", "labels", "rules"];
    private static readonly string[] RuleFields = ["record", "alert", "expr", "logs", "health", "for", "keep_firing_for", "labels", "annotations"];
    private static readonly string[] LogFields = ["query", "window", "op", "threshold"];
    private static readonly string[] HealthFields = ["service", "check"];

    /// <summary>The shortest group interval accepted; shorter ones would keep the query engine busy for little gain.</summary>
    public const long MinIntervalMs = 1000;

    /// <summary>Parses and validates <paramref name="yaml"/>; never throws for bad input.</summary>
    public static RuleFileParseResult Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var errors = new List<RuleFileError>();
        var groups = new List<RuleGroup>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.Add(new RuleFileError("invalid YAML: " + YamlMessagePrefix().Replace(e.InnerException?.Message ?? e.Message, ""))
            {
                Line = (int)e.Start.Line,
                Column = (int)e.Start.Column,
            });
            return new RuleFileParseResult([], errors);
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return new RuleFileParseResult([], errors);
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(At(new RuleFileError("a rule file holds one YAML document; a second one starts here"), stream.Documents[1].RootNode));
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(At(new RuleFileError("a rule file is a mapping with a \"groups\" list, e.g. groups: [{name: api, rules: [...]}]"), stream.Documents[0].RootNode));
            return new RuleFileParseResult([], errors);
        }

        foreach (var (key, value) in root.Children)
        {
            var field = KeyText(key);
            if (field != "groups")
            {
                errors.Add(At(new RuleFileError(UnknownField(field, "a rule file", FileFields)), key));
                continue;
            }

            if (IsNull(value))
            {
                continue;
            }

            if (value is not YamlSequenceNode list)
            {
                errors.Add(At(new RuleFileError("must be a list of groups") { Field = "groups" }, value));
                continue;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Children.Count; i++)
            {
                if (ParseGroup(list.Children[i], i + 1, names, errors) is { } group)
                {
                    groups.Add(group);
                }
            }
        }

        return new RuleFileParseResult(errors.Count == 0 ? groups : [], errors);
    }

    /// <summary>Parses <paramref name="yaml"/>, throwing a <see cref="RuleFileException"/> with every error when it is not valid.</summary>
    public static IReadOnlyList<RuleGroup> ParseValid(string yaml)
    {
        var result = Parse(yaml);
        return result.IsValid ? result.Groups : throw new RuleFileException(result.Errors);
    }

    private static RuleGroup? ParseGroup(YamlNode node, int index, HashSet<string> names, List<RuleFileError> errors)
    {
        var before = errors.Count;
        if (node is not YamlMappingNode map)
        {
            errors.Add(At(new RuleFileError("a group is a mapping with a name and rules") { GroupIndex = index }, node));
            return null;
        }

        var name = map.Children.FirstOrDefault(c => KeyText(c.Key) == "name").Value is YamlScalarNode n && !IsNull(n) ? n.Value ?? "" : "";
        var where = new RuleFileError("") { Group = name, GroupIndex = index };
        if (name.Length == 0)
        {
            errors.Add(At(where with { Message = "a group needs a name", Field = "name" }, map));
        }
        else if (!names.Add(name))
        {
            errors.Add(At(where with { Message = $"group name \"{name}\" is repeated in the same file", Field = "name" }, map));
        }

        long? interval = null;
        long queryOffset = 0;
        var limit = 0;
        IReadOnlyDictionary<string, string> labels = new Dictionary<string, string>();
        var rules = new List<Rule>();
        foreach (var (key, value) in map.Children)
        {
            var field = KeyText(key);
            var here = where with { Field = field };
            switch (field)
            {
                case "name":
                    if (value is not YamlScalarNode)
                    {
                        errors.Add(At(here with { Message = "must be a string" }, value));
                    }

                    break;
                case "interval":
                    if (Duration(value, here, errors) is { } ms)
                    {
                        if (ms < MinIntervalMs)
                        {
                            errors.Add(At(here with { Message = $"{ScalarText(value)} is too short: a group runs at most once a second" }, value));
                        }
                        else
                        {
                            interval = ms;
                        }
                    }

                    break;
                case "query_offset":
                    queryOffset = Duration(value, here, errors) ?? 0;
                    break;
                case "limit":
                    if (IsNull(value))
                    {
                        break;
                    }

                    if (value is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
                    {
                        errors.Add(At(here with { Message = $"{ScalarText(value)} is not a whole number of series (0 or more; 0 means no limit)" }, value));
                    }

                    break;
                case "labels":
                    labels = Labels(value, here, errors, annotations: false);
                    break;
                case "rules":
                    if (IsNull(value))
                    {
                        break;
                    }

                    if (value is not YamlSequenceNode list)
                    {
                        errors.Add(At(here with { Message = "must be a list of rules" }, value));
                        break;
                    }

                    for (var i = 0; i < list.Children.Count; i++)
                    {
                        if (ParseRule(list.Children[i], where with { RuleIndex = i + 1 }, errors) is { } rule)
                        {
                            rules.Add(rule);
                        }
                    }

                    break;
                default:
                    errors.Add(At(where with { Message = UnknownField(field, "a group", GroupFields) }, key));
                    break;
            }
        }

        return errors.Count == before
            ? new RuleGroup(name, rules) { IntervalMs = interval, QueryOffsetMs = queryOffset, Limit = limit, Labels = labels }
            : null;
    }

    private static Rule? ParseRule(YamlNode node, RuleFileError where, List<RuleFileError> errors)
    {
        var before = errors.Count;
        if (node is not YamlMappingNode map)
        {
            errors.Add(At(where with { Message = "a rule is a mapping with record or alert, and expr" }, node));
            return null;
        }

        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            fields.TryAdd(KeyText(key), value);
        }

        var record = StringField(fields, "record", where, errors);
        var alert = StringField(fields, "alert", where, errors);
        where = alert is { Length: > 0 }
            ? where with { RuleKind = RuleKind.Alerting, RuleName = alert }
            : where with { RuleKind = RuleKind.Recording, RuleName = record };
        foreach (var (key, _) in map.Children)
        {
            if (!RuleFields.Contains(KeyText(key)))
            {
                errors.Add(At(where with { Message = UnknownField(KeyText(key), "a rule", RuleFields) }, key));
            }
        }

        var isRecording = record is { Length: > 0 };
        var isAlerting = alert is { Length: > 0 };
        if (isRecording && isAlerting)
        {
            errors.Add(At(where with { Message = "only one of \"record\" and \"alert\" may be set" }, map));
        }
        else if (!isRecording && !isAlerting)
        {
            errors.Add(At(where with { Message = "one of \"record\" or \"alert\" must be set" }, map));
        }

        if (isRecording)
        {
            if (!RuleNames.IsValidMetricName(record))
            {
                var hint = record!.Contains('{', StringComparison.Ordinal) || record.Contains('}', StringComparison.Ordinal)
                    ? " (braces in the name: should they be in expr?)"
                    : " (a metric name: letters, digits, _ and :, not starting with a digit)";
                errors.Add(At(where with { Field = "record", Message = $"invalid recording rule name \"{record}\"{hint}" }, fields["record"]));
            }

            foreach (var onlyAlerting in new[] { "for", "keep_firing_for", "annotations", "logs", "health" })
            {
                if (fields.TryGetValue(onlyAlerting, out var value) && !IsNull(value))
                {
                    errors.Add(At(where with { Field = onlyAlerting, Message = $"invalid field in a recording rule: only alerting rules have \"{onlyAlerting}\"" }, value));
                }
            }
        }

        var expr = StringField(fields, "expr", where, errors);
        var hasLogs = isAlerting && fields.TryGetValue("logs", out var logsNode) && !IsNull(logsNode);
        var hasHealth = isAlerting && fields.TryGetValue("health", out var healthNode) && !IsNull(healthNode);
        var conditions = (string.IsNullOrWhiteSpace(expr) ? 0 : 1) + (hasLogs ? 1 : 0) + (hasHealth ? 1 : 0);
        LogRuleCondition? logs = null;
        HealthRuleCondition? health = null;
        if (conditions > 1)
        {
            errors.Add(At(where with { Message = "an alerting rule has one condition: \"expr\" (PromQL), \"logs\" (a log count) or \"health\" (a service or check), not several" }, map));
        }
        else if (hasLogs)
        {
            logs = ParseLogs(fields["logs"], where with { Field = "logs" }, errors);
        }
        else if (hasHealth)
        {
            health = ParseHealth(fields["health"], where with { Field = "health" }, errors);
        }
        else if (string.IsNullOrWhiteSpace(expr))
        {
            var message = isAlerting
                ? "must be set: the PromQL expression the rule evaluates (or, instead of expr, \"logs\" or \"health\")"
                : "must be set: the PromQL expression the rule evaluates";
            errors.Add(At(where with { Field = "expr", Message = message }, fields.GetValueOrDefault("expr") ?? map));
        }
        else
        {
            CheckExpression(expr, where with { Field = "expr" }, fields["expr"], errors);
        }

        var forMs = fields.TryGetValue("for", out var forNode) ? Duration(forNode, where with { Field = "for" }, errors) ?? 0 : 0;
        var keepMs = fields.TryGetValue("keep_firing_for", out var keepNode) ? Duration(keepNode, where with { Field = "keep_firing_for" }, errors) ?? 0 : 0;
        var labels = fields.TryGetValue("labels", out var labelsNode) ? Labels(labelsNode, where with { Field = "labels" }, errors, annotations: false) : new Dictionary<string, string>();
        var annotations = fields.TryGetValue("annotations", out var annotationsNode) ? Labels(annotationsNode, where with { Field = "annotations" }, errors, annotations: true) : new Dictionary<string, string>();
        if (errors.Count != before)
        {
            return null;
        }

        return isAlerting
            ? new AlertingRule(alert!, expr ?? "", forMs, keepMs, labels, annotations) { Logs = logs, Health = health }
            : new RecordingRule(record!, expr!, labels);
    }

    /// <summary><c>logs: {query, window, op, threshold}</c>: query and window required, op <c>&gt;</c> and threshold 0 by default.</summary>
    private static LogRuleCondition? ParseLogs(YamlNode node, RuleFileError where, List<RuleFileError> errors)
    {
        var before = errors.Count;
        if (node is not YamlMappingNode map)
        {
            errors.Add(At(where with { Message = "must be a mapping: {query: 'level:error service:x', window: 5m, op: '>', threshold: 10}" }, node));
            return null;
        }

        var fields = Fields(map, where, "logs", LogFields, errors);
        var query = StringField(fields, "query", where with { Field = "logs.query" }, errors);
        if (query is null)
        {
            errors.Add(At(where with { Field = "logs.query", Message = "must be set: the log query whose matching lines are counted, e.g. 'level:error service:rag-service'" }, fields.GetValueOrDefault("query") ?? map));
        }
        else
        {
            try
            {
                Query.Logs.LogQueryParser.Parse(query);
            }
            catch (Query.Logs.LogQueryParseException e)
            {
                var at = At(where with { Field = "logs.query", Message = $"could not parse log query (column {e.Position}): {e.Message}" }, fields["query"]);
                if (fields["query"] is YamlScalarNode scalar && !query.Contains('\n', StringComparison.Ordinal) && scalar.Start.Line == scalar.End.Line)
                {
                    // On one line the offending character can be pointed at (after the opening quote, if any).
                    var quote = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
                    at = at with { Column = (int)scalar.Start.Column + quote + e.Position - 1 };
                }

                errors.Add(at);
            }
        }

        long window = 0;
        if (!fields.TryGetValue("window", out var windowNode) || IsNull(windowNode))
        {
            errors.Add(At(where with { Field = "logs.window", Message = "must be set: how far back the lines are counted, e.g. 5m" }, map));
        }
        else if (Duration(windowNode, where with { Field = "logs.window" }, errors) is { } ms)
        {
            if (ms <= 0)
            {
                errors.Add(At(where with { Field = "logs.window", Message = "must be longer than 0, e.g. 5m" }, windowNode));
            }

            window = ms;
        }

        var op = LogRuleOperator.GreaterThan;
        if (StringField(fields, "op", where with { Field = "logs.op" }, errors) is { } opText
            && !LogRuleCondition.Operators.TryGetValue(opText.Trim(), out op))
        {
            errors.Add(At(where with { Field = "logs.op", Message = $"\"{opText}\" is not a comparison: use one of {string.Join(" ", LogRuleCondition.Operators.Keys)}" }, fields["op"]));
        }

        double threshold = 0;
        if (fields.TryGetValue("threshold", out var thresholdNode) && !IsNull(thresholdNode)
            && (thresholdNode is not YamlScalarNode { Value: { } t }
                || !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out threshold) || !double.IsFinite(threshold)))
        {
            errors.Add(At(where with { Field = "logs.threshold", Message = $"{ScalarText(thresholdNode)} is not a number: the count is compared with it, e.g. 10" }, thresholdNode));
        }

        return errors.Count == before ? new LogRuleCondition(query!, window, op, threshold) : null;
    }

    /// <summary><c>health: {service, check}</c>: at least one of them.</summary>
    private static HealthRuleCondition? ParseHealth(YamlNode node, RuleFileError where, List<RuleFileError> errors)
    {
        var before = errors.Count;
        if (node is not YamlMappingNode map)
        {
            errors.Add(At(where with { Message = "must be a mapping: {service: rag-service} (the service is down) or {check: name} (the health check fails)" }, node));
            return null;
        }

        var fields = Fields(map, where, "health", HealthFields, errors);
        var service = StringField(fields, "service", where with { Field = "health.service" }, errors);
        var check = StringField(fields, "check", where with { Field = "health.check" }, errors);
        foreach (var (name, value) in new[] { ("service", service), ("check", check) })
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                errors.Add(At(where with { Field = "health." + name, Message = "must not be empty" }, fields[name]));
            }
        }

        if (service is null && check is null)
        {
            errors.Add(At(where with { Message = "needs \"service\" (the service is down) or \"check\" (the health check fails), or both" }, map));
        }

        return errors.Count == before ? new HealthRuleCondition(service, check) : null;
    }

    private static Dictionary<string, YamlNode> Fields(YamlMappingNode map, RuleFileError where, string what, string[] known, List<RuleFileError> errors)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            var name = KeyText(key);
            if (!known.Contains(name))
            {
                errors.Add(At(where with { Message = UnknownField(name, "\"" + what + "\"", known) }, key));
            }
            else
            {
                fields.TryAdd(name, value);
            }
        }

        return fields;
    }

    private static void CheckExpression(string expr, RuleFileError where, YamlNode node, List<RuleFileError> errors)
    {
        try
        {
            var parsed = PromQlParser.Parse(expr);
            if (parsed.Type is not (PromQlType.InstantVector or PromQlType.Scalar))
            {
                var type = parsed.Type == PromQlType.RangeVector ? "range vector" : "string";
                errors.Add(At(where with { Message = $"a rule's expression must give an instant vector or a scalar, not a {type}" }, node));
            }
        }
        catch (PromQlParseException e)
        {
            errors.Add(At(where with { Message = "could not parse expression: " + e.Message }, node));
        }
        catch (PromQlUnsupportedException e)
        {
            errors.Add(At(where with { Message = "not supported by OpsConsole's PromQL engine yet: " + e.Message }, node));
        }
    }

    private static Dictionary<string, string> Labels(YamlNode node, RuleFileError where, List<RuleFileError> errors, bool annotations)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            errors.Add(At(where with { Message = $"must be a mapping of {(annotations ? "annotation" : "label")} names to values" }, node));
            return result;
        }

        foreach (var (key, value) in map.Children)
        {
            var name = KeyText(key);
            if (!RuleNames.IsValidLabelName(name))
            {
                errors.Add(At(where with { Message = $"invalid {(annotations ? "annotation" : "label")} name \"{name}\" (letters, digits and _, not starting with a digit)" }, key));
            }
            else if (!annotations && name == LabelSet.MetricName)
            {
                errors.Add(At(where with { Message = "\"__name__\" cannot be set as a label: the metric name comes from record (or is alertname)" }, key));
            }

            if (value is not YamlScalarNode scalar)
            {
                errors.Add(At(where with { Message = $"the value of \"{name}\" must be a string" }, value));
                continue;
            }

            result[name] = IsNull(scalar) ? "" : scalar.Value ?? "";
        }

        return result;
    }

    private static string? StringField(Dictionary<string, YamlNode> fields, string name, RuleFileError where, List<RuleFileError> errors)
    {
        if (!fields.TryGetValue(name, out var node) || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }

        errors.Add(At(where with { Field = name, Message = "must be a string" }, node));
        return null;
    }

    private static long? Duration(YamlNode node, RuleFileError where, List<RuleFileError> errors)
    {
        if (IsNull(node))
        {
            return null;
        }

        var text = node is YamlScalarNode { Value: { } v } ? v : null;
        if (text == "0")
        {
            return 0;
        }

        if (text is not null && PromQlDuration.TryParseMs(text) is { } ms)
        {
            return ms;
        }

        errors.Add(At(where with { Message = $"{ScalarText(node)} is not a duration: use e.g. 30s, 5m, 1h30m" }, node));
        return null;
    }

    private static RuleFileError At(RuleFileError error, YamlNode node) =>
        error with { Line = (int)node.Start.Line, Column = (int)node.Start.Column };

    private static string UnknownField(string field, string what, string[] known) =>
        $"unknown field \"{field}\" in {what} (known: {string.Join(", ", known)})";

    private static string KeyText(YamlNode key) => key is YamlScalarNode { Value: { } v } ? v : key.ToString();

    private static string ScalarText(YamlNode node) => node is YamlScalarNode { Value: { } v } ? "\"" + v + "\"" : "a " + node.NodeType.ToString().ToLowerInvariant();

    /// <summary>YAML's null: an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any } s
        && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMessagePrefix();
}
