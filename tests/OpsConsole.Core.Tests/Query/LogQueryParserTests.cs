using OpsConsole.Core.Query.Logs;

namespace OpsConsole.Core.Tests.Query;

public sealed class LogQueryParserTests
{
    [Theory]
    [InlineData("(timeout OR retry", 18, "Expected ')' to close the '(' at 1, but the query ends there.")]
    [InlineData("level:error (timeout OR retry service:x", 40, "Expected ')' to close the '(' at 13")]
    [InlineData("timeout) retry", 8, "Unexpected ')' at 8: there is no '(' for it to close.")]
    [InlineData("level:eror", 7, "Unknown level 'eror' at 7 — one of trace, debug, info, warn, error, fatal.")]
    [InlineData("level:>=loud", 9, "Unknown level 'loud' at 9")]
    [InlineData("\"connection refused", 1, "Unterminated quote: the '\"' at 1 has no closing '\"'")]
    [InlineData("timeout AND", 12, "Expected a term after 'AND' at 9, but the query ends there.")]
    [InlineData("timeout OR OR retry", 12, "Expected a term after 'OR' at 9, but found 'OR' at 12.")]
    [InlineData("OR timeout", 1, "'OR' at 1 needs a term on its left")]
    [InlineData("timeout NOT", 12, "Expected a term after 'NOT' at 9")]
    [InlineData("tim*eout", 4, "'*' at 4 only works at the end of a word")]
    [InlineData("*", 1, "A lone '*' at 1 matches everything")]
    [InlineData("foo/ba*", 1, "A wildcard applies to one word")]
    [InlineData("duration_ms:>abc", 14, "'abc' at 14 is not a number")]
    [InlineData("duration_ms:>", 14, "Expected a number after '>' at 14")]
    [InlineData("attr.ratio:<=0.5x", 14, "'0.5x' at 14 is not a number")]
    [InlineData("timeout service:>5", 9, "'service' at 9 cannot be compared with >")]
    [InlineData("level:", 7, "Expected a value after 'level:' at 7")]
    [InlineData("levl:error", 1, "Unknown field 'levl' at 1 — did you mean 'level'?")]
    [InlineData("x servce:api", 3, "did you mean 'service'?")]
    [InlineData("trace_id:xyz", 10, "A trace_id is 32 hex digits")]
    [InlineData("span_id:0123456789abcdef0", 9, "A span_id is 16 hex digits")]
    [InlineData("a ()", 4, "Empty parentheses at 3")]
    [InlineData("- timeout", 1, "'-' at 1 must be followed, without a space, by what to exclude")]
    [InlineData("timeout !!!", 9, "'!!!' at 9 has no letters or digits to search for")]
    [InlineData("x \"\"", 3, "Empty quotes at 3")]
    [InlineData("attr.:x", 1, "'attr.' at 1 needs an attribute name")]
    [InlineData("attr.route:/a*b", 14, "'*' at 14 only works at the end of a value")]
    public void Parse_BadQuery_SaysWhatAndWhere(string query, int position, string message)
    {
        var error = Assert.Throws<LogQueryParseException>(() => LogQueryParser.Parse(query));

        Assert.Equal(position, error.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooDeepOrTooLongOrTooManyTerms_IsRefused()
    {
        var deep = new string('(', 40) + "x" + new string(')', 40);
        var many = string.Join(" OR ", Enumerable.Range(0, LogQueryParser.MaxClauses + 1).Select(i => "t" + i));
        var longQuery = new string('a', LogQueryParser.MaxQueryLength + 1);

        Assert.Contains("nests deeper than 32", Assert.Throws<LogQueryParseException>(() => LogQueryParser.Parse(deep)).Message, StringComparison.Ordinal);
        Assert.Contains("more than 256 terms", Assert.Throws<LogQueryParseException>(() => LogQueryParser.Parse(many)).Message, StringComparison.Ordinal);
        Assert.Contains("at most 4,096", Assert.Throws<LogQueryParseException>(() => LogQueryParser.Parse(longQuery)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeout", "timeout")]
    [InlineData("a b OR c", "((a AND b) OR c)")]
    [InlineData("a OR b c", "(a OR (b AND c))")]
    [InlineData("NOT a b", "(NOT a AND b)")]
    [InlineData("-(a OR b) c", "(NOT (a OR b) AND c)")]
    [InlineData("a and or", "(a AND and AND or)")]
    [InlineData("service:x duration_ms:>=5", "(service:x AND attr.duration_ms:>=5)")]
    [InlineData("attr.msg:\"say \\\"hi\\\"\"", "attr.msg:say \"hi\"")]
    [InlineData("10.0.0.12:5432", "\"10.0.0.12 5432\"")]
    [InlineData("level:>=error", "(level:error OR level:fatal)")]
    [InlineData("attr.k:*", "attr.k:*")]
    public void Parse_Precedence_NotThenAndThenOr(string query, string shape) =>
        Assert.Equal(shape, LogQueryParser.Parse(query).ToString());
}
