using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace OpsConsole.Simulator.Services;

/// <summary>
/// A service's own /metrics page: a small Kestrel app on its own port serving the service's registry in the
/// Prometheus text format. Stopping it makes the port refuse connections, as a crashed process's would.
/// </summary>
internal sealed class MetricsEndpoint(string host, int port, Func<CollectorRegistry> registry) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private int _port = port;

    public bool IsServing => _app is not null;

    public Uri Url => new($"http://{(host.Contains(':') ? $"[{host}]" : host)}:{_port}/metrics");

    public int Port => _port;

    public async Task StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_app is not null)
            {
                return;
            }

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                if (host == "localhost")
                {
                    kestrel.ListenLocalhost(_port);
                }
                else
                {
                    kestrel.Listen(IPAddress.Parse(host), _port);
                }
            });
            var app = builder.Build();
            app.Run(ServeAsync);
            await app.StartAsync(ct);
            if (_port == 0)
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                _port = new Uri(address).Port;
            }

            _app = app;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_app is { } app)
            {
                _app = null;
                await app.StopAsync(ct);
                await app.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _gate.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (context.Request.Path != "/metrics")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await registry().CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>The endpoint's host neither listens for Ctrl+C nor stops the process: its owner starts and stops it.</summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
