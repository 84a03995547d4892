using System.Numerics;

namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// The open (head) chunk of a series: appends samples bit by bit into a reusable buffer. A mutable struct kept as a
/// field of its series; never copy it. Timestamps must strictly increase (the store checks).
/// </summary>
internal struct XorEncoder
{
    private const int InitialBufferBytes = 32;

    private byte[]? _buffer;
    private int _bits;
    private long _t;
    private ulong _v;
    private long _tDelta;
    private byte _leading;
    private byte _trailing;

    public int Count { get; private set; }

    public long MinT { get; private set; }

    public readonly long MaxT => _t;

    /// <summary>Bytes the buffer holds (its capacity, since it is reused from chunk to chunk).</summary>
    public readonly int BufferBytes => _buffer is null ? 0 : _buffer.Length + 24;

    /// <summary>Appends a sample.</summary>
    public void Append(long t, double value)
    {
        EnsureCapacity(_bits + 160);
        var bits = BitConverter.DoubleToUInt64Bits(value);
        switch (Count)
        {
            case 0:
                MinT = t;
                WriteVarint(t);
                WriteBits(bits, 64);
                _leading = 0xff;
                break;
            case 1:
                _tDelta = t - _t;
                WriteUvarint((ulong)_tDelta);
                WriteValue(bits);
                break;
            default:
                var delta = t - _t;
                WriteDeltaOfDelta(delta - _tDelta);
                _tDelta = delta;
                WriteValue(bits);
                break;
        }

        _t = t;
        _v = bits;
        Count++;
    }

    /// <summary>
    /// Closes the chunk and starts a new one. The buffer itself becomes the chunk when it has little slack (else an
    /// exact copy does), and the next chunk gets a buffer about the size of this one, so neither a sealed chunk nor
    /// the head holds much unused space.
    /// </summary>
    public XorChunk Seal()
    {
        var used = (_bits + 7) >> 3;
        var nextCapacity = Math.Max(InitialBufferBytes, used + (used >> 3) + 24);
        var chunk = _buffer!.Length - used <= (used >> 3) + 8
            ? new XorChunk(_buffer, Count, MinT, _t)
            : Snapshot();
        _buffer = new byte[nextCapacity];
        _bits = 0;
        Count = 0;
        _tDelta = 0;
        return chunk;
    }

    /// <summary>A copy of the samples so far, safe to read while appends go on.</summary>
    public readonly XorChunk Snapshot() =>
        new(_buffer is null ? [] : _buffer.AsSpan(0, (_bits + 7) >> 3).ToArray(), Count, MinT, _t);

    /// <summary>Drops the buffer (the series is gone or its head expired).</summary>
    public void Release()
    {
        _buffer = null;
        _bits = 0;
        Count = 0;
    }

    private void EnsureCapacity(int bits)
    {
        var needed = (bits + 7) >> 3;
        if (_buffer is not null && _buffer.Length >= needed)
        {
            return;
        }

        var old = _buffer?.Length ?? 0;
        var capacity = Math.Max(InitialBufferBytes, Math.Max(needed, old + (old >> 1)));
        var next = new byte[capacity];
        _buffer?.AsSpan().CopyTo(next);
        _buffer = next;
    }

    private void WriteDeltaOfDelta(long dod)
    {
        if (dod == 0)
        {
            WriteBits(0, 1);
        }
        else if (InRange(dod, 14))
        {
            WriteBits(0b10, 2);
            WriteBits((ulong)dod, 14);
        }
        else if (InRange(dod, 17))
        {
            WriteBits(0b110, 3);
            WriteBits((ulong)dod, 17);
        }
        else if (InRange(dod, 20))
        {
            WriteBits(0b1110, 4);
            WriteBits((ulong)dod, 20);
        }
        else
        {
            WriteBits(0b1111, 4);
            WriteBits((ulong)dod, 64);
        }
    }

    /// <summary>Whether <paramref name="x"/> fits the signed range Prometheus uses for an <paramref name="bits"/>-bit bucket.</summary>
    private static bool InRange(long x, int bits) => -((1L << (bits - 1)) - 1) <= x && x <= 1L << (bits - 1);

    private void WriteValue(ulong bits)
    {
        var delta = bits ^ _v;
        if (delta == 0)
        {
            WriteBits(0, 1);
            return;
        }

        WriteBits(1, 1);
        var leading = (byte)BitOperations.LeadingZeroCount(delta);
        var trailing = (byte)BitOperations.TrailingZeroCount(delta);
        if (leading >= 32)
        {
            leading = 31; // five bits hold the count
        }

        if (_leading != 0xff && leading >= _leading && trailing >= _trailing)
        {
            WriteBits(0, 1);
            WriteBits(delta >> _trailing, 64 - _leading - _trailing);
            return;
        }

        _leading = leading;
        _trailing = trailing;
        WriteBits(1, 1);
        WriteBits(leading, 5);
        var significant = 64 - leading - trailing;
        WriteBits((ulong)significant & 63, 6); // 64 is written as 0
        WriteBits(delta >> trailing, significant);
    }

    private void WriteVarint(long value) => WriteUvarint((ulong)((value << 1) ^ (value >> 63)));

    private void WriteUvarint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteBits((value & 0x7f) | 0x80, 8);
            value >>= 7;
        }

        WriteBits(value, 8);
    }

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/>, most significant first.</summary>
    private void WriteBits(ulong value, int count)
    {
        var buffer = _buffer!;
        while (count > 0)
        {
            var offset = _bits & 7;
            var free = 8 - offset;
            var take = Math.Min(free, count);
            var chunk = (uint)(value >> (count - take)) & ((1u << take) - 1);
            buffer[_bits >> 3] |= (byte)(chunk << (free - take));
            _bits += take;
            count -= take;
        }
    }
}
