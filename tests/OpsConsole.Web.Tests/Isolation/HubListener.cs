using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using OpsConsole.Web.LiveEvents;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>
/// One connection to <c>/hubs/live</c> through the SignalR .NET client that records every message of every
/// server-to-client method the hub documents, and any other method the server sends (the client logs those as having no
/// handler; they are collected in <see cref="Unhandled"/> so a new method fails the test until it is listened to).
/// </summary>
public sealed class HubListener : IAsyncDisposable
{
    /// <summary>The hub's server-to-client methods (<see cref="LiveHub"/>).</summary>
    public static readonly string[] ServerMethods = ["health", "ingest", "alert"];

    private HubListener(string who) => Who = who;

    public string Who { get; }

    public HubConnection Connection { get; private set; } = default!;

    public ConcurrentQueue<(string Method, string Payload)> Messages { get; } = new();

    public ConcurrentQueue<string> Unhandled { get; } = new();

    public static async Task<HubListener> ConnectAsync(IsolationConsoleFactory factory, string who, string? bearer = null, string? cookie = null)
    {
        var listener = new HubListener(who);
        listener.Connection = new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, LiveHub.Path), o =>
            {
                o.Transports = HttpTransportType.LongPolling;
                o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                if (bearer is not null)
                {
                    o.Headers["Authorization"] = "Bearer " + bearer;
                }

                if (cookie is not null)
                {
                    o.Headers["Cookie"] = cookie;
                }
            })
            .ConfigureLogging(logging => logging.AddProvider(new MissingHandlers(listener.Unhandled)))
            .Build();
        foreach (var method in ServerMethods)
        {
            listener.Connection.On<JsonElement>(method, payload => listener.Messages.Enqueue((method, payload.GetRawText())));
        }

        await listener.Connection.StartAsync();
        return listener;
    }

    /// <summary>
    /// Calls every client-callable method the hub declares (none today; any added later is called here) with
    /// <paramref name="asking"/>'s tenant id for each string parameter, and records the answer as a message.
    /// </summary>
    public async Task InvokeEveryHubMethodAsync(IsolationTenant asking)
    {
        var methods = typeof(LiveHub).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.DeclaringType != typeof(Hub) && m.DeclaringType != typeof(object) && !m.IsSpecialName)
            .Where(m => m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync) or nameof(Hub.Dispose)));
        foreach (var method in methods)
        {
            var args = method.GetParameters().Select(p => p.ParameterType == typeof(string) ? asking.Id : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
            string answer;
            try
            {
                answer = JsonSerializer.Serialize(await Connection.InvokeCoreAsync(method.Name, typeof(object), args));
            }
            catch (HubException e)
            {
                answer = e.Message;
            }

            Messages.Enqueue(("invoke " + method.Name, answer));
        }
    }

    /// <summary>Whether a message mentions <paramref name="tenant"/>: its marker, or its id as a JSON value.</summary>
    public static bool Mentions(string payload, IsolationTenant tenant) =>
        payload.Contains(tenant.Marker, StringComparison.OrdinalIgnoreCase) || payload.Contains($"\"{tenant.Id}\"", StringComparison.Ordinal);

    /// <summary>Makes the console push events for <paramref name="tenant"/>: a health check changes, a new series arrives and fires an alert.</summary>
    public static async Task CauseEventsAsync(IsolationSeedContext context, IsolationTenant tenant)
    {
        await HealthCheckSeeder.ReportAsync(context, tenant, "degraded", DateTimeOffset.UtcNow);
        var sample = $$"""{"metrics":[{"name":"isolation_probe","labels":{"job":"{{tenant.Service}}","marker":"{{tenant.Marker}}","phase":"hub"},"value":1,"timestamp":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}]}""";
        await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync($"/api/v1/monitoring/metrics?tenant={tenant.Id}", Json(sample)), $"{tenant.Id}'s hub sample");
    }

    /// <summary>Waits until this connection has heard <paramref name="tenant"/>'s health change, ingest rate and new alert.</summary>
    public async Task WaitForAsync(IsolationTenant tenant, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Heard(tenant))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; heard: {string.Join(" | ", Messages.Select(m => m.Method + " " + m.Payload))}");
            await Task.Delay(50);
        }
    }

    private bool Heard(IsolationTenant tenant)
    {
        var messages = Messages.ToArray();
        return messages.Any(m => m.Method == "health" && m.Payload.Contains(tenant.Marker, StringComparison.Ordinal) && m.Payload.Contains("degraded", StringComparison.Ordinal))
            && messages.Any(m => m.Method == "ingest" && Mentions(m.Payload, tenant))
            && messages.Any(m => m.Method == "alert" && m.Payload.Contains(tenant.Marker, StringComparison.Ordinal) && m.Payload.Contains("\"hub\"", StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>Collects the methods the client received but had no handler for.</summary>
    private sealed class MissingHandlers(ConcurrentQueue<string> into) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(into);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> into) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = formatter(state, exception);
                if (text.Contains("handler", StringComparison.OrdinalIgnoreCase))
                {
                    into.Enqueue(text);
                }
            }
        }
    }
}
