namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// Interns the label names and values a parser reads, so that scraping the same target again allocates no new strings
/// for what it already saw. Bounded: when it holds <see cref="Capacity"/> strings it starts over.
/// </summary>
internal sealed class NameTable
{
    public const int Capacity = 100_000;

    private const int MaxInternedLength = 256;

    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public NameTable()
    {
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _strings.Count;

    public string Get(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return string.Empty;
        }

        if (chars.Length > MaxInternedLength)
        {
            return chars.ToString();
        }

        if (_lookup.TryGetValue(chars, out var existing))
        {
            return existing;
        }

        if (_strings.Count >= Capacity)
        {
            _strings.Clear();
        }

        var created = chars.ToString();
        _strings.Add(created);
        return created;
    }
}
