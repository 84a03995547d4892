using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp;

namespace OpsConsole.Ingest.Tests.Support;

/// <summary>
/// A minimal Kestrel host on 127.0.0.1 with random ports, wired the way the console's host is meant to be: an
/// Http2-only endpoint for OTLP/gRPC and an Http1 endpoint for OTLP/HTTP, both mapping the receivers onto a
/// <see cref="RecordingSink"/>.
/// </summary>
public sealed class OtlpTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _grpc;
    private readonly ListenOptions _http;

    private OtlpTestHost(WebApplication app, RecordingSink sink, ListenOptions grpc, ListenOptions http)
    {
        _app = app;
        Sink = sink;
        _grpc = grpc;
        _http = http;
    }

    public RecordingSink Sink { get; }

    public IServiceProvider Services => _app.Services;

    public int GrpcPort => _grpc.IPEndPoint!.Port;

    public int HttpPort => _http.IPEndPoint!.Port;

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{GrpcPort}");

    public Uri HttpEndpoint(string path) => new($"http://127.0.0.1:{HttpPort}{path}");

    public static async Task<OtlpTestHost> StartAsync(
        Dictionary<string, string?>? settings = null,
        string? authorizationPolicy = null,
        Action<WebApplicationBuilder>? configureServices = null,
        Action<WebApplication>? configurePipeline = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null;
        ListenOptions? http = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                grpc = o;
            });
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                http = o;
            });
        });

        var sink = new RecordingSink();
        builder.Services.AddSingleton<ITelemetrySink>(sink);
        builder.Services.AddOtlpIngest(builder.Configuration);
        configureServices?.Invoke(builder);

        var app = builder.Build();
        configurePipeline?.Invoke(app);
        app.MapOtlpHttp(authorizationPolicy);
        app.MapOtlpGrpc(authorizationPolicy);
        await app.StartAsync();
        return new OtlpTestHost(app, sink, grpc!, http!);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
