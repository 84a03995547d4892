using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// Compares label sets by fingerprint, then name by name with ordinal string comparison. Same result as
/// <see cref="LabelSet.Equals(LabelSet?)"/>, without the boxing of its default element comparison, which the scraper
/// would pay for every series of every scrape.
/// </summary>
internal sealed class SeriesComparer : IEqualityComparer<LabelSet>
{
    public static readonly SeriesComparer Instance = new();

    public bool Equals(LabelSet? x, LabelSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Fingerprint != y.Fingerprint || x.Count != y.Count)
        {
            return false;
        }

        var a = x.Labels;
        var b = y.Labels;
        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(LabelSet obj) => obj.GetHashCode();
}
