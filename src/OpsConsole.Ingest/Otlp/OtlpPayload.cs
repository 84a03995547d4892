using System.Buffers;
using System.IO.Compression;
using Microsoft.Net.Http.Headers;

namespace OpsConsole.Ingest.Otlp;

/// <summary>The two OTLP/HTTP encodings.</summary>
internal enum OtlpPayloadFormat
{
    Protobuf,
    Json,
}

internal static class OtlpMediaTypes
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    /// <summary>The format a Content-Type names (parameters such as charset ignored), or null for any other.</summary>
    public static OtlpPayloadFormat? Parse(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return null;
        }

        var mediaType = parsed.MediaType;
        if (mediaType.Equals(Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            return OtlpPayloadFormat.Protobuf;
        }

        return mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) ? OtlpPayloadFormat.Json : null;
    }

    public static string Of(OtlpPayloadFormat format) => format == OtlpPayloadFormat.Json ? Json : Protobuf;
}

internal enum PayloadProblem
{
    None,

    /// <summary>Over the size limit (compressed or decompressed): 413.</summary>
    TooLarge,

    /// <summary>A Content-Encoding other than gzip or identity: 415.</summary>
    UnsupportedEncoding,

    /// <summary>The body does not decompress: 400.</summary>
    BadCompression,
}

/// <summary>
/// A request body read into a pooled buffer, at most <c>maxBytes</c> after decompression (and at most that many
/// compressed bytes are read): reading stops as soon as the limit is passed, so an oversized body is never
/// buffered whole. Dispose to return the buffer.
/// </summary>
internal sealed class OtlpPayload : IDisposable
{
    private const int InitialBufferBytes = 16 * 1024;

    private byte[]? _buffer;

    private OtlpPayload(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public static async Task<(OtlpPayload? Payload, PayloadProblem Problem)> ReadAsync(
        Stream body, long? contentLength, string? contentEncoding, long maxBytes, CancellationToken cancellationToken)
    {
        var gzip = false;
        var encoding = contentEncoding?.Trim();
        if (!string.IsNullOrEmpty(encoding) && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                return (null, PayloadProblem.UnsupportedEncoding);
            }

            gzip = true;
        }

        if (contentLength > maxBytes)
        {
            return (null, PayloadProblem.TooLarge);
        }

        var limit = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        var source = gzip ? new GZipStream(new LimitedReadStream(body, limit), CompressionMode.Decompress, leaveOpen: true) : body;
        var initial = gzip || contentLength is null ? InitialBufferBytes : (int)Math.Max(contentLength.Value, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initial, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, PayloadProblem.TooLarge);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, PayloadProblem.TooLarge);
                }
            }

            return (new OtlpPayload(buffer, length), PayloadProblem.None);
        }
        catch (LimitedReadStream.LimitExceededException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, PayloadProblem.TooLarge);
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, PayloadProblem.BadCompression);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads at most a number of bytes from the inner stream and throws past that (the compressed side of gzip).</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new LimitExceededException() : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        internal sealed class LimitExceededException : Exception;
    }
}
