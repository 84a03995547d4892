using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Traces;

/// <summary>One span in a <see cref="TraceTree"/>, at its place in the depth-first order.</summary>
public sealed class TraceNode
{
    internal TraceNode(Span span, int index) => (Span, Index) = (span, index);

    public Span Span { get; }

    /// <summary>Position in <see cref="TraceTree.Nodes"/> (depth-first, children by start time).</summary>
    public int Index { get; internal set; }

    /// <summary>0 for roots; a span whose parent has not arrived is shown as a root with <see cref="ParentMissing"/>.</summary>
    public int Depth { get; internal set; }

    public TraceNode? Parent { get; internal set; }

    public bool ParentMissing { get; internal set; }

    /// <summary>Children in start order.</summary>
    public IReadOnlyList<TraceNode> Children => _children;

    /// <summary>How many nodes follow this one in the depth-first order and belong to its subtree.</summary>
    public int Descendants { get; internal set; }

    /// <summary>Index of the span's service in <see cref="TraceTree.Services"/> (stable colours: order of first appearance).</summary>
    public int ServiceIndex { get; internal set; }

    /// <summary>Offset of the span's start from the trace start, and its duration (never negative).</summary>
    public TimeSpan Offset { get; internal set; }

    public TimeSpan Duration => Span.Duration;

    public bool IsError => Span.StatusCode == SpanStatusCode.Error;

    /// <summary>The parts of this span's own time that lie on the critical path (absolute nanoseconds, [start, end)).</summary>
    public IReadOnlyList<(ulong StartNs, ulong EndNs)> CriticalSections => _critical;

    public bool OnCriticalPath => _critical.Count > 0;

    /// <summary>Whether a span in the subtree (this one included) is an error.</summary>
    public bool SubtreeHasError { get; internal set; }

    internal List<TraceNode> MutableChildren => _children;

    internal List<(ulong StartNs, ulong EndNs)> MutableCritical => _critical;

    private readonly List<TraceNode> _children = [];
    private readonly List<(ulong StartNs, ulong EndNs)> _critical = [];
}

/// <summary>
/// A trace as a tree for the waterfall, independent of the UI: spans nested under their parents (children by start
/// time), depth-first order, per-service colour indexes and the critical path — built in O(n log n) so a trace of tens
/// of thousands of spans is ready in milliseconds. Duplicate span ids (a re-sent export) are kept once; a span whose
/// parent is not in the trace (not arrived yet, or lost) becomes a root marked <see cref="TraceNode.ParentMissing"/>.
/// </summary>
public sealed class TraceTree
{
    private TraceTree(TraceId traceId, List<TraceNode> nodes, List<TraceNode> roots, List<string> services, ulong startNs, ulong endNs, int errors)
    {
        TraceId = traceId;
        Nodes = nodes;
        Roots = roots;
        Services = services;
        StartNs = startNs;
        EndNs = endNs;
        ErrorCount = errors;
    }

    public TraceId TraceId { get; }

    /// <summary>Every span, depth-first; children in start order.</summary>
    public IReadOnlyList<TraceNode> Nodes { get; }

    public IReadOnlyList<TraceNode> Roots { get; }

    /// <summary>Services in order of first appearance (by start time).</summary>
    public IReadOnlyList<string> Services { get; }

    public ulong StartNs { get; }

    public ulong EndNs { get; }

    public TimeSpan Duration => TimeSpan.FromTicks((long)((EndNs - StartNs) / 100));

    public int ErrorCount { get; }

    public int MaxDepth => Nodes.Count == 0 ? 0 : Nodes.Max(n => n.Depth);

    /// <summary>The root the critical path starts from: the root span (no parent), else the longest parentless span.</summary>
    public TraceNode? MainRoot { get; private set; }

