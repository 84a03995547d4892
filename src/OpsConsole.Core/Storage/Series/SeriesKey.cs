using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>The identity of a stored series: its tenant and its label set (hashed by the label set's fingerprint).</summary>
internal readonly struct SeriesKey(string tenantId, LabelSet labels) : IEquatable<SeriesKey>
{
    public string TenantId { get; } = tenantId;

    public LabelSet Labels { get; } = labels;

    public bool Equals(SeriesKey other) =>
        string.Equals(TenantId, other.TenantId, StringComparison.Ordinal)
        && (ReferenceEquals(Labels, other.Labels) || Labels.Equals(other.Labels));

    public override bool Equals(object? obj) => obj is SeriesKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Labels.Fingerprint, string.GetHashCode(TenantId, StringComparison.Ordinal));
}
