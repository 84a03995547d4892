namespace OpsConsole.Core.Rules;

/// <summary>Prometheus's (classic) naming rules: metric names <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, label names <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
public static class RuleNames
{
    public static bool IsValidMetricName(string? name) => IsValid(name, allowColon: true);

    public static bool IsValidLabelName(string? name) => IsValid(name, allowColon: false);

    private static bool IsValid(string? name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
