namespace OpsConsole.Core.Storage.Series;

/// <summary>Reads the samples of one <see cref="XorChunk"/> in order. A mutable struct: keep it in a field or local.</summary>
internal struct XorDecoder(XorChunk chunk)
{
    private readonly byte[] _data = chunk.Data;
    private readonly int _count = chunk.Count;
    private int _bits;
    private int _read;
    private long _t;
    private ulong _v;
    private long _tDelta;
    private int _leading;
    private int _trailing;

    public readonly long T => _t;

    public readonly double V => BitConverter.UInt64BitsToDouble(_v);

    /// <summary>Advances to the next sample; false at the end of the chunk.</summary>
    public bool Next()
    {
        if (_read >= _count)
        {
            return false;
        }

        switch (_read)
        {
            case 0:
                var zigzag = ReadUvarint();
                _t = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
                _v = ReadBits(64);
                break;
            case 1:
                _tDelta = (long)ReadUvarint();
                _t += _tDelta;
                ReadValue();
                break;
            default:
                _tDelta += ReadDeltaOfDelta();
                _t += _tDelta;
                ReadValue();
                break;
        }

        _read++;
        return true;
    }

    private long ReadDeltaOfDelta()
    {
        var prefix = 0;
        while (prefix < 4 && ReadBits(1) == 1)
        {
            prefix++;
        }

        var size = prefix switch
        {
            0 => 0,
            1 => 14,
            2 => 17,
            3 => 20,
            _ => 64,
        };
        if (size == 0)
        {
            return 0;
        }

        var bits = ReadBits(size);
        if (size == 64)
        {
            return (long)bits;
        }

        return bits > 1UL << (size - 1) ? (long)bits - (1L << size) : (long)bits;
    }

    private void ReadValue()
    {
        if (ReadBits(1) == 0)
        {
            return;
        }

        if (ReadBits(1) == 1)
        {
            _leading = (int)ReadBits(5);
            var significant = (int)ReadBits(6);
            if (significant == 0)
            {
                significant = 64;
            }

            _trailing = 64 - _leading - significant;
        }

        var width = 64 - _leading - _trailing;
        _v ^= ReadBits(width) << _trailing;
    }

    private ulong ReadUvarint()
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            var b = ReadBits(8);
            value |= (b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }

            shift += 7;
        }
    }

    private ulong ReadBits(int count)
    {
        ulong value = 0;
        while (count > 0)
        {
            var offset = _bits & 7;
            var available = 8 - offset;
            var take = Math.Min(available, count);
            var b = (uint)_data[_bits >> 3];
            var chunk = (b >> (available - take)) & ((1u << take) - 1);
            value = (value << take) | chunk;
            _bits += take;
            count -= take;
        }

        return value;
    }
}
