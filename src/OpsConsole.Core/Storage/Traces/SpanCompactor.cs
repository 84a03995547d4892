using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Traces;

/// <summary>
/// Shares the strings that repeat from span to span before a span is stored: a decoder makes a new string for every
/// attribute key and value of every span, but keys, span names, tenants and most short values (methods, routes,
/// status codes, peer names) repeat endlessly. The pools are bounded; once full, new text is kept as it came.
/// Not thread-safe: the <see cref="SpanStore"/> lock guards it.
/// </summary>
internal sealed class SpanCompactor
{
    private const int MaxPooledLength = 64;
    private const int MaxNames = 50_000;
    private const int MaxValues = 100_000;
    private const int SpanObjectBytes = 16 + 128;

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AttributeValue> _values = new(StringComparer.Ordinal);

    /// <summary>Estimated bytes the pools hold (they never shrink).</summary>
    public long PoolBytes { get; private set; }

    /// <summary>The span with shared strings, and the bytes it holds that are not shared.</summary>
    public (Span Span, int Bytes) Compact(Span span)
    {
        var bytes = SpanObjectBytes + TelemetrySize.Of(span.StatusMessage) + TelemetrySize.Of(span.TraceState);
        var source = span.Attributes;
        var attributes = new Domain.Telemetry.Attribute[source.Count];
        bytes += 24 + (attributes.Length * 16);
        for (var i = 0; i < source.Count; i++)
        {
            var (key, value) = source[i];
            var pooledKey = Name(key, out var keyBytes);
            bytes += keyBytes;
            if (value.Kind == AttributeKind.String && value.StringValue.Length <= MaxPooledLength)
            {
                value = Value(value, out var valueBytes);
                bytes += valueBytes;
            }
            else
            {
                bytes += TelemetrySize.Of(value);
            }

            attributes[i] = new Domain.Telemetry.Attribute(pooledKey, value);
        }

        foreach (var e in span.Events)
        {
            bytes += 16 + 40 + TelemetrySize.Of(e.Name) + TelemetrySize.Of(e.Attributes) + 8;
        }

        foreach (var l in span.Links)
        {
            bytes += 16 + 48 + TelemetrySize.Of(l.TraceState) + TelemetrySize.Of(l.Attributes) + 8;
        }

        var compact = span with
        {
            TenantId = Name(span.TenantId, out var tenantBytes),
            Name = Name(span.Name, out var nameBytes),
            Attributes = attributes,
        };
        return (compact, bytes + tenantBytes + nameBytes);
    }

    private string Name(string text, out int unsharedBytes)
    {
        unsharedBytes = 0;
        if (_names.TryGetValue(text, out var pooled))
        {
            return pooled;
        }

        if (text.Length <= MaxPooledLength && _names.Count < MaxNames)
        {
            _names.Add(text);
            PoolBytes += 32 + TelemetrySize.Of(text);
            return text;
        }

        unsharedBytes = TelemetrySize.Of(text);
        return text;
    }

    private AttributeValue Value(AttributeValue value, out int unsharedBytes)
    {
        unsharedBytes = 0;
        var text = value.StringValue;
        if (_values.TryGetValue(text, out var pooled))
        {
            return pooled;
        }

        if (_values.Count < MaxValues)
        {
            _values.Add(text, value);
            PoolBytes += 40 + 40 + TelemetrySize.Of(text);
            return value;
        }

        unsharedBytes = 40 + TelemetrySize.Of(text);
        return value;
    }
}
