using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// Walks the samples of one selected series within the selected range, oldest first: first any older samples
/// (already decoded, from the database), then the hot chunks, decoding them as it goes. Reads a snapshot taken at
/// selection time, so it needs no lock and sees no later appends.
/// </summary>
public sealed class SampleCursor
{
    private readonly Sample[] _older;
    private readonly XorChunk[] _chunks;
    private readonly long _fromMs;
    private readonly long _toMs;
    private int _olderIndex = -1;
    private int _chunk = -1;
    private XorDecoder _decoder;

    internal SampleCursor(Sample[] older, XorChunk[] chunks, long fromMs, long toMs)
    {
        _older = older;
        _chunks = chunks;
        _fromMs = fromMs;
        _toMs = toMs;
    }

    public Sample Current { get; private set; }

    /// <summary>Moves to the next sample in range; false when there is none.</summary>
    public bool MoveNext()
    {
        if (_olderIndex + 1 < _older.Length)
        {
            Current = _older[++_olderIndex];
            return true;
        }

        _olderIndex = _older.Length;
        while (true)
        {
            if (_chunk >= 0 && _decoder.Next())
            {
                var t = _decoder.T;
                if (t < _fromMs)
                {
                    continue;
                }

                if (t > _toMs)
                {
                    _chunk = _chunks.Length;
                    return false;
                }

                Current = new Sample(t, _decoder.V);
                return true;
            }

            if (++_chunk >= _chunks.Length)
            {
                _chunk = _chunks.Length;
                return false;
            }

            _decoder = new XorDecoder(_chunks[_chunk]);
        }
    }

    /// <summary>
    /// Moves to the first sample at or after <paramref name="timestampMs"/> (never backwards: if the current sample is
    /// already there it stays). False when there is none.
    /// </summary>
    public bool Seek(long timestampMs)
    {
        if (_olderIndex >= 0 && _olderIndex < _older.Length && Current.TimestampMs >= timestampMs)
        {
            return true;
        }

        while (_olderIndex + 1 < _older.Length)
        {
            Current = _older[++_olderIndex];
            if (Current.TimestampMs >= timestampMs)
            {
                return true;
            }
        }

        _olderIndex = _older.Length;
        if (_chunk >= 0 && _chunk < _chunks.Length && Current.TimestampMs >= timestampMs)
        {
            return true;
        }

        // Skip whole chunks that end before the target without decoding them.
        while (_chunk + 1 < _chunks.Length && _chunks[_chunk + 1].MaxT < timestampMs)
        {
            _chunk++;
            _decoder = new XorDecoder(_chunks[_chunk]);
            while (_decoder.Next())
            {
                // drain: the chunk is entirely before the target
            }
        }

        while (MoveNext())
        {
            if (Current.TimestampMs >= timestampMs)
            {
                return true;
            }
        }

        return false;
    }
}
