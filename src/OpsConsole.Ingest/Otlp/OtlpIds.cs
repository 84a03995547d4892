using Google.Protobuf;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Otlp;

/// <summary>Trace and span ids from OTLP bytes, with the reason when they are not valid.</summary>
internal static class OtlpIds
{
    /// <summary>A trace id must be 16 bytes and not all zero.</summary>
    public static bool TryTraceId(ByteString bytes, out TraceId id, out string? error)
    {
        id = default;
        if (bytes.Length != 16)
        {
            error = bytes.Length == 0 ? "trace id is missing" : $"trace id has {bytes.Length} bytes, not 16";
            return false;
        }

        id = TraceId.FromBytes(bytes.Span);
        error = id.IsEmpty ? "trace id is all zero" : null;
        return error is null;
    }

    /// <summary>A span's own id must be 8 bytes and not all zero.</summary>
    public static bool TrySpanId(ByteString bytes, out SpanId id, out string? error)
    {
        id = default;
        if (bytes.Length != 8)
        {
            error = bytes.Length == 0 ? "span id is missing" : $"span id has {bytes.Length} bytes, not 8";
            return false;
        }

        id = SpanId.FromBytes(bytes.Span);
        error = id.IsEmpty ? "span id is all zero" : null;
        return error is null;
    }

    /// <summary>An optional span id (a parent, a log's span): empty or 8 bytes; all zero means none.</summary>
    public static bool TryOptionalSpanId(ByteString bytes, string what, out SpanId id, out string? error)
    {
        id = default;
        error = null;
        if (bytes.Length == 0)
        {
            return true;
        }

        if (bytes.Length != 8)
        {
            error = $"{what} has {bytes.Length} bytes, not 8";
            return false;
        }

        id = SpanId.FromBytes(bytes.Span);
        return true;
    }

    /// <summary>An optional trace id (a log's trace): empty or 16 bytes; all zero means none.</summary>
    public static bool TryOptionalTraceId(ByteString bytes, out TraceId id, out string? error)
    {
        id = default;
        error = null;
        if (bytes.Length == 0)
        {
            return true;
        }

        if (bytes.Length != 16)
        {
            error = $"trace id has {bytes.Length} bytes, not 16";
            return false;
        }

        id = TraceId.FromBytes(bytes.Span);
        return true;
    }
}
