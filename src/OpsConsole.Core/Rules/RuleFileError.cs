using System.Globalization;
using System.Text;

namespace OpsConsole.Core.Rules;

/// <summary>
/// One problem in a rule file, placed as precisely as known: the line and column in the YAML, the group (by name, or
/// by its 1-based position when it has none), the rule (1-based index, kind and name) and the field.
/// <see cref="ToString"/> reads like <c>12:7: group "api", rule 2 (alert HighErrorRate): expr: could not parse …</c>.
/// </summary>
public sealed record RuleFileError(string Message)
{
    public int? Line { get; init; }

    public int? Column { get; init; }

    public string? Group { get; init; }

    /// <summary>1-based position of the group in the file (used when it has no name).</summary>
    public int? GroupIndex { get; init; }

    /// <summary>1-based position of the rule in its group.</summary>
    public int? RuleIndex { get; init; }

    public RuleKind? RuleKind { get; init; }

    public string? RuleName { get; init; }

    public string? Field { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Line is { } line)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{line}:{Column ?? 1}: ");
        }

        if (Group is { Length: > 0 } group)
        {
            sb.Append(CultureInfo.InvariantCulture, $"group \"{group}\"");
        }
        else if (GroupIndex is { } groupIndex)
        {
            sb.Append(CultureInfo.InvariantCulture, $"group {groupIndex}");
        }

        if (RuleIndex is { } rule)
        {
            sb.Append(CultureInfo.InvariantCulture, $", rule {rule}");
            if (RuleName is { Length: > 0 } name)
            {
                sb.Append(CultureInfo.InvariantCulture, $" ({(RuleKind == Rules.RuleKind.Alerting ? "alert" : "record")} {name})");
            }
        }

        if (Group is { Length: > 0 } || GroupIndex is not null)
        {
            sb.Append(": ");
        }

        if (Field is not null)
        {
            sb.Append(Field).Append(": ");
        }

        return sb.Append(Message).ToString();
    }
}

/// <summary>A rule file that could not be accepted, with every problem found (not only the first).</summary>
public sealed class RuleFileException(IReadOnlyList<RuleFileError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<RuleFileError> Errors { get; } = errors;
}
