using OpsConsole.Core.Traces;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Traces;

public sealed class ServiceMapBuilderTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Span S(int trace, ulong id, ulong parent, string service, SpanKind kind, int durationMs, bool error = false, params (string, string)[] attributes) => new()
    {
        TenantId = "acme", TraceId = new TraceId(1, (ulong)trace), SpanId = new SpanId(id), ParentSpanId = new SpanId(parent), Name = service + "-op", Kind = kind,
        StartTimeUnixNano = 1_000_000_000UL * 1_800_000_000, EndTimeUnixNano = (1_000_000_000UL * 1_800_000_000) + ((ulong)durationMs * 1_000_000),
        StatusCode = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
        Attributes = [.. attributes.Select(a => new Domain.Telemetry.Attribute(a.Item1, AttributeValue.Of(a.Item2)))],
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of(service))]),
    };

    /// <summary>20 traces: gateway (server) → gateway client call → rag (server, 10..200 ms, traces 3 and 7 fail) →
    /// rag client span to postgresql (no child: a dependency) and a rag-internal span (no edge).</summary>
    private static ServiceMapGraph Twenty()
    {
        var builder = new ServiceMapBuilder();
        for (var t = 1; t <= 20; t++)
        {
            builder.AddTrace(
            [
                S(t, 1, 0, "api-gateway", SpanKind.Server, 300),
                S(t, 2, 1, "api-gateway", SpanKind.Client, 250, false, ("peer.service", "rag-service")),
                S(t, 3, 2, "rag-service", SpanKind.Server, t * 10, t is 3 or 7),
                S(t, 4, 3, "rag-service", SpanKind.Client, 5, false, ("db.system", "postgresql"), ("server.address", "db.internal")),
                S(t, 5, 3, "rag-service", SpanKind.Internal, 1),
            ]);
        }

        return builder.Build(From, From + TimeSpan.FromSeconds(100), complete: true);
    }

    [Fact]
    public void Build_EdgesFromParentChildAcrossServicesAndClientOnlyDependencies()
    {
        var graph = Twenty();

        Assert.Equal(["api-gateway", "rag-service", "postgresql"], graph.Nodes.Select(n => n.Name));
        Assert.Equal(ServiceNodeKind.Dependency, graph.Nodes[2].Kind);
        Assert.Equal("db.system=postgresql", graph.Nodes[2].IdentifiedBy);
        Assert.Equal([("api-gateway", "rag-service"), ("rag-service", "postgresql")], graph.Edges.Select(e => (e.From, e.To)));
    }

    [Fact]
    public void Build_EdgeStatistics_CallRateErrorRateAndP95OfTheCalledSide()
    {
        var edge = Twenty().Edges.Single(e => e.To == "rag-service");

        Assert.Equal(20, edge.Calls);
        Assert.Equal(0.2, edge.CallsPerSecond, 6);
        Assert.Equal(2, edge.Errors);
        Assert.Equal(0.1, edge.ErrorRate, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(190), edge.P95); // nearest rank: the 19th of 10..200 ms
        Assert.Equal(TimeSpan.FromMilliseconds(100), edge.P50);
    }

    [Fact]
    public void Layout_CallersLeftOfCallees_AndNodesDoNotOverlap()
    {
        var graph = Twenty();

        Assert.Equal([0, 1, 2], graph.Nodes.Select(n => n.Layer));
        Assert.True(graph.Nodes[0].X < graph.Nodes[1].X && graph.Nodes[1].X < graph.Nodes[2].X);
        Assert.True(graph.Width >= graph.Nodes.Max(n => n.X));
    }

    [Fact]
    public void Layout_CyclesAndFanOut_StayLayeredWithDistinctPositions()
    {
        var (positions, _, height) = ServiceMapBuilder.Layout(
            ["a", "b", "c", "d", "e"],
            [("a", "b"), ("b", "a"), ("a", "c"), ("a", "d"), ("b", "e"), ("c", "e"), ("e", "e")]);

        Assert.Equal(0, positions["a"].Layer);
        Assert.True(positions["e"].Layer > positions["c"].Layer);
        Assert.Equal(5, positions.Values.Select(p => (p.X, p.Y)).Distinct().Count());
        Assert.True(height > 0);
    }
}
