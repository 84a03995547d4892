using System.Globalization;
using System.Text;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>The lexical pieces of the exposition formats: blanks, tokens, metric and label names, float values.</summary>
internal static class ExpositionSyntax
{
    private const int MaxShownLength = 40;

    public static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t';

    public static ReadOnlySpan<byte> SkipBlanks(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && IsBlank(s[i]))
        {
            i++;
        }

        return s[i..];
    }

    public static int SkipBlanks(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && IsBlank(s[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>The bytes up to the next blank (or the end).</summary>
    public static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> s)
    {
        var end = s.IndexOfAny((byte)' ', (byte)'\t');
        return end < 0 ? s : s[..end];
    }

    /// <summary>Length of the metric name <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c> at the start of <paramref name="s"/>.</summary>
    public static int MetricNameLength(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !(char.IsAsciiLetter((char)s[0]) || s[0] is (byte)'_' or (byte)':'))
        {
            return 0;
        }

        var i = 1;
        while (i < s.Length && (char.IsAsciiLetterOrDigit((char)s[i]) || s[i] is (byte)'_' or (byte)':'))
        {
            i++;
        }

        return i;
    }

    /// <summary>Length of the label name <c>[a-zA-Z_][a-zA-Z0-9_]*</c> at the start of <paramref name="s"/>.</summary>
    public static int LabelNameLength(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !(char.IsAsciiLetter((char)s[0]) || s[0] == (byte)'_'))
        {
            return 0;
        }

        var i = 1;
        while (i < s.Length && (char.IsAsciiLetterOrDigit((char)s[i]) || s[i] == (byte)'_'))
        {
            i++;
        }

        return i;
    }

    /// <summary>A float as Prometheus reads it: decimal or scientific notation, <c>NaN</c>, <c>Inf</c>/<c>Infinity</c> with an optional sign, any case.</summary>
    public static bool TryParseValue(ReadOnlySpan<byte> token, out double value)
    {
        var unsigned = token.Length > 0 && token[0] is (byte)'+' or (byte)'-' ? token[1..] : token;
        if (unsigned.Length is 3 or 8 && char.IsAsciiLetter((char)unsigned[0]))
        {
            var negative = token[0] == (byte)'-';
            if (Ascii.EqualsIgnoreCase(unsigned, "inf"u8) || Ascii.EqualsIgnoreCase(unsigned, "infinity"u8))
            {
                value = negative ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }

            if (Ascii.EqualsIgnoreCase(unsigned, "nan"u8))
            {
                value = double.NaN;
                return true;
            }

            value = 0;
            return false;
        }

        if (unsigned.IsEmpty || !(char.IsAsciiDigit((char)unsigned[0]) || unsigned[0] == (byte)'.'))
        {
            value = 0;
            return false;
        }

        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A short, printable excerpt of the input for an error message.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.Length > MaxShownLength ? bytes[..MaxShownLength] : bytes);
        var builder = new StringBuilder(text.Length + 3);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        if (bytes.Length > MaxShownLength)
        {
            builder.Append("...");
        }

        return builder.ToString();
    }
}
