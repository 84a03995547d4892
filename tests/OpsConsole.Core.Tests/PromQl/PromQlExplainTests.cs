using OpsConsole.Core.Query.PromQl;

namespace OpsConsole.Core.Tests.PromQl;

public sealed class PromQlExplainTests
{
    [Fact]
    public void From_NestedQuery_GivesEachNodeItsKindOperatorResultTypeAndPosition()
    {
        const string query = "sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m] offset 1h)) / on(service) group_left -up";

        var tree = PromQlExplainNode.From(PromQlParser.Parse(query));

        Assert.Equal(("binaryExpr", "/", "vector", 1), (tree.Type, tree.Operator, tree.ResultType, tree.Position));
        var matching = tree.Matching!;
        Assert.Equal(("many-to-one", true, 0), (matching.Cardinality, matching.On, matching.Include.Count));
        Assert.Equal(["service"], matching.Labels);
        var sum = tree.Children[0];
        Assert.Equal(("aggregation", "sum", 1, false), (sum.Type, sum.Operator, sum.Position, sum.Without));
        Assert.Equal(["service"], sum.Grouping!);
        var rate = Assert.Single(sum.Children);
        Assert.Equal(("call", "rate", "vector", query.IndexOf("rate", StringComparison.Ordinal) + 1), (rate.Type, rate.Function, rate.ResultType, rate.Position));
        var range = Assert.Single(rate.Children);
        Assert.Equal(("matrixSelector", "matrix", "5m", "1h", "http_requests_total"), (range.Type, range.ResultType, range.Range, range.Offset, range.MetricName));
        Assert.Equal(query.IndexOf("http_requests_total", StringComparison.Ordinal) + 1, range.Position);
        Assert.Equal(
            [new PromQlExplainMatcher("status", "=~", "5.."), new PromQlExplainMatcher("__name__", "=", "http_requests_total")],
            range.Matchers!.OrderBy(x => x.Name == "__name__").ToList());
        var minus = tree.Children[1];
        Assert.Equal(("unaryExpr", "-", query.LastIndexOf('-') + 1), (minus.Type, minus.Operator, minus.Position));
        var up = Assert.Single(minus.Children);
        Assert.Equal(("vectorSelector", "up", query.Length - 1), (up.Type, up.MetricName, up.Position));
        Assert.Empty(up.Children);
    }

    [Fact]
    public void From_Literals_ShowTheirValuesAndTypes()
    {
        var tree = PromQlExplainNode.From(PromQlParser.Parse("label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\") > bool 1.5"));

        Assert.Equal(("binaryExpr", ">", true), (tree.Type, tree.Operator, tree.ReturnBool));
        var number = tree.Children[1];
        Assert.Equal(("numberLiteral", "scalar", "1.5", 54), (number.Type, number.ResultType, number.Value, number.Position));
        var dst = tree.Children[0].Children[1];
        Assert.Equal(("stringLiteral", "string", "dst", 19), (dst.Type, dst.ResultType, dst.Value, dst.Position));
    }
}
