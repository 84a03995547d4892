using System.Globalization;
using System.Text;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>
/// Numbers written as Prometheus writes them: the shortest decimal digits that read back to the same double (as Go's
/// <c>strconv.FormatFloat(v, fmt, -1, 64)</c>), <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.
/// </summary>
public static class PromQlFormat
{
    /// <summary>Go's <c>'f'</c> format: never an exponent (<c>1e-7</c> is <c>0.0000001</c>). Scalars and count_values labels.</summary>
    public static string Decimal(double v) => Format(v, exponent: false);

    /// <summary>
    /// The value of a vector or matrix sample in Prometheus's JSON (<c>jsonutil.MarshalValue</c>): the <c>'f'</c>
    /// format, but Go's <c>'e'</c> format (<c>1.5e-09</c>, <c>1e+21</c>) when the magnitude is below 1e-6 or at least 1e21.
    /// </summary>
    public static string SampleValue(double v)
    {
        var magnitude = Math.Abs(v);
        return Format(v, exponent: magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21));
    }

    private static string Format(double v, bool exponent)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        var (digits, point) = ShortestDigits(Math.Abs(v));
        var sb = new StringBuilder(double.IsNegative(v) ? "-" : "");
        if (exponent)
        {
            // d.ddde±XX, at least two exponent digits.
            var e = point - 1;
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return sb.ToString();
    }

    /// <summary>The shortest round-trip digits of a non-negative finite value, without leading or trailing zeros, and where the
    /// decimal point goes: value = 0.<c>digits</c> × 10^<c>point</c> (zero is "0" with point 1).</summary>
    private static (string Digits, int Point) ShortestDigits(double magnitude)
    {
        if (magnitude == 0)
        {
            return ("0", 1);
        }

        // .NET's "R" is the shortest round-trip form too, sometimes with an exponent ("1.5E-09", "4E+19").
        var text = magnitude.ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = exponentAt < 0 ? 0 : int.Parse(text.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        return (digits, point - leading);
    }
}
