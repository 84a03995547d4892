using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Traces;

public enum ServiceNodeKind : byte
{
    /// <summary>Sends its own spans.</summary>
    Service = 0,

    /// <summary>Only seen from the calling side: a database, cache, queue or remote API named by a client span.</summary>
    Dependency = 1,
}

/// <summary>A node of the service map, laid out at (<see cref="X"/>, <see cref="Y"/>) (its centre, in SVG units).</summary>
public sealed record ServiceMapNode(string Name, ServiceNodeKind Kind, int Layer, int Order, double X, double Y, long Spans, long Errors)
{
    /// <summary>For a dependency: the span attribute that names it (e.g. <c>db.system=postgresql</c>), to search its calls.</summary>
    public string? IdentifiedBy { get; init; }
}

/// <summary>Calls from one node to another in the range: how many, the rate, how many failed, and latency percentiles
/// of the called side (the child server span, or the client span for a dependency).</summary>
public sealed record ServiceMapEdge(string From, string To, long Calls, double CallsPerSecond, long Errors, double ErrorRate, TimeSpan P50, TimeSpan P95);

public sealed record ServiceMapGraph(
    IReadOnlyList<ServiceMapNode> Nodes, IReadOnlyList<ServiceMapEdge> Edges, DateTimeOffset From, DateTimeOffset To, long SpansRead, bool Complete, double Width, double Height)
{
    public static ServiceMapGraph Empty(DateTimeOffset from, DateTimeOffset to) => new([], [], from, to, 0, true, 0, 0);
}

/// <summary>
/// Builds the service dependency graph from traces: an edge A → B for every span of service B whose parent span is of
/// service A (A ≠ B); and an edge A → D for every client or producer span of A that names a dependency D
/// (<c>peer.service</c>, else <c>db.system</c>, <c>messaging.system</c>, <c>rpc.service</c>, <c>server.address</c>,
/// <c>net.peer.name</c>) and has no child span in another service (when it has one, that service is the callee).
/// Then lays the graph out in layers (callers left of callees) in O(E log E) — see <see cref="Layout"/>.
/// </summary>
public sealed class ServiceMapBuilder
{
    /// <summary>Attributes that name a dependency, most specific first.</summary>
    public static readonly string[] DependencyKeys = ["peer.service", "db.system", "messaging.system", "rpc.service", "server.address", "net.peer.name"];

    public const double LayerSpacing = 240;
    public const double RowSpacing = 90;
    public const double Margin = 80;

