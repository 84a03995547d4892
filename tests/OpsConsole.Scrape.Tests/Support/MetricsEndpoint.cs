using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Scrape.Tests.Support;

/// <summary>
/// A real scrape target: a minimal Kestrel host on 127.0.0.1 and a random port whose <c>/metrics</c> answer the test
/// sets (page, status, content type, gzip, or hanging until the scraper gives up).
/// </summary>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Dictionary<string, string>> _requests = new();
    private volatile string _page = "";
    private volatile int _status = StatusCodes.Status200OK;
    private volatile string _contentType = "text/plain; version=0.0.4; charset=utf-8";
    private volatile bool _hang;
    private volatile bool _gzip;

    private MetricsEndpoint(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public int RequestCount => _requests.Count;

    /// <summary>The headers of the latest request (names as sent, values joined).</summary>
    public IReadOnlyDictionary<string, string> LastRequestHeaders => _requests.Last();

    public string Page
    {
        get => _page;
        set => _page = value;
    }

    public int Status
    {
        get => _status;
        set => _status = value;
    }

    public string ContentType
    {
        get => _contentType;
        set => _contentType = value;
    }

    /// <summary>When true, requests wait until the client gives up.</summary>
    public bool Hang
    {
        get => _hang;
        set => _hang = value;
    }

    public bool Gzip
    {
        get => _gzip;
        set => _gzip = value;
    }

    public static async Task<MetricsEndpoint> StartAsync(Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new MetricsEndpoint(app);
        app.MapGet("/metrics", endpoint.ServeAsync);
        map?.Invoke(app);
        await app.StartAsync();
        endpoint.Url = new Uri(new Uri(app.Urls.Single()), "/metrics");
        return endpoint;
    }

    /// <summary>A URL on 127.0.0.1 where nothing listens (connections are refused).</summary>
    public static Uri RefusingUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/metrics");
    }

    private async Task ServeAsync(HttpContext context)
    {
        _requests.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        if (_hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = _status;
        context.Response.ContentType = _contentType;
        var bytes = System.Text.Encoding.UTF8.GetBytes(_page);
        if (_gzip)
        {
            context.Response.Headers.ContentEncoding = "gzip";
            using var buffer = new MemoryStream();
            await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(bytes);
            }

            bytes = buffer.ToArray();
        }

        await context.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
