using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// One series returned by <see cref="SeriesStore.Select"/>: its tenant, its labels exactly as ingested (the tenant
/// is not a label) and its samples within the selected range, read through <see cref="Samples"/>.
/// </summary>
public sealed class SelectedSeries
{
    private readonly XorChunk[] _chunks;
    private readonly long _fromMs;
    private readonly long _toMs;

    internal SelectedSeries(string tenantId, LabelSet labels, XorChunk[] chunks, long fromMs, long toMs)
    {
        TenantId = tenantId;
        Labels = labels;
        _chunks = chunks;
        _fromMs = fromMs;
        _toMs = toMs;
    }

    public string TenantId { get; }

    public LabelSet Labels { get; }

    /// <summary>A new cursor over the samples in range, oldest first.</summary>
    public SampleCursor Samples() => new(_chunks, _fromMs, _toMs);

    /// <summary>All samples in range (convenient for small ranges and tests; the engine should use <see cref="Samples"/>).</summary>
    public IReadOnlyList<Sample> ToList()
    {
        var list = new List<Sample>();
        var cursor = Samples();
        while (cursor.MoveNext())
        {
            list.Add(cursor.Current);
        }

        return list;
    }
}
