namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// A sealed, immutable chunk of one series' samples in Prometheus's XOR encoding: the first timestamp as a zig-zag
/// varint and the first value as 64 raw bits, the second timestamp as a varint delta, then delta-of-delta
/// timestamps in 1/16/20/24/68-bit buckets and values XORed with their predecessor (Gorilla, Facebook 2015).
/// </summary>
internal readonly record struct XorChunk(byte[] Data, int Count, long MinT, long MaxT)
{
    /// <summary>Bytes held: the encoded data, its array header and this entry.</summary>
    public long EstimatedBytes => Data.Length + ChunkOverheadBytes;

    public const int ChunkOverheadBytes = 24 + 32;
}
