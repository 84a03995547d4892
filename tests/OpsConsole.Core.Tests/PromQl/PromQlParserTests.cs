using OpsConsole.Core.Query.PromQl;

namespace OpsConsole.Core.Tests.PromQl;

public sealed class PromQlParserTests
{
    public static TheoryData<string, string> ValidExpressions => new()
    {
        { "42", "42" },
        { "-1.5e3", "-1500" },
        { "0x1F", "31" },
        { "+Inf", "+Inf" },
        { "\"a\\\"b\"", "\"a\\\"b\"" },
        { "'single'", "\"single\"" },
        { "http_requests_total", "http_requests_total" },
        { "http_requests_total{job=\"api\", status=~\"5..\"}", "http_requests_total{job=\"api\", status=~\"5..\"}" },
        { "{__name__=~\"http_.*\"}", "{__name__=~\"http_.*\"}" },
        { "up{job!=\"x\",}", "up{job!=\"x\"}" },
        { "rate(http_requests_total[5m])", "rate(http_requests_total[5m])" },
        { "rate(http_requests_total[90m] offset 1d)", "rate(http_requests_total[1h30m] offset 1d)" },
        { "up offset 1h30m", "up offset 1h30m" },
        { "up offset -5m", "up offset -5m" },
        { "1 + 2 * 3", "(1 + (2 * 3))" },
        { "1 * 2 + 3", "((1 * 2) + 3)" },
        { "2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))" },
        { "-2 ^ 2", "-(2 ^ 2)" },
        { "-up * 2", "(-up * 2)" },
        { "8 - 4 - 2", "((8 - 4) - 2)" },
        { "(1 + 2) * 3", "((1 + 2) * 3)" },
        { "a or b and c unless d", "(a or ((b and c) unless d))" },
        { "a > 1 and b", "((a > 1) and b)" },
        { "a == bool 1", "(a == bool 1)" },
        { "1 < bool 2", "(1 < bool 2)" },
        { "a / on(job) b", "(a / on(job) b)" },
        { "a * ignoring(instance) group_left(team) b", "(a * ignoring(instance) group_left(team) b)" },
        { "a + on(job) group_right b", "(a + on(job) group_right() b)" },
        { "sum by (job) (rate(x[5m]))", "sum by (job) (rate(x[5m]))" },
        { "sum(rate(x[5m])) by (job)", "sum by (job) (rate(x[5m]))" },
        { "avg without (instance) (x)", "avg without (instance) (x)" },
        { "topk(3, x)", "topk(3, x)" },
        { "quantile by (job) (0.9, x)", "quantile by (job) (0.9, x)" },
        { "count_values(\"value\", x)", "count_values(\"value\", x)" },
        { "clamp(x, 0, 1)", "clamp(x, 0, 1)" },
        { "round(x)", "round(x)" },
        { "time()", "time()" },
        { "sum", "sum" },
    };

    [Theory]
    [MemberData(nameof(ValidExpressions))]
    public void Parse_ValidExpression_PrintsExpectedTree(string query, string expected)
    {
        var expr = PromQlParser.Parse(query);

        Assert.Equal(expected, expr.ToString());
    }

