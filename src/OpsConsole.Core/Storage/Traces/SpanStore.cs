using System.Runtime.InteropServices;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Traces;

/// <summary>
/// The hot trace store: spans grouped into traces per (tenant, trace id) — late spans join their trace, a re-sent
/// span (same id) is kept once; strings that repeat across spans are shared — and indexed by tenant, service, (service, operation), error status and trace start time.
/// <para>
/// <b>Tenants.</b> A trace belongs to the tenant its spans were accepted for; spans of one trace id accepted for two
/// tenants form two traces, so a tenant-restricted read can never see another tenant's spans.
/// </para>
/// <para>
/// <b>Limits.</b> A trace is evicted, whole, once its start is older than now − retention; spans that start before
/// that on arrival are not stored. Over the memory budget, the traces that started earliest go first.
/// </para>
/// Thread-safe: one lock; results are copies.
/// </summary>
public sealed class SpanStore
{
    private const long SweepIntervalTicks = TimeSpan.TicksPerSecond;
    private const int TraceOverheadBytes = 320;
    private const int SpanIndexBytes = 48;
    private const int TagIndexBytes = 24;
    private const int TagSetBytes = 160;

    /// <summary>Tag values longer than this are not indexed (their traces are always candidates).</summary>
    private const int MaxIndexedTagLength = 128;

    /// <summary>Distinct key=value pairs indexed per trace; a trace with more is always a candidate.</summary>
    private const int MaxIndexedTagsPerTrace = 64;

    /// <summary>Traces a key=value pair is indexed for; a pair this common (a tenant, a route) stops being indexed and
    /// its searches scan the range as before — the index is for the selective pairs (a user, an order, a request).</summary>
    private const int MaxTracesPerTag = 10_000;

