using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// Decodes an OTLP export request from protobuf or OTLP/JSON. OTLP/JSON is proto3's JSON mapping with
/// lowerCamelCase names, enums as integers, 64-bit integers as strings or numbers, and one difference: trace
/// and span ids are hex strings, not base64. The ids are rewritten to base64 in one pass over the text, then
/// Google.Protobuf's JSON parser (ignoring unknown fields) does the rest. Hex of the wrong length decodes to
/// an id of the wrong length, which mapping rejects item by item; text that is not hex at all makes the whole
/// payload malformed.
/// </summary>
internal static class OtlpDecoder
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static bool TryDecode<T>(ReadOnlySpan<byte> payload, OtlpPayloadFormat format, MessageParser<T> parser, out T? message, out string? error)
        where T : IMessage<T>, new()
    {
        message = default;
        try
        {
            if (format == OtlpPayloadFormat.Protobuf)
            {
                message = parser.ParseFrom(payload);
                error = null;
                return true;
            }

            if (!TryRewriteIds(payload, out var json, out error))
            {
                return false;
            }

            message = Parser.Parse<T>(json);
            return true;
        }
        catch (InvalidProtocolBufferException ex)
        {
            error = format == OtlpPayloadFormat.Protobuf
                ? $"The body is not a valid protobuf {typeof(T).Name}: {ex.Message}"
                : $"The body is not a valid OTLP/JSON {typeof(T).Name}: {ex.Message}";
        }
        catch (InvalidJsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
        }
        catch (FormatException ex)
        {
            error = $"The body is not a valid OTLP/JSON {typeof(T).Name}: {ex.Message}";
        }

        return false;
    }

    /// <summary>The JSON text with every traceId/spanId/parentSpanId hex string replaced by base64.</summary>
    internal static bool TryRewriteIds(ReadOnlySpan<byte> utf8, out string json, out string? error)
    {
        json = "";
        error = null;
        ArrayBufferWriter<byte>? output = null;
        var copied = 0;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 128 });
        var idName = default(string);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    idName = IdPropertyName(ref reader);
                    continue;
                }

                if (idName is not null && reader.TokenType == JsonTokenType.String)
                {
                    var start = (int)reader.TokenStartIndex;
                    var rawLength = reader.ValueSpan.Length + 2;
                    output ??= new ArrayBufferWriter<byte>(utf8.Length);
                    output.Write(utf8[copied..start]);
                    if (!TryWriteBase64FromHex(ref reader, output))
                    {
                        var text = reader.GetString() ?? "";
                        error = $"The body is not valid OTLP/JSON: {idName} \"{(text.Length > 64 ? text[..64] + "…" : text)}\" is not a hex string (OTLP/JSON writes trace and span ids as hex).";
                        return false;
                    }

                    copied = start + rawLength;
                }

                idName = null;
            }
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return false;
        }

        if (output is null)
        {
            json = Encoding.UTF8.GetString(utf8);
            return true;
        }

        output.Write(utf8[copied..]);
        json = Encoding.UTF8.GetString(output.WrittenSpan);
        return true;
    }

    private static string? IdPropertyName(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("trace_id"u8))
        {
            return "traceId";
        }

        if (reader.ValueTextEquals("spanId"u8) || reader.ValueTextEquals("span_id"u8))
        {
            return "spanId";
        }

        return reader.ValueTextEquals("parentSpanId"u8) || reader.ValueTextEquals("parent_span_id"u8) ? "parentSpanId" : null;
    }

    /// <summary>Writes <c>"base64"</c> for the current hex string token; false when it is not hex of even length.</summary>
    private static bool TryWriteBase64FromHex(ref Utf8JsonReader reader, ArrayBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> hex = reader.ValueSpan;
        byte[]? unescaped = null;
        if (reader.ValueIsEscaped)
        {
            unescaped = Encoding.UTF8.GetBytes(reader.GetString() ?? "");
            hex = unescaped;
        }

        if (hex.Length % 2 != 0)
        {
            return false;
        }

        Span<byte> bytes = hex.Length <= 128 ? stackalloc byte[hex.Length / 2] : new byte[hex.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            var high = HexValue(hex[2 * i]);
            var low = HexValue(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        var target = output.GetSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length) + 2);
        target[0] = (byte)'"';
        Base64.EncodeToUtf8(bytes, target[1..], out _, out var written);
        target[written + 1] = (byte)'"';
        output.Advance(written + 2);
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