    public static TheoryData<string, int, string> InvalidExpressions => new()
    {
        // position (1-based) and the start of the message a person reads
        { "", 1, "empty query at position 1" },
        { "up{", 4, "unexpected end of input at position 4: expected a label name" },
        { "up{job=\"a\",=\"b\"}", 12, "unexpected \"=\" at position 12: expected a label name" },
        { "up{job~\"a\"}", 7, "unexpected character \"~\" at position 7" },
        { "up{job=a}", 8, "unexpected \"a\" at position 8: expected a quoted label value" },
        { "rate(x[5m]", 11, "unexpected end of input at position 11: expected \",\" or \")\" in the argument list of rate" },
        { "x[5]", 3, "unexpected \"5\" at position 3: expected a duration such as 5m" },
        { "1 +", 4, "unexpected end of input at position 4: expected an expression" },
        { "sum(x) by job", 11, "unexpected \"job\" at position 11: expected \"(\" before a list of label names" },
        { "up ==", 6, "unexpected end of input at position 6" },
        { "up{job=\"a\"} foo", 13, "unexpected \"foo\" at position 13: expected an operator or the end of the query" },
        { "nonexistent_fn(x)", 1, "unknown function \"nonexistent_fn\"" },
        { "rate(x)", 1, "argument 1 of \"rate\" must be a range vector, got a instant vector" },
        { "abs(x, y)", 1, "function \"abs\" takes 1 argument(s), got 2" },
        { "1 > 2", 3, "comparisons between scalars must use the bool modifier" },
        { "x + bool y", 5, "\"bool\" is only allowed after a comparison operator" },
        { "1 and x", 3, "set operator \"and\" needs instant vectors on both sides" },
        { "{job=~\".*\"}", 1, "a vector selector needs at least one matcher that does not match the empty string" },
        { "up{job=~\"(\"}", 9, "invalid regular expression \"(\" for label \"job\"" },
        { "\"unterminated", 1, "unterminated string starting at position 1" },
        { "x[1x]", 3, "bad number or duration \"1x\" at position 3" },
        { "sum(x[5m])", 1, "sum aggregates an instant vector, got a range vector" },
        { "a * on(job) group_left(job) b", 13, "label \"job\" must not occur in on(...) and group_left(...) at once" },
        { "a and group_left b", 7, "no grouping (group_left) allowed for \"and\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidExpressions))]
    public void Parse_InvalidExpression_ThrowsWithPositionAndMessage(string query, int position, string messageStart)
    {
        var e = Assert.Throws<PromQlParseException>(() => PromQlParser.Parse(query));

        Assert.Equal(position, e.Position);
        Assert.StartsWith(messageStart, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rate(x[5m:1m])", "subqueries")]
    [InlineData("x @ 100", "@ modifier")]
    [InlineData("label_join(x, \"a\", \",\", \"b\")", "label_join")]
    [InlineData("group(x)", "group")]
    public void Parse_KnownButUnsupportedFeature_ThrowsUnsupported(string query, string named)
    {
        var e = Assert.Throws<PromQlUnsupportedException>(() => PromQlParser.Parse(query));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NestedQuery_PrintsOneNodePerIndentedLine()
    {
        var expr = PromQlParser.Parse("sum by (job) (rate(http_requests_total{status=\"500\"}[5m])) / 2");

        Assert.Equal(
            """
            BinaryExpr /
              Aggregation sum by (job)
                Call rate
                  MatrixSelector http_requests_total{status="500"}[5m]
              NumberLiteral 2
            """,
            expr.Explain());
    }

    [Fact]
    public void Parse_DeeplyNestedParentheses_ThrowsInsteadOfCrashing()
    {
        var query = new string('(', 10_000) + "1" + new string(')', 10_000);

        var e = Assert.Throws<PromQlParseException>(() => PromQlParser.Parse(query));

        // the 201st level opens after the 200th "("
        Assert.Equal(201, e.Position);
        Assert.Equal("expression nested too deeply at position 201: at most 200 levels are allowed", e.Message);
    }

    [Theory]
    [InlineData("1h30m", 5_400_000L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("250ms", 250L)]
    [InlineData("2w3d", 1_468_800_000L)]
    public void DurationTryParseMs_PrometheusDurations_Milliseconds(string text, long expected)
    {
        Assert.Equal(expected, PromQlDuration.TryParseMs(text));
    }

    [Theory]
    [InlineData("30m1h")] // largest unit first
    [InlineData("5")]
    [InlineData("99999999999999999999y")]
    public void DurationTryParseMs_NotADuration_Null(string text)
    {
        Assert.Null(PromQlDuration.TryParseMs(text));
    }

    [Fact]
    public void Explain_VectorMatching_ShowsModifiers()
    {
        var expr = PromQlParser.Parse("a * on(job) group_left(team) b > bool 1");

        Assert.Equal(
            """
            BinaryExpr > bool
              BinaryExpr * on(job) group_left(team)
                VectorSelector a
                VectorSelector b
              NumberLiteral 1
            """,
            expr.Explain());
    }
}
