using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Core.Query.PromQl;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OpsConsole.Core.Rules;

/// <summary>
/// Writes rule groups as a Prometheus rule file that <see cref="RuleFileParser"/> reads back to the same groups:
/// fields in Prometheus's order, labels and annotations sorted by name, multi-line expressions as literal blocks,
/// and any value YAML would otherwise read as a number, boolean or null quoted.
/// </summary>
public static partial class RuleFileWriter
{
    public static string Write(IEnumerable<RuleGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new MappingStart());
        Key(emitter, "groups");
        emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
        foreach (var group in groups)
        {
            WriteGroup(emitter, group);
        }

        emitter.Emit(new SequenceEnd());
        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteGroup(IEmitter emitter, RuleGroup group)
    {
        emitter.Emit(new MappingStart());
        Pair(emitter, "name", group.Name);
        if (group.IntervalMs is { } interval)
        {
            Pair(emitter, "interval", PromQlDuration.Format(interval));
        }

        if (group.QueryOffsetMs != 0)
        {
            Pair(emitter, "query_offset", PromQlDuration.Format(group.QueryOffsetMs));
        }

        if (group.Limit != 0)
        {
            Key(emitter, "limit");
            emitter.Emit(new Scalar(group.Limit.ToString(CultureInfo.InvariantCulture)));
        }

        Map(emitter, "labels", group.Labels);
        Key(emitter, "rules");
        emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
        foreach (var rule in group.Rules)
        {
            emitter.Emit(new MappingStart());
            switch (rule)
            {
                case RecordingRule r:
                    Pair(emitter, "record", r.Record);
                    Pair(emitter, "expr", r.Expr);
                    Map(emitter, "labels", r.Labels);
                    break;
                case AlertingRule a:
                    Pair(emitter, "alert", a.Alert);
                    if (a.Logs is { } logs)
                    {
                        Key(emitter, "logs");
                        emitter.Emit(new MappingStart());
                        Pair(emitter, "query", logs.Query);
                        Pair(emitter, "window", PromQlDuration.Format(logs.WindowMs));
                        Pair(emitter, "op", logs.OperatorText);
                        Key(emitter, "threshold");
                        emitter.Emit(new Scalar(logs.Threshold.ToString("R", CultureInfo.InvariantCulture)));
                        emitter.Emit(new MappingEnd());
                    }
                    else if (a.Health is { } health)
                    {
                        Key(emitter, "health");
                        emitter.Emit(new MappingStart());
                        if (health.Service is not null)
                        {
                            Pair(emitter, "service", health.Service);
                        }

                        if (health.Check is not null)
                        {
                            Pair(emitter, "check", health.Check);
                        }

                        emitter.Emit(new MappingEnd());
                    }
                    else
                    {
                        Pair(emitter, "expr", a.Expr);
                    }

                    if (a.ForMs != 0)
                    {
                        Pair(emitter, "for", PromQlDuration.Format(a.ForMs));
                    }

                    if (a.KeepFiringForMs != 0)
                    {
                        Pair(emitter, "keep_firing_for", PromQlDuration.Format(a.KeepFiringForMs));
                    }

                    Map(emitter, "labels", a.Labels);
                    Map(emitter, "annotations", a.Annotations);
                    break;
            }

            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new SequenceEnd());
        emitter.Emit(new MappingEnd());
    }

    private static void Map(IEmitter emitter, string key, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        Key(emitter, key);
        emitter.Emit(new MappingStart());
        foreach (var (name, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            Pair(emitter, name, value);
        }

        emitter.Emit(new MappingEnd());
    }

    private static void Key(IEmitter emitter, string key) => emitter.Emit(new Scalar(key));

    private static void Pair(IEmitter emitter, string key, string value)
    {
        Key(emitter, key);
        var style = value.Contains('\n', StringComparison.Ordinal) && !value.Contains('\r', StringComparison.Ordinal) && !TrailingSpaceOnALine().IsMatch(value)
            ? ScalarStyle.Literal
            : ReadAsOtherType().IsMatch(value) || value.Length == 0 || value.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, value, style, true, true));
    }

    /// <summary>Plain scalars YAML 1.1 or 1.2 would read as null, a boolean or a number.</summary>
    [GeneratedRegex(@"^(~|null|true|false|yes|no|on|off|y|n|[-+]?(\.?[0-9].*|\.inf|\.nan))$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReadAsOtherType();

    [GeneratedRegex(@"[ \t]\n|^\s|\n\n$")]
    private static partial Regex TrailingSpaceOnALine();
}
