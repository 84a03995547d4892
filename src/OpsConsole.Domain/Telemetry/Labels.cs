using System.Text;

namespace OpsConsole.Domain.Telemetry;

/// <summary>
/// A Prometheus label set: names sorted, each at most once, empty values dropped (as Prometheus does). Identity
/// is the <see cref="Fingerprint"/>, a hash of the sorted names and values. The metric name is the label
/// <c>__name__</c>.
/// </summary>
public sealed class LabelSet : IEquatable<LabelSet>
{
    public const string MetricName = "__name__";

    private readonly KeyValuePair<string, string>[] _labels;

    private LabelSet(KeyValuePair<string, string>[] sorted)
    {
        _labels = sorted;
        Fingerprint = ComputeFingerprint(sorted);
    }

    public static readonly LabelSet Empty = new([]);

    public IReadOnlyList<KeyValuePair<string, string>> Labels => _labels;

    public int Count => _labels.Length;

    /// <summary>64-bit hash of the sorted label names and values (FNV-1a with separators that cannot occur in text).</summary>
    public ulong Fingerprint { get; }

    public string? Name => Get(MetricName);

    public static LabelSet From(IEnumerable<KeyValuePair<string, string>> labels)
    {
        // Sort once into an array; for duplicate names the last one wins, empty values are dropped.
        var array = labels is ICollection<KeyValuePair<string, string>> c ? new KeyValuePair<string, string>[c.Count] : null;
        List<KeyValuePair<string, string>>? list = array is null ? [] : null;
        var n = 0;
        foreach (var l in labels)
        {
            if (array is not null)
            {
                array[n++] = l;
            }
            else
            {
                list!.Add(l);
            }
        }

        array ??= [.. list!];
        n = array.Length;
        if (n > 1)
        {
            // Stable sort by name so "last one wins" holds for duplicates.
            var keyed = new (KeyValuePair<string, string> Label, int Order)[n];
            for (var i = 0; i < n; i++)
            {
                keyed[i] = (array[i], i);
            }

            Array.Sort(keyed, static (a, b) =>
            {
                var c = string.CompareOrdinal(a.Label.Key, b.Label.Key);
                return c != 0 ? c : a.Order.CompareTo(b.Order);
            });
            for (var i = 0; i < n; i++)
            {
                array[i] = keyed[i].Label;
            }
        }

        var result = new List<KeyValuePair<string, string>>(n);
        for (var i = 0; i < n; i++)
        {
            if (i + 1 < n && array[i + 1].Key == array[i].Key)
            {
                continue; // a later duplicate follows
            }

            if (!string.IsNullOrEmpty(array[i].Value))
            {
                result.Add(array[i]);
            }
        }

        return new LabelSet([.. result]);
    }

    public static LabelSet From(params (string Name, string Value)[] labels) =>
        From(labels.Select(l => new KeyValuePair<string, string>(l.Name, l.Value)));

    public string? Get(string name)
    {
        var lo = 0;
        var hi = _labels.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_labels[mid].Key, name);
            if (c == 0)
            {
                return _labels[mid].Value;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }

    /// <summary>This label set with <paramref name="name"/> set to <paramref name="value"/> (removed when empty).</summary>
    public LabelSet With(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrEmpty(value))
        {
            return Without(name);
        }

        // The labels are sorted: find the place by binary search and copy once, no re-sort.
        var lo = 0;
        var hi = _labels.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_labels[mid].Key, name);
            if (c == 0)
            {
                if (_labels[mid].Value == value)
                {
                    return this;
                }

                var replaced = (KeyValuePair<string, string>[])_labels.Clone();
                replaced[mid] = new KeyValuePair<string, string>(name, value);
                return new LabelSet(replaced);
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var inserted = new KeyValuePair<string, string>[_labels.Length + 1];
        Array.Copy(_labels, 0, inserted, 0, lo);
        inserted[lo] = new KeyValuePair<string, string>(name, value);
        Array.Copy(_labels, lo, inserted, lo + 1, _labels.Length - lo);
        return new LabelSet(inserted);
    }

    public LabelSet Without(params string[] names) => From(_labels.Where(l => !names.Contains(l.Key)));

    private static ulong ComputeFingerprint(KeyValuePair<string, string>[] sorted)
    {
        // FNV-1a over the UTF-16 code units of names and values, each followed by a separator (0xFFFF) that
        // cannot appear in valid text, so ("a","bc") and ("ab","c") differ.
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        foreach (var (k, v) in sorted)
        {
            foreach (var c in k)
            {
                hash = (hash ^ c) * prime;
            }

            hash = (hash ^ 0xFFFF) * prime;
            foreach (var c in v)
            {
                hash = (hash ^ c) * prime;
            }

            hash = (hash ^ 0xFFFF) * prime;
        }

        return hash;
    }

    public bool Equals(LabelSet? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || Fingerprint != other.Fingerprint || _labels.Length != other._labels.Length)
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Key, other._labels[i].Key, StringComparison.Ordinal)
                || !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode() => (int)Fingerprint;

    /// <summary>Prometheus notation: <c>name{a="1", b="2"}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Name ?? "");
        var rest = _labels.Where(l => l.Key != MetricName).ToArray();
        if (rest.Length > 0 || Name is null)
        {
            sb.Append('{').AppendJoin(", ", rest.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")).Append('}');
        }

        return sb.ToString();
    }

    private static string Escape(string v) =>
        v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>One metric sample: a series, a millisecond timestamp and a value (Prometheus's model).</summary>
public readonly record struct Sample(long TimestampMs, double Value);

/// <summary>A sample of one series as handed from intake to the store.</summary>
public sealed record SeriesSample(string TenantId, LabelSet Labels, long TimestampMs, double Value);

public enum MetricType : byte
{
    Unknown = 0,
    Counter = 1,
    Gauge = 2,
    Histogram = 3,
    Summary = 4,
    Info = 5,
    StateSet = 6,
    GaugeHistogram = 7,
}

/// <summary>What is known about a metric family: its type, help text and unit.</summary>
public sealed record MetricMetadata(string Name, MetricType Type, string? Help, string? Unit);
