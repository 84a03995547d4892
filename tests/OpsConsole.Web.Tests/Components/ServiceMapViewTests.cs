using Bunit;
using OpsConsole.Core.Traces;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Components.Traces;

namespace OpsConsole.Web.Tests.Components;

public sealed class ServiceMapViewTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Span S(int trace, ulong id, ulong parent, string service, SpanKind kind, bool error = false, params (string, string)[] attributes) => new()
    {
        TenantId = "acme", TraceId = new TraceId(2, (ulong)trace), SpanId = new SpanId(id), ParentSpanId = new SpanId(parent), Name = "op", Kind = kind,
        StartTimeUnixNano = 1_800_000_000_000_000_000UL, EndTimeUnixNano = 1_800_000_000_000_000_000UL + 20_000_000,
        StatusCode = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
        Attributes = [.. attributes.Select(a => new Domain.Telemetry.Attribute(a.Item1, AttributeValue.Of(a.Item2)))],
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of(service))]),
    };

    private static ServiceMapGraph Graph()
    {
        var b = new ServiceMapBuilder();
        for (var t = 0; t < 10; t++)
        {
            b.AddTrace(
            [
                S(t, 1, 0, "api-gateway", SpanKind.Server),
                S(t, 2, 1, "rag-service", SpanKind.Server, error: t == 0),
                S(t, 3, 2, "rag-service", SpanKind.Client, false, ("db.system", "postgresql")),
            ]);
        }

        return b.Build(From, From + TimeSpan.FromMinutes(1), complete: true);
    }

    [Fact]
    public async Task Map_DrawsNodesAndEdges_NodesLinkToTheirDashboardEdgesToTheirTraces()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);

        var cut = ctx.Render<ServiceMapView>(p => p.Add(c => c.Graph, Graph()).Add(c => c.RangeQuery, "range=1h"));

        var nodes = cut.FindAll("[data-testid=map-node]");
        Assert.Equal(["api-gateway", "rag-service", "postgresql"], nodes.Select(n => n.GetAttribute("data-node")));
        Assert.Equal("/services?service=rag-service", nodes[1].GetAttribute("href"));
        Assert.Equal("dependency", nodes[2].GetAttribute("data-kind"));
        var edges = cut.FindAll("[data-testid=map-edge]");
        var call = Assert.Single(edges, e => e.GetAttribute("data-to") == "rag-service");
        Assert.Equal("/traces?services=api-gateway%2Crag-service&range=1h", call.GetAttribute("href"));
        Assert.Contains("10/min", call.TextContent);
        Assert.Contains("10% err", call.TextContent);
        Assert.Contains("p95 20 ms", call.TextContent);
        var db = Assert.Single(edges, e => e.GetAttribute("data-to") == "postgresql");
        Assert.Equal("/traces?service=rag-service&tag=db.system%3Dpostgresql&range=1h", db.GetAttribute("href"));
    }

    [Fact]
    public async Task Map_NoTraces_SaysSoInsteadOfAnEmptyPicture()
    {
        await using var ctx = ComponentTestContext.Create(Role.Operator);

        var cut = ctx.Render<ServiceMapView>(p => p.Add(c => c.Graph, ServiceMapGraph.Empty(From, From.AddHours(1))));

        Assert.NotNull(cut.Find("[data-testid=map-empty]"));
        Assert.Empty(cut.FindAll("svg[data-testid=service-map]"));
    }
}
