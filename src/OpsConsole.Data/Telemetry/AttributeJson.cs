using System.Buffers;
using System.Text;
using System.Text.Json;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>
/// Attributes as compact, typed JSON for the database: <c>[["key","s","text"],["n","i",5],["x","d",1.5],
/// ["ok","b",true],["raw","y","base64"],["list","a",[["","s","v"]]],["map","m",[["k","i",1]]]]</c>. The type tag
/// keeps an int an int and a double a double, so what was sent is what is read back.
/// </summary>
public static class AttributeJson
{
    public static string Write(IReadOnlyList<Domain.Telemetry.Attribute> attributes)
    {
        if (attributes.Count == 0)
        {
            return "[]";
        }

        var buffer = new ArrayBufferWriter<byte>(64 * attributes.Count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var a in attributes)
            {
                WriteEntry(json, a.Key, a.Value);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string WriteValue(AttributeValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteEntry(json, "", value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteEntry(Utf8JsonWriter json, string key, AttributeValue value)
    {
        json.WriteStartArray();
        json.WriteStringValue(key);
        switch (value.Kind)
        {
            case AttributeKind.String:
                json.WriteStringValue("s");
                json.WriteStringValue(value.StringValue);
                break;
            case AttributeKind.Bool:
                json.WriteStringValue("b");
                json.WriteBooleanValue(value.BoolValue);
                break;
            case AttributeKind.Int:
                json.WriteStringValue("i");
                json.WriteNumberValue(value.IntValue);
                break;
            case AttributeKind.Double:
                json.WriteStringValue("d");
                if (double.IsFinite(value.DoubleValue))
                {
                    json.WriteNumberValue(value.DoubleValue);
                }
                else
                {
                    json.WriteStringValue(double.IsNaN(value.DoubleValue) ? "NaN" : value.DoubleValue > 0 ? "+Inf" : "-Inf");
                }

                break;
            case AttributeKind.Bytes:
                json.WriteStringValue("y");
                json.WriteBase64StringValue(value.BytesValue);
                break;
            case AttributeKind.Array:
                json.WriteStringValue("a");
                json.WriteStartArray();
                foreach (var item in value.ArrayValue)
                {
                    WriteEntry(json, "", item);
                }

                json.WriteEndArray();
                break;
            case AttributeKind.Map:
                json.WriteStringValue("m");
                json.WriteStartArray();
                foreach (var (k, v) in value.MapValue)
                {
                    WriteEntry(json, k, v);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue("e");
                json.WriteNullValue();
                break;
        }

        json.WriteEndArray();
    }

    public static IReadOnlyList<Domain.Telemetry.Attribute> Read(string? text)
    {
        if (string.IsNullOrEmpty(text) || text == "[]")
        {
            return [];
        }

        using var doc = JsonDocument.Parse(text);
        var list = new List<Domain.Telemetry.Attribute>(doc.RootElement.GetArrayLength());
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            list.Add(new Domain.Telemetry.Attribute(entry[0].GetString() ?? "", ReadEntryValue(entry)));
        }

        return list;
    }

    public static AttributeValue ReadValue(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return AttributeValue.Empty;
        }

        using var doc = JsonDocument.Parse(text);
        return ReadEntryValue(doc.RootElement);
    }

    private static AttributeValue ReadEntryValue(JsonElement entry)
    {
        var v = entry[2];
        return entry[1].GetString() switch
        {
            "s" => AttributeValue.Of(v.GetString() ?? ""),
            "b" => AttributeValue.Of(v.GetBoolean()),
            "i" => AttributeValue.Of(v.GetInt64()),
            "d" => AttributeValue.Of(v.ValueKind == JsonValueKind.String
                ? v.GetString() switch { "NaN" => double.NaN, "+Inf" => double.PositiveInfinity, _ => double.NegativeInfinity }
                : v.GetDouble()),
            "y" => AttributeValue.Of(v.GetBytesFromBase64()),
            "a" => AttributeValue.Of([.. v.EnumerateArray().Select(ReadEntryValue)]),
            "m" => AttributeValue.Of([.. v.EnumerateArray().Select(e => new KeyValuePair<string, AttributeValue>(e[0].GetString() ?? "", ReadEntryValue(e)))]),
            _ => AttributeValue.Empty,
        };
    }
}
