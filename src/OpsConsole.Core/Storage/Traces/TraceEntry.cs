using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Traces;

/// <summary>The spans of one trace of one tenant as held by the <see cref="SpanStore"/>. Guarded by its lock.</summary>
internal sealed class TraceEntry(string tenantId, TraceId traceId)
{
    private const int LinearDuplicateCheckLimit = 32;

    private HashSet<ulong>? _spanIds;

    public string TenantId { get; } = tenantId;

    public TraceId TraceId { get; } = traceId;

    public List<Span> Spans { get; } = [];

    public ulong StartNs { get; set; } = ulong.MaxValue;

    public ulong EndNs { get; set; }

    public long EstimatedBytes { get; set; }

    /// <summary>How many key=value tag postings of the store's tag index point at this trace.</summary>
    public int IndexedTags { get; set; }

    /// <summary>The resource whose attributes were last indexed for this trace (its other spans from it add nothing).</summary>
    public TelemetryResource? LastTaggedResource { get; set; }

    public int ErrorCount { get; private set; }

    public TimeSpan Duration => TimeSpan.FromTicks((long)((EndNs - Math.Min(StartNs, EndNs)) / 100));

    /// <summary>Whether a span with this id is already held (a re-sent export).</summary>
    public bool Contains(SpanId spanId)
    {
        if (_spanIds is not null)
        {
            return _spanIds.Contains(spanId.Value);
        }

        foreach (var s in Spans)
        {
            if (s.SpanId == spanId)
            {
                return true;
            }
        }

        return false;
    }

    public void Add(Span span)
    {
        Spans.Add(span);
        if (span.StatusCode == SpanStatusCode.Error)
        {
            ErrorCount++;
        }

        if (_spanIds is not null)
        {
            _spanIds.Add(span.SpanId.Value);
        }
        else if (Spans.Count > LinearDuplicateCheckLimit)
        {
            _spanIds = [];
            foreach (var s in Spans)
            {
                _spanIds.Add(s.SpanId.Value);
            }
        }

        EndNs = Math.Max(EndNs, Math.Max(span.EndTimeUnixNano, span.StartTimeUnixNano));
    }

    public bool HasService(string service)
    {
        foreach (var s in Spans)
        {
            if (s.ServiceName == service)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The distinct (service, operation) pairs of the trace, for removing it from the indexes.</summary>
    public HashSet<(string Service, string Operation)> Operations()
    {
        var set = new HashSet<(string, string)>();
        foreach (var s in Spans)
        {
            set.Add((s.ServiceName, s.Name));
        }

        return set;
    }

    public TraceSummary Summarize()
    {
        Span? root = null;
        Span? earliest = null;
        var services = new List<string>();
        foreach (var s in Spans)
        {
            if (root is null && s.IsRoot)
            {
                root = s;
            }

            if (earliest is null || s.StartTimeUnixNano < earliest.StartTimeUnixNano)
            {
                earliest = s;
            }

            var service = s.ServiceName;
            if (!services.Contains(service))
            {
                services.Add(service);
            }
        }

        services.Sort(StringComparer.Ordinal);
        var head = root ?? earliest!;
        return new TraceSummary(TraceId, TenantId, head.ServiceName, head.Name, root is not null, UnixTime.FromNanos(StartNs), Duration, Spans.Count, services, ErrorCount);
    }
}

/// <summary>Orders traces by start, then id, then tenant (the time index).</summary>
internal sealed class TraceStartOrder : IComparer<TraceEntry>
{
    public static readonly TraceStartOrder Instance = new();

    public int Compare(TraceEntry? x, TraceEntry? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var c = x.StartNs.CompareTo(y.StartNs);
        if (c == 0)
        {
            c = x.TraceId.CompareTo(y.TraceId);
        }

        return c != 0 ? c : string.CompareOrdinal(x.TenantId, y.TenantId);
    }
}
