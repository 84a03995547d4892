using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage;

/// <summary>
/// Rough estimates of the managed memory one stored item holds (object headers, fields, strings, arrays), used for
/// memory budgets and store statistics. Resources and scopes are shared by all items of an export and are not
/// counted per item.
/// </summary>
internal static class TelemetrySize
{
    private const int ObjectHeader = 16;
    private const int ArrayHeader = 24;

    public static int Of(string? s) => s is null ? 0 : 22 + (s.Length * 2);

    public static int Of(AttributeValue value) => value.Kind switch
    {
        AttributeKind.Empty => 0,
        AttributeKind.String => 40 + Of(value.StringValue),
        AttributeKind.Bytes => 40 + ArrayHeader + value.BytesValue.Length,
        AttributeKind.Array => 40 + ArrayHeader + OfValues(value.ArrayValue),
        AttributeKind.Map => 40 + ArrayHeader + OfPairs(value.MapValue),
        _ => 40,
    };

    public static int Of(IReadOnlyList<Domain.Telemetry.Attribute> attributes)
    {
        if (attributes.Count == 0)
        {
            return 0;
        }

        var size = ArrayHeader + (attributes.Count * 16);
        for (var i = 0; i < attributes.Count; i++)
        {
            size += Of(attributes[i].Key) + Of(attributes[i].Value);
        }

        return size;
    }

    public static int Of(LogRecord record) =>
        ObjectHeader + 112 + Of(record.SeverityText) + Of(record.Body) + Of(record.Attributes);

    public static int Of(LabelSet labels)
    {
        var size = ObjectHeader + 16 + ArrayHeader + (labels.Count * 16);
        foreach (var (name, value) in labels.Labels)
        {
            size += Of(name) + Of(value);
        }

        return size;
    }

    private static int OfValues(IReadOnlyList<AttributeValue> values)
    {
        var size = values.Count * 8;
        for (var i = 0; i < values.Count; i++)
        {
            size += Of(values[i]);
        }

        return size;
    }

    private static int OfPairs(IReadOnlyList<KeyValuePair<string, AttributeValue>> pairs)
    {
        var size = pairs.Count * 16;
        for (var i = 0; i < pairs.Count; i++)
        {
            size += Of(pairs[i].Key) + Of(pairs[i].Value);
        }

        return size;
    }
}