    private readonly StoreLimits _limits;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Tenant, TraceId Id), TraceEntry> _traces = [];
    private readonly SortedSet<TraceEntry> _byStart = new(TraceStartOrder.Instance);
    private readonly Dictionary<string, HashSet<TraceEntry>> _byTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<TraceEntry>> _byService = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Service, string Operation), HashSet<TraceEntry>> _byOperation = [];
    private readonly HashSet<TraceEntry> _withErrors = [];
    private readonly Dictionary<(string Key, string Value), HashSet<TraceEntry>?> _byTag = [];
    private readonly HashSet<TraceEntry> _tagsNotIndexed = [];
    private readonly SpanCompactor _compactor = new();
    private long _spans;
    private long _bytes;
    private long _evicted;
    private long _rejected;
    private ulong _newestNs;
    private long _lastSweepTicks = long.MinValue;
    private ulong _coveredFromNs;
    private ulong _budgetEvictedThroughNs;

    public SpanStore(StoreLimits limits, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(timeProvider);
        limits.Validate("traces");
        _limits = limits;
        _time = timeProvider;
        _coveredFromNs = UnixTime.ToNanos(timeProvider.GetUtcNow());
    }

    /// <summary>
    /// The store holds every trace that starts at or after this instant and was accepted (its spans committed) while it
    /// ran: from its creation, or from the start of the window reloaded into it (<see cref="MarkCoveredFrom"/>), but
    /// never before the retention cutoff or the start of a trace that left memory over the budget. Older traces are
    /// only in the database.
    /// </summary>
    public DateTimeOffset CompleteSince
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                var ns = Math.Max(Math.Max(_coveredFromNs, Cutoff(now)), _budgetEvictedThroughNs == 0 ? 0 : _budgetEvictedThroughNs + 1);
                return UnixTime.FromNanos(ns + 99); // up to a whole tick, never before a line that left
            }
        }
    }

    /// <summary>Says that everything from <paramref name="from"/> on was loaded into the store (the start-up reload);
    /// only ever moves the covered window back.</summary>
    public void MarkCoveredFrom(DateTimeOffset from)
    {
        lock (_gate)
        {
            _coveredFromNs = Math.Min(_coveredFromNs, UnixTime.ToNanos(from));
        }
    }

    /// <summary>
    /// The traces (tenant's, or all when null) that start in [from, to), as copies of their span lists, earliest first,
    /// until about <paramref name="maxSpans"/> spans are collected; <c>Complete</c> is false when it stopped early.
    /// </summary>
    public (IReadOnlyList<IReadOnlyList<Span>> Traces, bool Complete) TracesBetween(string? tenantId, DateTimeOffset from, DateTimeOffset to, int maxSpans)
    {
        var fromNs = UnixTime.ToNanos(from);
        var toNs = UnixTime.ToNanos(to);
        var result = new List<IReadOnlyList<Span>>();
        if (fromNs >= toNs)
        {
            return (result, true);
        }

        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            if (_byStart.Count == 0)
            {
                return (result, true);
            }

            var spans = 0;
            var low = new TraceEntry("", default) { StartNs = fromNs };
            var high = new TraceEntry("\uffff", new TraceId(ulong.MaxValue, ulong.MaxValue)) { StartNs = toNs - 1 };
            foreach (var entry in _byStart.GetViewBetween(low, high))
            {
                if (tenantId is not null && entry.TenantId != tenantId)
                {
                    continue;
                }

                if (spans >= maxSpans)
                {
                    return (result, false);
                }

                result.Add([.. entry.Spans]);
                spans += entry.Spans.Count;
            }
        }

        return (result, true);
    }

    /// <summary>Stores spans (one export's worth under one lock). Returns how many were stored; the others were
    /// older than the retention window or repeats of spans already held.</summary>
    public int Add(IReadOnlyList<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return 0;
        }

        var now = _time.GetUtcNow();
        var cutoff = Cutoff(now);
        var added = 0;
        lock (_gate)
        {
            for (var i = 0; i < spans.Count; i++)
            {
                if (AddLocked(spans[i], cutoff))
                {
                    added++;
                }
            }

            SweepIfDueLocked(now);
            EnforceBudgetLocked();
        }

        return added;
    }

    /// <summary>All spans of a trace, ordered by start time (then span id); empty when unknown. A null tenant (admins)
    /// reads the trace id across all tenants.</summary>
    public IReadOnlyList<Span> GetTrace(string? tenantId, TraceId traceId)
    {
        var spans = new List<Span>();
        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            if (tenantId is not null)
            {
                if (_traces.TryGetValue((tenantId, traceId), out var entry))
                {
                    spans.AddRange(entry.Spans);
                }
            }
            else
            {
                foreach (var tenant in _byTenant.Keys)
                {
                    if (_traces.TryGetValue((tenant, traceId), out var entry))
                    {
                        spans.AddRange(entry.Spans);
                    }
                }
            }
        }

        spans.Sort(static (a, b) =>
        {
            var c = a.StartTimeUnixNano.CompareTo(b.StartTimeUnixNano);
            return c != 0 ? c : a.SpanId.Value.CompareTo(b.SpanId.Value);
        });
        return spans;
    }

    /// <summary>Searches traces (see <see cref="TraceQuery"/> for the exact semantics).</summary>
    public PagedResult<TraceSummary> Search(TraceQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, TraceQuery.MaxLimit);
        var from = query.From is { } f ? UnixTime.ToNanos(f) : 0;
        var to = query.To is { } t ? UnixTime.ToNanos(t) : ulong.MaxValue;
        if (from >= to)
        {
            return PagedResult<TraceSummary>.Empty;
        }

        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            var matches = new List<TraceEntry>();
            foreach (var entry in Candidates(query, from, to))
            {
                if (Matches(entry, query, from, to))
                {
                    matches.Add(entry);
                }
            }

            matches.Sort(Order(query.Sort));
            var page = new List<TraceSummary>(Math.Min(limit, matches.Count));
            for (var i = 0; i < matches.Count && i < limit; i++)
            {
                page.Add(matches[i].Summarize());
            }

            return new PagedResult<TraceSummary>(page, matches.Count);
        }
    }

    /// <summary>Services that have traces visible to the tenant (all when null), sorted — for the search form.</summary>
    public IReadOnlyList<string> Services(string? tenantId)
    {
        lock (_gate)
        {
            var list = new List<string>();
            foreach (var (service, entries) in _byService)
            {
                if (tenantId is null || AnyOfTenant(entries, tenantId))
                {
                    list.Add(service);
                }
            }

            list.Sort(StringComparer.Ordinal);
            return list;
        }
    }

    /// <summary>Operations (span names) of a service visible to the tenant (all when null), sorted.</summary>
    public IReadOnlyList<string> Operations(string? tenantId, string service)
    {
        lock (_gate)
        {
            var list = new List<string>();
            foreach (var (key, entries) in _byOperation)
            {
                if (key.Service == service && (tenantId is null || AnyOfTenant(entries, tenantId)))
                {
                    list.Add(key.Operation);
                }
            }

            list.Sort(StringComparer.Ordinal);
            return list;
        }
    }

    /// <summary>Drops traces older than the retention window now (also done on writes and reads, at most once a second).</summary>
    public void EvictExpired()
    {
        lock (_gate)
        {
            SweepLocked(_time.GetUtcNow());
        }
    }

    /// <summary>Spans held, their estimated memory, from the earliest trace start to the latest span end held.</summary>
    public StoreStats Stats()
    {
        lock (_gate)
        {
            SweepIfDueLocked(_time.GetUtcNow());
            var empty = _byStart.Count == 0;
            return new StoreStats(
                _spans,
                _bytes,
                empty ? null : UnixTime.FromNanos(_byStart.Min!.StartNs),
                empty ? null : UnixTime.FromNanos(_newestNs),
                _evicted,
                _rejected);
        }
    }

    private ulong Cutoff(DateTimeOffset now) => UnixTime.ToNanos(now - _limits.Retention);

    private bool AddLocked(Span span, ulong cutoff)
    {
        if (span.StartTimeUnixNano < cutoff)
        {
            _rejected++;
            return false;
        }

        var key = (span.TenantId, span.TraceId);
        if (!_traces.TryGetValue(key, out var entry))
        {
            entry = new TraceEntry(span.TenantId, span.TraceId) { StartNs = span.StartTimeUnixNano, EstimatedBytes = TraceOverheadBytes };
            _traces.Add(key, entry);
            _byStart.Add(entry);
            IndexOf(_byTenant, span.TenantId).Add(entry);
            _bytes += TraceOverheadBytes;
        }
        else if (entry.Contains(span.SpanId))
        {
            return false; // a re-sent export: the span is held already
        }
        else if (span.StartTimeUnixNano < entry.StartNs)
        {
            _byStart.Remove(entry);
            entry.StartNs = span.StartTimeUnixNano;
            _byStart.Add(entry);
        }

        var poolBefore = _compactor.PoolBytes;
        (span, var bytes) = _compactor.Compact(span);
        _bytes += _compactor.PoolBytes - poolBefore;
        entry.Add(span);
        if (span.StatusCode == SpanStatusCode.Error)
        {
            _withErrors.Add(entry);
        }

        var service = span.ServiceName;
        IndexOf(_byService, service).Add(entry);
        if (!_byOperation.TryGetValue((service, span.Name), out var operations))
        {
            operations = [];
            _byOperation[(service, span.Name)] = operations;
        }

        operations.Add(entry);
        bytes += SpanIndexBytes + IndexTagsLocked(entry, span);
        entry.EstimatedBytes += bytes;
        _bytes += bytes;
        _spans++;
        _newestNs = Math.Max(_newestNs, Math.Max(span.EndTimeUnixNano, span.StartTimeUnixNano));
        return true;
    }

    /// <summary>
    /// Adds the span's attributes (its own and its resource's) as key=value postings of its trace, the value as a tag
    /// filter reads it; returns the bytes added. Values too long to index, and pairs past the per-trace bound, are
    /// not indexed: the trace then joins the candidates of every tag search instead.
    /// </summary>
    private int IndexTagsLocked(TraceEntry entry, Span span)
    {
        var bytes = IndexTagsLocked(entry, span.Attributes);
        if (!ReferenceEquals(entry.LastTaggedResource, span.Resource))
        {
            entry.LastTaggedResource = span.Resource;
            bytes += IndexTagsLocked(entry, span.Resource.Attributes);
        }

        return bytes;
    }

    private int IndexTagsLocked(TraceEntry entry, IReadOnlyList<Domain.Telemetry.Attribute> attributes)
    {
        var bytes = 0;
        for (var i = 0; i < attributes.Count; i++)
        {
            var (key, value) = attributes[i];
            if (TagText(value) is not { } text || entry.IndexedTags >= MaxIndexedTagsPerTrace)
            {
                _tagsNotIndexed.Add(entry);
                continue;
            }

            ref var set = ref CollectionsMarshal.GetValueRefOrAddDefault(_byTag, (key, text), out var exists);
            if (!exists)
            {
                set = [];
                bytes += TagSetBytes; // the trace that opens a pair carries its set
            }

            if (set is null)
            {
                continue; // too common to index
            }

            if (set.Count >= MaxTracesPerTag)
            {
                set = null;
                continue;
            }

            if (set.Add(entry))
            {
                entry.IndexedTags++;
                bytes += TagIndexBytes;
            }
        }

        return bytes;
    }

    /// <summary>An attribute value as a tag filter compares it (see <see cref="TagFilter"/>), when short enough to index.</summary>
    private static string? TagText(AttributeValue value)
    {
        var text = value.Kind == AttributeKind.String ? value.StringValue : value.ToString();
        return text.Length <= MaxIndexedTagLength ? text : null;
    }

    private static HashSet<TraceEntry> IndexOf(Dictionary<string, HashSet<TraceEntry>> index, string key)
    {
        if (!index.TryGetValue(key, out var set))
        {
            set = [];
            index[key] = set;
        }

        return set;
    }

    private IEnumerable<TraceEntry> Candidates(TraceQuery query, ulong from, ulong to)
    {
        // The smallest index set that every match must be in; else the time index.
        IEnumerable<TraceEntry>? best = null;
        var bestCount = int.MaxValue;
        void Consider(IEnumerable<TraceEntry> set, int count)
        {
            if (count < bestCount)
            {
                best = set;
                bestCount = count;
            }
        }

        if (query.TenantId is not null)
        {
            var set = _byTenant.GetValueOrDefault(query.TenantId);
            Consider(set ?? [], set?.Count ?? 0);
        }

        if (query.ErrorsOnly)
        {
            Consider(_withErrors, _withErrors.Count);
        }

        if (query.Service is not null && query.Operation is not null)
        {
            var set = _byOperation.GetValueOrDefault((query.Service, query.Operation));
            Consider(set ?? [], set?.Count ?? 0);
        }
        else if (query.Service is not null)
        {
            var set = _byService.GetValueOrDefault(query.Service);
            Consider(set ?? [], set?.Count ?? 0);
        }
        else if (query.Operation is not null)
        {
            var union = new HashSet<TraceEntry>();
            foreach (var (key, set) in _byOperation)
            {
                if (key.Operation == query.Operation)
                {
                    union.UnionWith(set);
                }
            }

            Consider(union, union.Count);
        }

        foreach (var service in query.Services)
        {
            var set = _byService.GetValueOrDefault(service);
            Consider(set ?? [], set?.Count ?? 0);
        }

        foreach (var tag in query.Tags)
        {
            if (tag.Operator != TagOperator.Equal)
            {
                continue;
            }

            // Traces with a tag that is not indexed may hold this one too; a pair too common to index says nothing.
            if (_byTag.TryGetValue((tag.Key, tag.Value!), out var set) && set is null)
            {
                continue;
            }

            var count = (set?.Count ?? 0) + _tagsNotIndexed.Count;
            if (count < bestCount)
            {
                Consider(_tagsNotIndexed.Count == 0 ? set ?? [] : [.. set ?? [], .. _tagsNotIndexed], count);
            }
        }

        if (best is not null)
        {
            return best;
        }

        if (_byStart.Count == 0)
        {
            return [];
        }

        var low = new TraceEntry("", default) { StartNs = from };
        var high = new TraceEntry("\uffff", new TraceId(ulong.MaxValue, ulong.MaxValue)) { StartNs = to - 1 };
        return _byStart.GetViewBetween(low, high);
    }

    private static bool Matches(TraceEntry entry, TraceQuery query, ulong from, ulong to)
    {
        if ((query.TenantId is not null && entry.TenantId != query.TenantId) || entry.StartNs < from || entry.StartNs >= to)
        {
            return false;
        }

        var duration = entry.Duration;
        if ((query.MinDuration is { } min && duration < min) || (query.MaxDuration is { } max && duration > max))
        {
            return false;
        }

        foreach (var service in query.Services)
        {
            if (!entry.HasService(service))
            {
                return false;
            }
        }

        if (!query.HasSpanConditions)
        {
            return true;
        }

        foreach (var span in entry.Spans)
        {
            if (query.SpanMatches(span))
            {
                return true;
            }
        }

        return false;
    }

    private static Comparison<TraceEntry> Order(TraceSort sort) => sort switch
    {
        TraceSort.StartTimeAscending => static (a, b) => TraceStartOrder.Instance.Compare(a, b),
        TraceSort.DurationDescending => static (a, b) => Tie(b.Duration.CompareTo(a.Duration), b, a),
        TraceSort.DurationAscending => static (a, b) => Tie(a.Duration.CompareTo(b.Duration), b, a),
        _ => static (a, b) => TraceStartOrder.Instance.Compare(b, a),
    };

    /// <summary>Equal durations: newest first.</summary>
    private static int Tie(int c, TraceEntry newer, TraceEntry older) => c != 0 ? c : TraceStartOrder.Instance.Compare(newer, older);

    private static bool AnyOfTenant(HashSet<TraceEntry> entries, string tenantId)
    {
        foreach (var e in entries)
        {
            if (e.TenantId == tenantId)
            {
                return true;
            }
        }

        return false;
    }

    private void SweepIfDueLocked(DateTimeOffset now)
    {
        if (_lastSweepTicks == long.MinValue || now.UtcTicks - _lastSweepTicks >= SweepIntervalTicks)
        {
            SweepLocked(now);
        }
    }

    private void SweepLocked(DateTimeOffset now)
    {
        _lastSweepTicks = now.UtcTicks;
        var cutoff = Cutoff(now);
        while (_byStart.Count > 0 && _byStart.Min!.StartNs < cutoff)
        {
            EvictLocked(_byStart.Min);
        }
    }

    private void EnforceBudgetLocked()
    {
        while (_bytes > _limits.MemoryBudgetBytes && _byStart.Count > 0)
        {
            _budgetEvictedThroughNs = Math.Max(_budgetEvictedThroughNs, _byStart.Min!.StartNs);
            EvictLocked(_byStart.Min!);
        }
    }

    private void EvictLocked(TraceEntry entry)
    {
        _byStart.Remove(entry);
        _traces.Remove((entry.TenantId, entry.TraceId));
        RemoveFrom(_byTenant, entry.TenantId, entry);
        _withErrors.Remove(entry);
        _tagsNotIndexed.Remove(entry);
        foreach (var span in entry.Spans)
        {
            foreach (var list in (IReadOnlyList<Domain.Telemetry.Attribute>[])[span.Attributes, span.Resource.Attributes])
            {
                foreach (var (key, value) in list)
                {
                    if (TagText(value) is { } text && _byTag.TryGetValue((key, text), out var tagged) && tagged is not null && tagged.Remove(entry) && tagged.Count == 0)
                    {
                        _byTag.Remove((key, text));
                    }
                }
            }
        }

        foreach (var (service, operation) in entry.Operations())
        {
            RemoveFrom(_byService, service, entry);
            if (_byOperation.TryGetValue((service, operation), out var set) && set.Remove(entry) && set.Count == 0)
            {
                _byOperation.Remove((service, operation));
            }
        }

        _spans -= entry.Spans.Count;
        _evicted += entry.Spans.Count;
        _bytes -= entry.EstimatedBytes;
        if (_byStart.Count == 0)
        {
            _newestNs = 0;
        }
    }

    private static void RemoveFrom(Dictionary<string, HashSet<TraceEntry>> index, string key, TraceEntry entry)
    {
        if (index.TryGetValue(key, out var set) && set.Remove(entry) && set.Count == 0)
        {
            index.Remove(key);
        }
    }
}