    private readonly Dictionary<string, (long Spans, long Errors)> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Spans, long Errors, string IdentifiedBy)> _dependencies = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), EdgeStats> _edges = [];
    private long _spans;

    /// <summary>Adds the spans of one trace.</summary>
    public void AddTrace(IReadOnlyList<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var byId = new Dictionary<ulong, Span>(spans.Count);
        foreach (var s in spans)
        {
            byId.TryAdd(s.SpanId.Value, s);
        }

        var hasRemoteChild = new HashSet<ulong>();
        foreach (var s in byId.Values)
        {
            _spans++;
            var service = s.ServiceName;
            var err = s.StatusCode == SpanStatusCode.Error ? 1 : 0;
            _services[service] = _services.TryGetValue(service, out var stats) ? (stats.Spans + 1, stats.Errors + err) : (1, err);
            if (!s.ParentSpanId.IsEmpty && byId.TryGetValue(s.ParentSpanId.Value, out var parent) && parent.ServiceName != service)
            {
                hasRemoteChild.Add(parent.SpanId.Value);
                Edge(parent.ServiceName, service).Add(s);
            }
        }

        foreach (var s in byId.Values)
        {
            if (s.Kind is not (SpanKind.Client or SpanKind.Producer) || hasRemoteChild.Contains(s.SpanId.Value) || Dependency(s) is not { } dep)
            {
                continue;
            }

            var name = dep.Name;
            if (_services.ContainsKey(name) && name == s.ServiceName)
            {
                continue;
            }

            var err = s.StatusCode == SpanStatusCode.Error ? 1 : 0;
            _dependencies[name] = _dependencies.TryGetValue(name, out var d) ? (d.Spans + 1, d.Errors + err, d.IdentifiedBy) : (1, err, dep.IdentifiedBy);
            Edge(s.ServiceName, name).Add(s);
        }
    }

    /// <summary>The dependency a client span names, and the <c>key=value</c> that names it.</summary>
    public static (string Name, string IdentifiedBy)? Dependency(Span span)
    {
        ArgumentNullException.ThrowIfNull(span);
        foreach (var key in DependencyKeys)
        {
            foreach (var a in span.Attributes)
            {
                if (a.Key == key && a.Value.ToString() is { Length: > 0 } value)
                {
                    return (value, key + "=" + value);
                }
            }
        }

        return null;
    }

    private EdgeStats Edge(string from, string to)
    {
        if (!_edges.TryGetValue((from, to), out var e))
        {
            e = new EdgeStats();
            _edges[(from, to)] = e;
        }

        return e;
    }

    public ServiceMapGraph Build(DateTimeOffset from, DateTimeOffset to, bool complete)
    {
        var seconds = Math.Max((to - from).TotalSeconds, 1);
        var names = new List<(string Name, ServiceNodeKind Kind, long Spans, long Errors, string? By)>();
        foreach (var (name, s) in _services)
        {
            names.Add((name, ServiceNodeKind.Service, s.Spans, s.Errors, null));
        }

        foreach (var (name, d) in _dependencies)
        {
            if (!_services.ContainsKey(name))
            {
                names.Add((name, ServiceNodeKind.Dependency, d.Spans, d.Errors, d.IdentifiedBy));
            }
        }

        names.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var edges = _edges
            .Select(kv => kv.Value.ToEdge(kv.Key.From, kv.Key.To, seconds))
            .OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal)
            .ToList();
        var (positions, width, height) = Layout([.. names.Select(n => n.Name)], [.. edges.Select(e => (e.From, e.To))]);
        var nodes = names.Select(n =>
        {
            var p = positions[n.Name];
            return new ServiceMapNode(n.Name, n.Kind, p.Layer, p.Order, p.X, p.Y, n.Spans, n.Errors) { IdentifiedBy = n.By };
        }).OrderBy(n => n.Layer).ThenBy(n => n.Order).ToList();
        return new ServiceMapGraph(nodes, edges, from, to, _spans, complete, width, height);
    }

    /// <summary>
    /// A layered (Sugiyama-style) layout: cycles are broken by ignoring edges that close one in a depth-first search
    /// from the nodes nobody calls; each node's layer is its longest path from such a node (callers left of callees);
    /// within a layer, nodes are ordered to reduce crossings by a few sweeps of the barycentre of their neighbours in
    /// the adjacent layer (ties by name, so the picture is stable).
    /// </summary>
    public static (Dictionary<string, (int Layer, int Order, double X, double Y)> Positions, double Width, double Height) Layout(
        IReadOnlyList<string> nodes, IReadOnlyList<(string From, string To)> edges)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        var result = new Dictionary<string, (int, int, double, double)>(StringComparer.Ordinal);
        if (nodes.Count == 0)
        {
            return (result, 0, 0);
        }

        var sorted = nodes.OrderBy(n => n, StringComparer.Ordinal).ToList();
        var index = sorted.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var outs = sorted.Select(_ => new List<int>()).ToArray();
        var indegree = new int[sorted.Count];
        foreach (var (f, t) in edges)
        {
            if (index.TryGetValue(f, out var a) && index.TryGetValue(t, out var b) && a != b && !outs[a].Contains(b))
            {
                outs[a].Add(b);
                indegree[b]++;
            }
        }

        foreach (var o in outs)
        {
            o.Sort();
        }

        // Depth-first search from the sources (then any unvisited node) keeps only forward edges: a DAG.
        var state = new byte[sorted.Count]; // 0 new, 1 on stack, 2 done
        var dag = sorted.Select(_ => new List<int>()).ToArray();
        var starts = Enumerable.Range(0, sorted.Count).Where(i => indegree[i] == 0).Concat(Enumerable.Range(0, sorted.Count));
        var topo = new List<int>();
        foreach (var s in starts)
        {
            if (state[s] != 0)
            {
                continue;
            }

            var stack = new Stack<(int Node, int Next)>();
            stack.Push((s, 0));
            state[s] = 1;
            while (stack.Count > 0)
            {
                var (n, next) = stack.Pop();
                if (next < outs[n].Count)
                {
                    stack.Push((n, next + 1));
                    var m = outs[n][next];
                    if (state[m] == 0)
                    {
                        dag[n].Add(m);
                        state[m] = 1;
                        stack.Push((m, 0));
                    }
                    else if (state[m] == 2)
                    {
                        dag[n].Add(m); // a cross or forward edge; only edges back to the stack close cycles
                    }
                }
                else
                {
                    state[n] = 2;
                    topo.Add(n);
                }
            }
        }

        topo.Reverse(); // reverse post-order is a topological order of the DAG
        var layer = new int[sorted.Count];
        foreach (var n in topo)
        {
            foreach (var m in dag[n])
            {
                layer[m] = Math.Max(layer[m], layer[n] + 1);
            }
        }

        var layers = new List<List<int>>();
        for (var i = 0; i < sorted.Count; i++)
        {
            while (layers.Count <= layer[i])
            {
                layers.Add([]);
            }

            layers[layer[i]].Add(i);
        }

        var preds = sorted.Select(_ => new List<int>()).ToArray();
        for (var n = 0; n < sorted.Count; n++)
        {
            foreach (var m in dag[n])
            {
                preds[m].Add(n);
            }
        }

        var order = new double[sorted.Count];
        foreach (var l in layers)
        {
            for (var i = 0; i < l.Count; i++)
            {
                order[l[i]] = i;
            }
        }

        for (var sweep = 0; sweep < 4; sweep++)
        {
            var down = sweep % 2 == 0;
            for (var li = down ? 1 : layers.Count - 2; down ? li < layers.Count : li >= 0; li += down ? 1 : -1)
            {
                var l = layers[li];
                var key = new Dictionary<int, double>();
                foreach (var n in l)
                {
                    var neighbours = down ? preds[n] : dag[n];
                    key[n] = neighbours.Count == 0 ? order[n] : neighbours.Average(m => order[m]);
                }

                l.Sort((a, b) =>
                {
                    var c = key[a].CompareTo(key[b]);
                    return c != 0 ? c : a.CompareTo(b);
                });
                for (var i = 0; i < l.Count; i++)
                {
                    order[l[i]] = i;
                }
            }
        }

        var tallest = layers.Max(l => l.Count);
        for (var li = 0; li < layers.Count; li++)
        {
            var l = layers[li];
            var offset = (tallest - l.Count) * RowSpacing / 2; // centre shorter layers
            for (var i = 0; i < l.Count; i++)
            {
                result[sorted[l[i]]] = (li, i, Margin + (li * LayerSpacing), Margin / 2 + offset + (i * RowSpacing));
            }
        }

        return (result, (2 * Margin) + ((layers.Count - 1) * LayerSpacing), Margin + ((tallest - 1) * RowSpacing));
    }

    private sealed class EdgeStats
    {
        private readonly List<long> _durationTicks = [];
        private long _errors;

        public void Add(Span span)
        {
            _durationTicks.Add(span.Duration.Ticks);
            _errors += span.StatusCode == SpanStatusCode.Error ? 1 : 0;
        }

        public ServiceMapEdge ToEdge(string from, string to, double seconds)
        {
            _durationTicks.Sort();
            var calls = _durationTicks.Count;
            return new ServiceMapEdge(from, to, calls, calls / seconds, _errors, calls == 0 ? 0 : (double)_errors / calls, Percentile(0.50), Percentile(0.95));
        }

        /// <summary>Nearest-rank percentile of the sorted durations.</summary>
        private TimeSpan Percentile(double q)
        {
            if (_durationTicks.Count == 0)
            {
                return TimeSpan.Zero;
            }

            var rank = (int)Math.Ceiling(q * _durationTicks.Count);
            return TimeSpan.FromTicks(_durationTicks[Math.Clamp(rank, 1, _durationTicks.Count) - 1]);
        }
    }
}
