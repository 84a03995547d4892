using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// One series returned by an <see cref="ISeriesSource"/>: its tenant, its labels exactly as stored (the tenant
/// is not a label) and its samples within the selected range, read through <see cref="Samples"/>. The samples are
/// the hot store's chunks, optionally preceded by older samples read from elsewhere (the database).
/// </summary>
public sealed class SelectedSeries
{
    private readonly Sample[] _older;
    private readonly XorChunk[] _chunks;
    private readonly long _fromMs;
    private readonly long _toMs;

    internal SelectedSeries(string tenantId, LabelSet labels, XorChunk[] chunks, long fromMs, long toMs)
        : this(tenantId, labels, [], chunks, fromMs, toMs)
    {
    }

    private SelectedSeries(string tenantId, LabelSet labels, Sample[] older, XorChunk[] chunks, long fromMs, long toMs)
    {
        TenantId = tenantId;
        Labels = labels;
        _older = older;
        _chunks = chunks;
        _fromMs = fromMs;
        _toMs = toMs;
    }

    public string TenantId { get; }

    public LabelSet Labels { get; }

    /// <summary>
    /// A series whose samples are <paramref name="older"/> (oldest first) followed by those of <paramref name="newer"/>
    /// (when given; same tenant and labels, every sample later than the last of <paramref name="older"/>).
    /// </summary>
    public static SelectedSeries Concat(string tenantId, LabelSet labels, Sample[] older, SelectedSeries? newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        if (newer is null)
        {
            return new SelectedSeries(tenantId, labels, older, [], long.MinValue, long.MaxValue);
        }

        if (newer._older.Length > 0)
        {
            throw new ArgumentException("the newer part must come from the hot store", nameof(newer));
        }

        return new SelectedSeries(tenantId, labels, older, newer._chunks, newer._fromMs, newer._toMs);
    }

    /// <summary>Orders selections by labels (ordinal, name then value), then by tenant: the order of every selection.</summary>
    public static int Compare(SelectedSeries? a, SelectedSeries? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var x = a.Labels.Labels;
        var y = b.Labels.Labels;
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            var c = string.CompareOrdinal(x[i].Key, y[i].Key);
            if (c == 0)
            {
                c = string.CompareOrdinal(x[i].Value, y[i].Value);
            }

            if (c != 0)
            {
                return c;
            }
        }

        var byCount = x.Count.CompareTo(y.Count);
        return byCount != 0 ? byCount : string.CompareOrdinal(a.TenantId, b.TenantId);
    }

    /// <summary>A new cursor over the samples in range, oldest first.</summary>
    public SampleCursor Samples() => new(_older, _chunks, _fromMs, _toMs);

    /// <summary>All samples in range, decoded into one array sized from the chunks' counts (what the query engine loads).</summary>
    public Sample[] ToArray()
    {
        var capacity = _older.Length;
        foreach (var chunk in _chunks)
        {
            capacity += chunk.Count;
        }

        var result = new Sample[capacity];
        var n = 0;
        var cursor = Samples();
        while (cursor.MoveNext())
        {
            result[n++] = cursor.Current;
        }

        if (n < capacity)
        {
            Array.Resize(ref result, n);
        }

        return result;
    }

    /// <summary>All samples in range (convenient for small ranges and tests; the engine should use <see cref="Samples"/>).</summary>
    public IReadOnlyList<Sample> ToList()
    {
        var list = new List<Sample>(_older.Length);
        var cursor = Samples();
        while (cursor.MoveNext())
        {
            list.Add(cursor.Current);
        }

        return list;
    }
}
