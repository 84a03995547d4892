using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Simulator.Tests.Support;

/// <summary>One OTLP export request as it arrived.</summary>
internal sealed record OtlpRequest(string Path, string? Authorization, string? ContentType, byte[] Body)
{
    /// <summary>Whether the protobuf payload holds <paramref name="text"/> (strings are plain UTF-8 on the wire).</summary>
    public bool Holds(string text) => Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;
}

/// <summary>
/// A stand-in OTLP collector on loopback: accepts gRPC (HTTP/2 without TLS) or HTTP/protobuf exports, answers
/// success, and keeps what it was sent.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<OtlpRequest> Requests { get; } = new();

    public static async Task<OtlpReceiver> StartAsync(bool grpc)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var address = new Uri("http://127.0.0.1");
        OtlpReceiver? receiver = null;
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver!.Requests.Enqueue(new OtlpRequest(
                context.Request.Path, context.Request.Headers.Authorization.ToString(), context.Request.ContentType, body.ToArray()));
            if (grpc)
            {
                context.Response.ContentType = "application/grpc";
                await context.Response.Body.WriteAsync(new byte[5]);
                context.Response.AppendTrailer("grpc-status", "0");
            }
            else
            {
                context.Response.ContentType = "application/x-protobuf";
            }
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new OtlpReceiver(app, new Uri(address, $"//127.0.0.1:{new Uri(bound).Port}"));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
