using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace OpsConsole.Ingest.Tests.Support;

/// <summary>A raw unary gRPC call over HTTP/2 (h2c), to see exactly what status, message and trailers the server sends.</summary>
public sealed record GrpcCall(int Status, string Message, byte[]? Response, string? StatusDetails)
{
    public static async Task<GrpcCall> UnaryAsync(int port, string path, byte[] message)
    {
        using var client = new HttpClient();
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.TrailingHeaders.TryGetValues(name, out var t) ? t.First()
            : response.Headers.TryGetValues(name, out var h) ? h.First() : null;

        var status = int.Parse(Header("grpc-status") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        var text = Uri.UnescapeDataString(Header("grpc-message") ?? "");
        return new GrpcCall(status, text, body.Length >= 5 ? body[5..] : null, Header("grpc-status-details-bin"));
    }

    public T Parse<T>(MessageParser<T> parser)
        where T : IMessage<T> => parser.ParseFrom(Response ?? []);

    public byte[] DetailsBytes()
    {
        var text = StatusDetails ?? "";
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }
}
