using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// One series in memory: its identity (tenant + labels), its sealed chunks oldest first, and its open head chunk.
/// Not thread-safe: the <see cref="SeriesStore"/> lock guards it.
/// </summary>
internal sealed class MemSeries(int id, string tenantId, LabelSet labels, long overheadBytes)
{
    /// <summary>Samples per chunk, as in Prometheus's head block.</summary>
    public const int SamplesPerChunk = 120;

    private XorChunk[] _chunks = [];
    private int _first;
    private int _chunkCount;
    private XorEncoder _head;

    public int Id { get; } = id;

    public string TenantId { get; } = tenantId;

    public LabelSet Labels { get; } = labels;

    /// <summary>Estimated bytes of the series itself (object, labels, index entries), excluding chunks.</summary>
    public long OverheadBytes { get; } = overheadBytes;

    public long LastT { get; private set; } = long.MinValue;

    public ulong LastValueBits { get; private set; }

    public int SealedChunkCount => _chunkCount;

    public int HeadCount => _head.Count;

    public long SampleCount { get; private set; }

    public bool IsEmpty => SampleCount == 0;

    public long MinT => _chunkCount > 0 ? _chunks[_first].MinT : _head.Count > 0 ? _head.MinT : long.MaxValue;

    public long MaxT => LastT;

    public int HeadBufferBytes => _head.BufferBytes;

    public XorChunk FirstSealed => _chunks[_first];

    /// <summary>Set when the store has dropped the series; queued references to it are then stale.</summary>
    public bool Removed { get; set; }

    /// <summary>Appends a sample whose timestamp is after <see cref="LastT"/>. Returns the change in estimated bytes
    /// and, through <paramref name="sealedChunk"/>, a chunk that was just sealed.</summary>
    public long Append(long t, double value, out XorChunk? sealedChunk)
    {
        long before = _head.BufferBytes;
        _head.Append(t, value);
        LastT = t;
        LastValueBits = BitConverter.DoubleToUInt64Bits(value);
        SampleCount++;
        sealedChunk = null;
        if (_head.Count >= SamplesPerChunk)
        {
            var chunk = _head.Seal();
            AddSealed(chunk);
            sealedChunk = chunk;
            return _head.BufferBytes - before + chunk.EstimatedBytes;
        }

        return _head.BufferBytes - before;
    }

    /// <summary>Drops the oldest sealed chunk. Returns it.</summary>
    public XorChunk DropFirstSealed()
    {
        var chunk = _chunks[_first];
        _chunks[_first] = default;
        _first++;
        _chunkCount--;
        SampleCount -= chunk.Count;
        if (_chunkCount == 0)
        {
            _first = 0;
        }

        return chunk;
    }

    /// <summary>Drops the open head chunk (all its samples expired). Returns how many samples it held.</summary>
    public int DropHead()
    {
        var count = _head.Count;
        SampleCount -= count;
        _head.Release();
        return count;
    }

    public long HeadMaxT => _head.Count > 0 ? _head.MaxT : long.MinValue;

    /// <summary>Snapshots the chunks overlapping [from, to] (copying the head) for reading outside the lock.</summary>
    public XorChunk[] SnapshotChunks(long fromMs, long toMs)
    {
        var count = 0;
        for (var i = _first; i < _first + _chunkCount; i++)
        {
            if (_chunks[i].MaxT >= fromMs && _chunks[i].MinT <= toMs)
            {
                count++;
            }
        }

        var head = _head.Count > 0 && _head.MaxT >= fromMs && _head.MinT <= toMs;
        var result = new XorChunk[count + (head ? 1 : 0)];
        var n = 0;
        for (var i = _first; i < _first + _chunkCount; i++)
        {
            if (_chunks[i].MaxT >= fromMs && _chunks[i].MinT <= toMs)
            {
                result[n++] = _chunks[i];
            }
        }

        if (head)
        {
            result[n] = _head.Snapshot();
        }

        return result;
    }

    private void AddSealed(XorChunk chunk)
    {
        if (_first + _chunkCount == _chunks.Length)
        {
            if (_first > 0)
            {
                Array.Copy(_chunks, _first, _chunks, 0, _chunkCount);
                Array.Clear(_chunks, _chunkCount, _first);
                _first = 0;
            }
            else
            {
                Array.Resize(ref _chunks, Math.Max(4, _chunks.Length * 2));
            }
        }

        _chunks[_first + _chunkCount] = chunk;
        _chunkCount++;
    }
}
