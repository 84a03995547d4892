using System.Globalization;
using System.Text;

namespace OpsConsole.Core.Query.PromQl;

internal enum TokenKind
{
    End,
    Number,
    String,
    Duration,
    Identifier,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    Assign,
    Equal,
    NotEqual,
    RegexMatch,
    RegexNoMatch,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
}

/// <summary>One token; <see cref="Position"/> is 1-based; <see cref="Text"/> is the decoded value for strings.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0, long DurationMs = 0)
{
    public string Shown => Kind switch
    {
        TokenKind.End => "end of input",
        TokenKind.String => "string " + PromQlExpr.Quote(Text),
        _ => "\"" + Text + "\"",
    };
}

/// <summary>Splits PromQL text into tokens; a number directly followed by a time unit is a duration.</summary>
internal static class PromQlLexer
{
    public static List<Token> Tokenize(string query)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < query.Length && char.IsWhiteSpace(query[i]))
            {
                i++;
            }

            if (i < query.Length && query[i] == '#')
            {
                while (i < query.Length && query[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (i >= query.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", query.Length + 1));
                return tokens;
            }

            var c = query[i];
            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < query.Length && char.IsAsciiDigit(query[i + 1])))
            {
                tokens.Add(ReadNumberOrDuration(query, ref i));
                continue;
            }

            // A colon before a digit or ']' separates a subquery's range and step (x[5m:1m]); otherwise it starts a name.
            if (IsIdentifierStart(c) && !(c == ':' && (i + 1 >= query.Length || char.IsAsciiDigit(query[i + 1]) || query[i + 1] == ']')))
            {
                while (i < query.Length && IsIdentifierPart(query[i]))
                {
                    i++;
                }

                var word = query[start..i];
                var lower = word.ToLowerInvariant();
                if (lower is "inf" or "nan")
                {
                    tokens.Add(new Token(TokenKind.Number, word, start + 1, lower == "inf" ? double.PositiveInfinity : double.NaN));
                }
                else
                {
                    tokens.Add(new Token(TokenKind.Identifier, word, start + 1));
                }

                continue;
            }

            if (c is '"' or '\'' or '`')
            {
                tokens.Add(ReadString(query, ref i));
                continue;
            }

            var two = i + 1 < query.Length ? query.Substring(i, 2) : "";
            var (kind, length) = two switch
            {
                "==" => (TokenKind.Equal, 2),
                "!=" => (TokenKind.NotEqual, 2),
                "=~" => (TokenKind.RegexMatch, 2),
                "!~" => (TokenKind.RegexNoMatch, 2),
                "<=" => (TokenKind.LessOrEqual, 2),
                ">=" => (TokenKind.GreaterOrEqual, 2),
                _ => c switch
                {
                    '(' => (TokenKind.LeftParen, 1),
                    ')' => (TokenKind.RightParen, 1),
                    '{' => (TokenKind.LeftBrace, 1),
                    '}' => (TokenKind.RightBrace, 1),
                    '[' => (TokenKind.LeftBracket, 1),
                    ']' => (TokenKind.RightBracket, 1),
                    ',' => (TokenKind.Comma, 1),
                    ':' => (TokenKind.Colon, 1),
                    '@' => (TokenKind.At, 1),
                    '=' => (TokenKind.Assign, 1),
                    '<' => (TokenKind.Less, 1),
                    '>' => (TokenKind.Greater, 1),
                    '+' => (TokenKind.Plus, 1),
                    '-' => (TokenKind.Minus, 1),
                    '*' => (TokenKind.Star, 1),
                    '/' => (TokenKind.Slash, 1),
                    '%' => (TokenKind.Percent, 1),
                    '^' => (TokenKind.Caret, 1),
                    _ => throw new PromQlParseException($"unexpected character \"{c}\" at position {start + 1}", start + 1),
                },
            };
            i += length;
            tokens.Add(new Token(kind, query.Substring(start, length), start + 1));
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or ':';

    private static Token ReadNumberOrDuration(string query, ref int i)
    {
        var start = i;

        // A duration: digits+unit pairs with no identifier character after them (5m, 1h30m, 250ms).
        var j = i;
        while (j < query.Length && (char.IsAsciiLetterOrDigit(query[j]) || query[j] is '_' or '.'))
        {
            j++;
        }

        var word = query[start..j];
        if (PromQlDuration.TryParseMs(word) is { } ms)
        {
            i = j;
            return new Token(TokenKind.Duration, word, start + 1, DurationMs: ms);
        }

        if (word.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(word.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            i = j;
            return new Token(TokenKind.Number, word, start + 1, hex);
        }

        while (i < query.Length && char.IsAsciiDigit(query[i]))
        {
            i++;
        }

        if (i < query.Length && query[i] == '.')
        {
            i++;
            while (i < query.Length && char.IsAsciiDigit(query[i]))
            {
                i++;
            }
        }

        if (i < query.Length && query[i] is 'e' or 'E')
        {
            var k = i + 1;
            if (k < query.Length && query[k] is '+' or '-')
            {
                k++;
            }

            if (k < query.Length && char.IsAsciiDigit(query[k]))
            {
                i = k;
                while (i < query.Length && char.IsAsciiDigit(query[i]))
                {
                    i++;
                }
            }
        }

        if (i < query.Length && IsIdentifierPart(query[i]))
        {
            throw new PromQlParseException(
                $"bad number or duration \"{word}\" at position {start + 1}: durations are digits with a unit (ms, s, m, h, d, w, y), largest unit first, e.g. 1h30m",
                start + 1);
        }

        var text = query[start..i];

        // As Prometheus (Go's ParseInt with base 0, then ParseFloat): a leading 0 makes an integer octal (010 is 8,
        // 08 is 8 again because 8 is no octal digit), and a number too large for a double is an error, not +Inf.
        if (text.Length > 1 && text[0] == '0' && text.All(c => c is >= '0' and <= '7'))
        {
            try
            {
                return new Token(TokenKind.Number, text, start + 1, Convert.ToInt64(text, 8));
            }
            catch (OverflowException)
            {
                // Too long for 64 bits: Go falls back to reading it as a decimal float.
            }
        }

        var value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
        {
            throw new PromQlParseException($"number \"{text}\" at position {start + 1} is out of range: the largest is about 1.8e308 (or write Inf)", start + 1);
        }

        return new Token(TokenKind.Number, text, start + 1, value);
    }

    /// <summary>
    /// A quoted string with Go's escapes, as Prometheus reads them: <c>\a \b \f \n \r \t \v \\</c>, the enclosing quote,
    /// <c>\ooo</c> (octal) and <c>\xhh</c> (bytes, so <c>\xc3\xa9</c> is "é"), <c>\uhhhh</c> and <c>\Uhhhhhhhh</c> (code
    /// points). Backquoted strings are raw.
    /// </summary>
    private static Token ReadString(string query, ref int i)
    {
        var start = i;
        var quote = query[i++];
        var bytes = new List<byte>();
        Span<byte> encoded = stackalloc byte[4];
        while (i < query.Length && query[i] != quote)
        {
            var c = query[i++];
            if (c == '\\' && quote != '`')
            {
                ReadEscape(query, ref i, quote, bytes);
                continue;
            }

            if (c == '\n' && quote != '`')
            {
                throw new PromQlParseException($"unterminated string starting at position {start + 1}: a newline is not allowed in a quoted string", start + 1);
            }

            // Literal text: its UTF-8 bytes (a surrogate pair is one code point).
            var rune = char.IsHighSurrogate(c) && i < query.Length && char.IsLowSurrogate(query[i]) ? new Rune(c, query[i++]) : new Rune(char.IsSurrogate(c) ? '\uFFFD' : c);
            var length = rune.EncodeToUtf8(encoded);
            for (var b = 0; b < length; b++)
            {
                bytes.Add(encoded[b]);
            }
        }

        if (i >= query.Length)
        {
            throw new PromQlParseException($"unterminated string starting at position {start + 1}: add the closing {quote}", start + 1);
        }

        i++;
        return new Token(TokenKind.String, Encoding.UTF8.GetString([.. bytes]), start + 1);
    }

    private static void ReadEscape(string query, ref int i, char quote, List<byte> bytes)
    {
        var at = i; // 1-based position of the character after the backslash
        if (i >= query.Length)
        {
            throw new PromQlParseException($"escape sequence not terminated at position {at}", at);
        }

        var e = query[i++];
        char? simple = e switch
        {
            'a' => '\a',
            'b' => '\b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            '\\' => '\\',
            _ when e == quote => e,
            _ => null,
        };
        if (simple is { } ch)
        {
            bytes.Add((byte)ch);
            return;
        }

        var (digits, radix, max, isByte) = e switch
        {
            >= '0' and <= '7' => (3, 8, 255, true),
            'x' => (2, 16, 255, true),
            'u' => (4, 16, 0x10FFFF, false),
            'U' => (8, 16, 0x10FFFF, false),
            _ => throw new PromQlParseException($"unknown escape sequence \"\\{e}\" at position {at}: use \\n, \\t, \\\\, \\{quote}, \\x41, \\u00e9 …", at),
        };
        if (e is >= '0' and <= '7')
        {
            i--; // the first octal digit is part of the value
        }

        long value = 0;
        for (var d = 0; d < digits; d++)
        {
            var digit = i < query.Length ? HexValue(query[i]) : 16;
            if (digit >= radix)
            {
                throw new PromQlParseException(
                    i < query.Length ? $"illegal character \"{query[i]}\" in escape sequence at position {i + 1}" : $"escape sequence not terminated at position {at}",
                    i + 1);
            }

            value = (value * radix) + digit;
            i++;
        }

        if (value > max || value is >= 0xD800 and < 0xE000)
        {
            throw new PromQlParseException($"escape sequence at position {at} is an invalid Unicode code point", at);
        }

        if (isByte)
        {
            bytes.Add((byte)value);
            return;
        }

        Span<byte> encoded = stackalloc byte[4];
        var length = new Rune((int)value).EncodeToUtf8(encoded);
        for (var b = 0; b < length; b++)
        {
            bytes.Add(encoded[b]);
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => 16,
    };
}
