using System.Globalization;

namespace OpsConsole.Domain.Telemetry;

public enum AttributeKind : byte
{
    Empty = 0,
    String = 1,
    Bool = 2,
    Int = 3,
    Double = 4,
    Bytes = 5,
    Array = 6,
    Map = 7,
}

/// <summary>
/// An OpenTelemetry attribute value (OTLP <c>AnyValue</c>): string, bool, 64-bit int, double, bytes, array or
/// key/value list, kept with its type so that what was sent is what is read back.
/// </summary>
public sealed class AttributeValue : IEquatable<AttributeValue>
{
    public static readonly AttributeValue Empty = new(AttributeKind.Empty, null, 0, 0);

    private readonly object? _ref;
    private readonly long _int;
    private readonly double _double;

    private AttributeValue(AttributeKind kind, object? reference, long integer, double number)
    {
        Kind = kind;
        _ref = reference;
        _int = integer;
        _double = number;
    }

    public AttributeKind Kind { get; }

    public static AttributeValue Of(string value) => new(AttributeKind.String, value ?? "", 0, 0);
    public static AttributeValue Of(bool value) => new(AttributeKind.Bool, null, value ? 1 : 0, 0);
    public static AttributeValue Of(long value) => new(AttributeKind.Int, null, value, 0);
    public static AttributeValue Of(double value) => new(AttributeKind.Double, null, 0, value);
    public static AttributeValue Of(byte[] value) => new(AttributeKind.Bytes, value ?? [], 0, 0);
    public static AttributeValue Of(IReadOnlyList<AttributeValue> values) => new(AttributeKind.Array, values ?? [], 0, 0);
    public static AttributeValue Of(IReadOnlyList<KeyValuePair<string, AttributeValue>> map) => new(AttributeKind.Map, map ?? [], 0, 0);

    public string StringValue => Kind == AttributeKind.String ? (string)_ref! : throw WrongKind(AttributeKind.String);
    public bool BoolValue => Kind == AttributeKind.Bool ? _int != 0 : throw WrongKind(AttributeKind.Bool);
    public long IntValue => Kind == AttributeKind.Int ? _int : throw WrongKind(AttributeKind.Int);
    public double DoubleValue => Kind == AttributeKind.Double ? _double : throw WrongKind(AttributeKind.Double);
    public byte[] BytesValue => Kind == AttributeKind.Bytes ? (byte[])_ref! : throw WrongKind(AttributeKind.Bytes);
    public IReadOnlyList<AttributeValue> ArrayValue => Kind == AttributeKind.Array ? (IReadOnlyList<AttributeValue>)_ref! : throw WrongKind(AttributeKind.Array);
    public IReadOnlyList<KeyValuePair<string, AttributeValue>> MapValue =>
        Kind == AttributeKind.Map ? (IReadOnlyList<KeyValuePair<string, AttributeValue>>)_ref! : throw WrongKind(AttributeKind.Map);

    private InvalidOperationException WrongKind(AttributeKind wanted) => new($"The attribute is {Kind}, not {wanted}.");

    /// <summary>The value as text, for display, search and labels (arrays and maps as JSON-like text).</summary>
    public override string ToString() => Kind switch
    {
        AttributeKind.Empty => "",
        AttributeKind.String => (string)_ref!,
        AttributeKind.Bool => _int != 0 ? "true" : "false",
        AttributeKind.Int => _int.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        AttributeKind.Bytes => Convert.ToBase64String((byte[])_ref!),
        AttributeKind.Array => "[" + string.Join(",", ArrayValue.Select(v => v.Kind == AttributeKind.String ? Quote(v.StringValue) : v.ToString())) + "]",
        AttributeKind.Map => "{" + string.Join(",", MapValue.Select(kv => Quote(kv.Key) + ":" + (kv.Value.Kind == AttributeKind.String ? Quote(kv.Value.StringValue) : kv.Value.ToString()))) + "}",
        _ => "",
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public bool Equals(AttributeValue? other) => other is not null && Kind == other.Kind && Kind switch
    {
        AttributeKind.Empty => true,
        AttributeKind.String => (string)_ref! == (string)other._ref!,
        AttributeKind.Bool or AttributeKind.Int => _int == other._int,
        AttributeKind.Double => _double.Equals(other._double),
        AttributeKind.Bytes => ((byte[])_ref!).AsSpan().SequenceEqual((byte[])other._ref!),
        AttributeKind.Array => ArrayValue.SequenceEqual(other.ArrayValue),
        AttributeKind.Map => MapValue.Count == other.MapValue.Count && MapValue.Zip(other.MapValue).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value)),
        _ => false,
    };

    public override bool Equals(object? obj) => Equals(obj as AttributeValue);

    public override int GetHashCode() => HashCode.Combine(Kind, ToString());
}

/// <summary>A named attribute.</summary>
public readonly record struct Attribute(string Key, AttributeValue Value);