    public static TraceTree Build(IReadOnlyList<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var ordered = new List<Span>(spans.Count);
        var seen = new HashSet<ulong>();
        foreach (var s in spans)
        {
            if (seen.Add(s.SpanId.Value))
            {
                ordered.Add(s);
            }
        }

        // Start order (then span id), so children come out sorted and colours follow first appearance.
        ordered.Sort(static (a, b) =>
        {
            var c = a.StartTimeUnixNano.CompareTo(b.StartTimeUnixNano);
            return c != 0 ? c : a.SpanId.Value.CompareTo(b.SpanId.Value);
        });

        var byId = new Dictionary<ulong, TraceNode>(ordered.Count);
        var all = new List<TraceNode>(ordered.Count);
        var services = new List<string>();
        var serviceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        ulong start = ulong.MaxValue, end = 0;
        var errors = 0;
        foreach (var s in ordered)
        {
            var node = new TraceNode(s, all.Count);
            if (!serviceIndex.TryGetValue(s.ServiceName, out var si))
            {
                si = services.Count;
                services.Add(s.ServiceName);
                serviceIndex.Add(s.ServiceName, si);
            }

            node.ServiceIndex = si;
            byId[s.SpanId.Value] = node;
            all.Add(node);
            start = Math.Min(start, s.StartTimeUnixNano);
            end = Math.Max(end, Math.Max(s.StartTimeUnixNano, s.EndTimeUnixNano));
            errors += s.StatusCode == SpanStatusCode.Error ? 1 : 0;
        }

        var roots = new List<TraceNode>();
        foreach (var node in all)
        {
            var parentId = node.Span.ParentSpanId;
            if (!parentId.IsEmpty && parentId != node.Span.SpanId && byId.TryGetValue(parentId.Value, out var parent))
            {
                parent.MutableChildren.Add(node);
                node.Parent = parent;
            }
            else
            {
                node.ParentMissing = !parentId.IsEmpty;
                roots.Add(node);
            }
        }

        // Depth-first order without recursion (a deep chain must not exhaust the stack); a parent cycle (corrupt
        // data) leaves its members unreached, and they are shown as roots.
        var nodes = new List<TraceNode>(all.Count);
        var visited = new bool[all.Count];
        Walk(roots, nodes, visited);
        foreach (var node in all)
        {
            if (!visited[node.Index])
            {
                node.Parent?.MutableChildren.Remove(node);
                node.Parent = null;
                node.ParentMissing = true;
                roots.Add(node);
                Walk([node], nodes, visited);
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            nodes[i].Index = i;
            nodes[i].Offset = TimeSpan.FromTicks((long)((nodes[i].Span.StartTimeUnixNano - start) / 100));
        }

        // Subtree sizes and error flags, children before parents (reverse depth-first order).
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            var n = nodes[i];
            n.SubtreeHasError |= n.IsError;
            if (n.Parent is { } p)
            {
                p.Descendants += n.Descendants + 1;
                p.SubtreeHasError |= n.SubtreeHasError;
            }
        }

        var tree = new TraceTree(all.Count > 0 ? all[0].Span.TraceId : default, nodes, roots, services, all.Count > 0 ? start : 0, all.Count > 0 ? end : 0, errors);
        tree.ComputeCriticalPath();
        return tree;
    }

