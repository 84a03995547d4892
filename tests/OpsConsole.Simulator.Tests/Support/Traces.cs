using System.Diagnostics;

namespace OpsConsole.Simulator.Tests.Support;

/// <summary>Captured spans grouped into traces, with parent/child navigation.</summary>
internal sealed class Traces
{
    private readonly ILookup<ActivityTraceId, CapturedSpan> _byTrace;

    public Traces(IEnumerable<CapturedSpan> spans) => _byTrace = spans.ToLookup(s => s.Activity.TraceId);

    public IEnumerable<CapturedSpan> Roots => _byTrace.SelectMany(t => t).Where(s => s.ParentId is null);

    public IReadOnlyList<CapturedSpan> Trace(ActivityTraceId id) => [.. _byTrace[id]];

    public IReadOnlyList<CapturedSpan> ChildrenOf(CapturedSpan parent) =>
        [.. _byTrace[parent.Activity.TraceId].Where(s => s.ParentId == parent.Activity.SpanId).OrderBy(s => s.Activity.StartTimeUtc)];

    public CapturedSpan Child(CapturedSpan parent, string service, string name)
    {
        var matches = ChildrenOf(parent).Where(s => s.Service == service && s.Activity.DisplayName == name).ToList();
        Assert.True(matches.Count > 0,
            $"{parent.Service} '{parent.Activity.DisplayName}' has no child {service} '{name}'; children: "
            + string.Join(", ", ChildrenOf(parent).Select(c => $"{c.Service} '{c.Activity.DisplayName}'")));
        return matches[0];
    }

    /// <summary>A root span named <paramref name="name"/> whose trace has a span named <paramref name="containing"/>.</summary>
    public CapturedSpan RootWith(string name, string containing) =>
        Roots.First(r => r.Activity.DisplayName == name && _byTrace[r.Activity.TraceId].Any(s => s.Activity.DisplayName == containing));
}
