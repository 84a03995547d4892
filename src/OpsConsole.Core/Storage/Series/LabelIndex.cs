using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// Label postings of the series store: label name → value → ascending series ids, plus tenant → series ids and
/// the list of all ids. Resolves Prometheus matchers to series ids. Not thread-safe (the store's lock guards it).
/// </summary>
internal sealed class LabelIndex
{
    private readonly Dictionary<string, Dictionary<string, PostingList>> _postings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PostingList> _byTenant = new(StringComparer.Ordinal);
    private PostingList _all;

    public void Add(MemSeries series)
    {
        _all.Add(series.Id);
        CollectionsMarshal.GetValueRefOrAddDefault(_byTenant, series.TenantId, out _).Add(series.Id);
        foreach (var (name, value) in series.Labels.Labels)
        {
            if (!_postings.TryGetValue(name, out var values))
            {
                values = new Dictionary<string, PostingList>(StringComparer.Ordinal);
                _postings[name] = values;
            }

            CollectionsMarshal.GetValueRefOrAddDefault(values, value, out _).Add(series.Id);
        }
    }

    /// <summary>Removes dropped series (ids ascending) from every posting list they are on.</summary>
    public void Remove(IReadOnlyList<MemSeries> removed)
    {
        var ids = new HashSet<int>(removed.Count);
        foreach (var s in removed)
        {
            ids.Add(s.Id);
        }

        bool Gone(int id) => ids.Contains(id);
        _all.RemoveWhere(Gone);
        foreach (var s in removed)
        {
            ref var tenant = ref CollectionsMarshal.GetValueRefOrNullRef(_byTenant, s.TenantId);
            if (!Unsafe.IsNullRef(ref tenant))
            {
                tenant.Remove(s.Id);
                if (tenant.Count == 0)
                {
                    _byTenant.Remove(s.TenantId);
                }
            }

            foreach (var (name, value) in s.Labels.Labels)
            {
                if (!_postings.TryGetValue(name, out var values))
                {
                    continue;
                }

                ref var list = ref CollectionsMarshal.GetValueRefOrNullRef(values, value);
                if (Unsafe.IsNullRef(ref list))
                {
                    continue;
                }

                list.Remove(s.Id);
                if (list.Count == 0)
                {
                    values.Remove(value);
                    if (values.Count == 0)
                    {
                        _postings.Remove(name);
                    }
                }
            }
        }
    }

    /// <summary>The tenants that hold at least one series, sorted.</summary>
    public List<string> Tenants()
    {
        var tenants = new List<string>(_byTenant.Keys);
        tenants.Sort(StringComparer.Ordinal);
        return tenants;
    }

    /// <summary>All label names in use (any tenant), sorted.</summary>
    public List<string> Names()
    {
        var names = new List<string>(_postings.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>All values of one label in use (any tenant), sorted.</summary>
    public List<string> Values(string name)
    {
        var values = _postings.TryGetValue(name, out var byValue) ? new List<string>(byValue.Keys) : [];
        values.Sort(StringComparer.Ordinal);
        return values;
    }

    /// <summary>
    /// Ids of the series of <paramref name="tenantId"/> (all tenants when null) that satisfy every matcher, with
    /// Prometheus semantics: a matcher that accepts "" also accepts series without the label.
    /// </summary>
    public int[] Resolve(string? tenantId, IReadOnlyList<LabelMatcher> matchers)
    {
        int[]? result = null;
        if (tenantId is not null)
        {
            result = _byTenant.TryGetValue(tenantId, out var tenant) ? tenant.Items.ToArray() : [];
        }

        List<int[]>? exclusions = null;
        foreach (var m in matchers)
        {
            if (result is { Length: 0 })
            {
                return [];
            }

            if (m.MatchesEmpty)
            {
                // Series whose value does not match are excluded; series without the label stay.
                var excluded = ValuesWhere(m, matching: false);
                if (excluded.Length > 0)
                {
                    (exclusions ??= []).Add(excluded);
                }

                continue;
            }

            var included = ValuesWhere(m, matching: true);
            result = result is null ? included : SortedIds.Intersect(result, included);
        }

        result ??= _all.Items.ToArray();
        if (exclusions is not null)
        {
            result = SortedIds.Subtract(result, SortedIds.Union(exclusions));
        }

        return result;
    }

    /// <summary>Ids of the series having label <c>m.Name</c> with a value that does (or does not) satisfy <paramref name="m"/>.</summary>
    private int[] ValuesWhere(LabelMatcher m, bool matching)
    {
        if (!_postings.TryGetValue(m.Name, out var values))
        {
            return [];
        }

        if (m.Type == LabelMatchType.Equal && matching)
        {
            return values.TryGetValue(m.Value, out var exact) ? exact.Items.ToArray() : [];
        }

        var lists = new List<int[]>();
        foreach (var (value, ids) in values)
        {
            if (m.Matches(value) == matching)
            {
                lists.Add(ids.Items.ToArray());
            }
        }

        return SortedIds.Union(lists);
    }
}
