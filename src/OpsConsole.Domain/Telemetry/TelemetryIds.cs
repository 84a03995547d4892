using System.Buffers.Binary;
using System.Globalization;

namespace OpsConsole.Domain.Telemetry;

/// <summary>A 16-byte W3C/OpenTelemetry trace id; all zero is invalid. Text form: 32 lower-case hex digits.</summary>
public readonly record struct TraceId(ulong High, ulong Low) : IComparable<TraceId>
{
    public bool IsEmpty => High == 0 && Low == 0;

    public static TraceId FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length == 16
        ? new TraceId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]))
        : throw new FormatException($"A trace id has 16 bytes, not {bytes.Length}.");

    public byte[] ToBytes()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), Low);
        return bytes;
    }

    public static bool TryParse(string? hex, out TraceId id)
    {
        id = default;
        if (hex is null || hex.Length != 32 || !ulong.TryParse(hex.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !ulong.TryParse(hex.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        id = new TraceId(high, low);
        return !id.IsEmpty;
    }

    public override string ToString() => High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x16", CultureInfo.InvariantCulture);

    public int CompareTo(TraceId other) => High != other.High ? High.CompareTo(other.High) : Low.CompareTo(other.Low);
}

/// <summary>An 8-byte span id; all zero means "none". Text form: 16 lower-case hex digits.</summary>
public readonly record struct SpanId(ulong Value)
{
    public bool IsEmpty => Value == 0;

    public static SpanId FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        0 => default,
        8 => new SpanId(BinaryPrimitives.ReadUInt64BigEndian(bytes)),
        _ => throw new FormatException($"A span id has 8 bytes, not {bytes.Length}."),
    };

    public byte[] ToBytes()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Value);
        return bytes;
    }

    public static bool TryParse(string? hex, out SpanId id)
    {
        id = default;
        if (hex is null || hex.Length != 16 || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        id = new SpanId(value);
        return value != 0;
    }

    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);
}