    private static void Walk(List<TraceNode> roots, List<TraceNode> output, bool[] visited)
    {
        var stack = new Stack<(TraceNode Node, int Depth)>();
        for (var i = roots.Count - 1; i >= 0; i--)
        {
            stack.Push((roots[i], 0));
        }

        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (visited[node.Index])
            {
                continue;
            }

            visited[node.Index] = true;
            node.Depth = depth;
            output.Add(node);
            var children = node.MutableChildren;
            for (var i = children.Count - 1; i >= 0; i--)
            {
                stack.Push((children[i], depth + 1));
            }
        }
    }

    /// <summary>
    /// The critical path: the chain of work that determined when the trace finished. From the main root's end, walk
    /// back: the child that finished last (before the point reached) is on the path — its own path is followed first,
    /// then the walk continues in the parent from that child's start; time in the parent not covered by such children
    /// is the parent's own. Children are clipped to their parent's time. O(n log n) (children sorted by end).
    /// </summary>
    private void ComputeCriticalPath()
    {
        TraceNode? main = null;
        foreach (var r in Roots)
        {
            if (main is null || (r.Span.IsRoot && !main.Span.IsRoot)
                || (r.Span.IsRoot == main.Span.IsRoot && End(r) - r.Span.StartTimeUnixNano > End(main) - main.Span.StartTimeUnixNano))
            {
                main = r;
            }
        }

        MainRoot = main;
        if (main is null)
        {
            return;
        }

        // Per node: children by (clipped) end, latest first, and a cursor into that list.
        var byEnd = new Dictionary<TraceNode, (List<TraceNode> Children, int Next)>();
        var stack = new Stack<(TraceNode Node, ulong Cursor)>();
        stack.Push((main, End(main)));
        while (stack.Count > 0)
        {
            var (node, cursor) = stack.Pop();
            if (!byEnd.TryGetValue(node, out var state))
            {
                var sorted = new List<TraceNode>(node.Children);
                var nodeStart = node.Span.StartTimeUnixNano;
                var nodeEnd = End(node);
                sorted.Sort((a, b) => Clip(End(b), nodeStart, nodeEnd).CompareTo(Clip(End(a), nodeStart, nodeEnd)));
                state = (sorted, 0);
            }

            var s = node.Span.StartTimeUnixNano;
            var e = End(node);
            TraceNode? next = null;
            while (state.Next < state.Children.Count)
            {
                var child = state.Children[state.Next++];
                var childEnd = Clip(End(child), s, e);
                var childStart = Clip(child.Span.StartTimeUnixNano, s, e);
                if (childEnd <= cursor && childStart < childEnd)
                {
                    next = child;
                    break;
                }
            }

            byEnd[node] = state;
            if (next is null)
            {
                AddSection(node, s, cursor);
                continue;
            }

            var nextEnd = Clip(End(next), s, e);
            AddSection(node, nextEnd, cursor);
            stack.Push((node, Clip(next.Span.StartTimeUnixNano, s, e))); // the parent resumes from the child's start
            stack.Push((next, nextEnd));
        }

        foreach (var n in Nodes)
        {
            n.MutableCritical.Reverse(); // sections were found walking back in time
        }
    }

    private static void AddSection(TraceNode node, ulong from, ulong to)
    {
        if (to > from)
        {
            node.MutableCritical.Add((from, to));
        }
    }

    private static ulong End(TraceNode n) => Math.Max(n.Span.StartTimeUnixNano, n.Span.EndTimeUnixNano);

    private static ulong Clip(ulong t, ulong low, ulong high) => Math.Min(Math.Max(t, low), high);

    /// <summary>
    /// The rows to show: depth-first, skipping the subtrees of <paramref name="collapsed"/> spans; with a
    /// <paramref name="filter"/>, only matching spans and their ancestors (so each match keeps its context).
    /// </summary>
    public List<TraceNode> VisibleRows(IReadOnlySet<ulong> collapsed, Func<Span, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(collapsed);
        bool[]? keep = null;
        if (filter is not null)
        {
            keep = new bool[Nodes.Count];
            for (var i = Nodes.Count - 1; i >= 0; i--)
            {
                var n = Nodes[i];
                if (filter(n.Span))
                {
                    for (var a = n; a is not null && !keep[a.Index]; a = a.Parent)
                    {
                        keep[a.Index] = true;
                    }
                }
            }
        }

        var rows = new List<TraceNode>();
        for (var i = 0; i < Nodes.Count;)
        {
            var n = Nodes[i];
            if (keep is not null && !keep[i])
            {
                i++;
                continue;
            }

            rows.Add(n);
            i += collapsed.Contains(n.Span.SpanId.Value) ? n.Descendants + 1 : 1;
        }

        return rows;
    }

    /// <summary>Whether a span contains the text (case-insensitive) in its name, service, id, status message or any
    /// attribute key or value — "search within the trace".</summary>
    public static bool SpanContains(Span span, string text)
    {
        ArgumentNullException.ThrowIfNull(span);
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        text = text.Trim();
        static bool Has(string? s, string t) => s is not null && s.Contains(t, StringComparison.OrdinalIgnoreCase);
        if (Has(span.Name, text) || Has(span.ServiceName, text) || Has(span.SpanId.ToString(), text) || Has(span.StatusMessage, text))
        {
            return true;
        }

        foreach (var a in span.Attributes)
        {
            if (Has(a.Key, text) || Has(a.Value.ToString(), text))
            {
                return true;
            }
        }

        return false;
    }
}
