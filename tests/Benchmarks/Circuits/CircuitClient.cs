using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Benchmarks.Circuits;

/// <summary>
/// One simulated browser tab on a Blazor Server page, without a browser: it loads the prerendered page with the
/// sign-in cookie, reads the server component markers (and the persisted component state) from its HTML, opens the
/// circuit hub at <c>/_blazor</c> with the "blazorpack" protocol (MessagePack under another name), starts the circuit
/// (<c>StartCircuit</c>, then <c>UpdateRootComponents</c> with the markers, as blazor.web.js does), acknowledges every
/// render batch (<c>OnRenderCompleted</c>) and answers every JS interop call (<c>JS.BeginInvokeJS</c> →
/// <c>EndInvokeJSFromDotNet</c>): module imports get a fresh JS object id, the chart's <c>append</c> answers with its
/// point count and is recorded with its delay since ingest (<c>ingestedAt</c> in the batch), anything else answers
/// "done, no value". It never draws, so what it measures is the server's share of ingest→screen.
/// </summary>
public sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly Uri _baseAddress;
    private readonly CookieContainer _cookies;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<(long ReceivedMs, long DelayMs)> _appends = [];
    private readonly TaskCompletionSource _firstAppend = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubConnection? _connection;
    private long _nextJsObjectId;
    private long _renderBatches;
    private volatile bool _closing;

    public CircuitClient(Uri baseAddress, CookieContainer cookies)
    {
        _baseAddress = baseAddress;
        _cookies = cookies;
    }

    /// <summary>Why the circuit failed (start, <c>JS.Error</c> or a closed connection), or null while it is fine.</summary>
    public string? Failure { get; private set; }

    /// <summary>Completes when the first chart append arrived (the circuit is live).</summary>
    public Task FirstAppend => _firstAppend.Task;

    public long RenderBatches => Interlocked.Read(ref _renderBatches);

    /// <summary>JS interop identifiers the server called, with counts (what a real browser would have run).</summary>
    public IReadOnlyDictionary<string, int> Calls => _calls;

    /// <summary>Chart appends received at or after <paramref name="fromMs"/> (Unix ms): their delays since ingest.</summary>
    public List<long> DelaysSince(long fromMs, long toMs)
    {
        lock (_gate)
        {
            return _appends.Where(a => a.ReceivedMs >= fromMs && a.ReceivedMs < toMs).Select(a => a.DelayMs).ToList();
        }
    }

    public int AppendsSince(long fromMs, long toMs)
    {
        lock (_gate)
        {
            return _appends.Count(a => a.ReceivedMs >= fromMs && a.ReceivedMs < toMs);
        }
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex ComponentMarker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex ServerState();

    /// <summary>Loads <paramref name="path"/> and starts its circuit; on failure <see cref="Failure"/> says why.</summary>
    public async Task StartAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        try
        {
            var pageUri = new Uri(_baseAddress, path);
            using var response = await http.GetAsync(pageUri, cancellationToken);
            var html = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Fail($"GET {path} answered {(int)response.StatusCode}");
                return;
            }

            var markers = ComponentMarker().Matches(html)
                .Select(m => JsonNode.Parse(m.Groups[1].Value)!.AsObject())
                .Where(m => (string?)m["type"] == "server")
                .ToList();
            if (markers.Count == 0)
            {
                Fail($"GET {path}: no server component markers in the page (signed out?)");
                return;
            }

            var state = ServerState().Match(html) is { Success: true } s ? s.Groups[1].Value : "";
            _connection = Build();
            await _connection.StartAsync(cancellationToken);
            var circuitId = await _connection.InvokeAsync<string?>("StartCircuit", _baseAddress.ToString(), pageUri.ToString(), "[]", "", cancellationToken);
            if (string.IsNullOrEmpty(circuitId))
            {
                Fail("StartCircuit returned no circuit id");
                return;
            }

            var operations = new JsonArray();
            var ssrId = 1;
            foreach (var marker in markers)
            {
                operations.Add(new JsonObject { ["type"] = "add", ["ssrComponentId"] = ssrId++, ["marker"] = marker });
            }

            var batch = new JsonObject { ["batchId"] = 1, ["operations"] = operations };
            await _connection.SendAsync("UpdateRootComponents", batch.ToJsonString(), state, cancellationToken);
        }
#pragma warning disable CA1031 // a circuit that cannot start is counted as failed, the run goes on
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fail($"start: {e.GetType().Name}: {e.Message}");
        }
    }

    private HubConnection Build()
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(_baseAddress, "_blazor"), HttpTransportType.WebSockets, o =>
            {
                o.Cookies = _cookies;
                o.SkipNegotiation = false;
            });
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var connection = builder.Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(2);

        connection.On<long, byte[]>("JS.RenderBatch", async (batchId, _) =>
        {
            Interlocked.Increment(ref _renderBatches);
            await connection.SendAsync("OnRenderCompleted", batchId, (string?)null);
        });
        connection.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)], args =>
            OnBeginInvokeJsAsync(connection, (long)args[0]!, (string)args[1]!, (string?)args[2], (int)args[3]!));
        connection.On<string>("JS.Error", error => Fail("JS.Error: " + error));
        connection.Closed += e =>
        {
            if (_closing)
            {
                return Task.CompletedTask;
            }

            Fail("connection closed" + (e is null ? "" : ": " + e.Message));
            return Task.CompletedTask;
        };
        return connection;
    }

    private async Task OnBeginInvokeJsAsync(HubConnection connection, long handle, string identifier, string? argsJson, int resultType)
    {
        _calls.AddOrUpdate(identifier, 1, (_, n) => n + 1);
        JsonNode? result = null;
        if (identifier == "append")
        {
            result = RecordAppend(argsJson);
        }
        else if (resultType == 1)
        {
            // JSCallResultType.JSObjectReference (e.g. "import" of a JS module): a reference the server calls into later.
            result = new JsonObject { ["__jsObjectId"] = Interlocked.Increment(ref _nextJsObjectId) };
        }

        if (handle == 0)
        {
            return; // fire-and-forget call: no answer expected
        }

        var answer = new JsonArray(handle, true, result);
        await connection.SendAsync("EndInvokeJSFromDotNet", handle, true, answer.ToJsonString());
    }

    private JsonNode RecordAppend(string? argsJson)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var points = 0;
        if (argsJson is not null)
        {
            using var doc = JsonDocument.Parse(argsJson);
            if (doc.RootElement.GetArrayLength() > 1 && doc.RootElement[1] is { ValueKind: JsonValueKind.Object } batch)
            {
                if (batch.TryGetProperty("points", out var p) && p.ValueKind == JsonValueKind.Array)
                {
                    points = p.GetArrayLength();
                }

                if (batch.TryGetProperty("ingestedAt", out var ingested) && ingested.ValueKind == JsonValueKind.Number)
                {
                    lock (_gate)
                    {
                        _appends.Add((now, now - ingested.GetInt64()));
                    }

                    _firstAppend.TrySetResult();
                }
            }
        }

        return JsonValue.Create(points);
    }

    private void Fail(string why)
    {
        Failure ??= why;
        _firstAppend.TrySetException(new InvalidOperationException(why));
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            _closing = true;
            await _connection.DisposeAsync();
        }
    }

    /// <summary>The MessagePack hub protocol under the name Blazor's hub accepts ("blazorpack").</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol _inner = new();

        public string Name => "blazorpack";

        public int Version => _inner.Version;

        public TransferFormat TransferFormat => _inner.TransferFormat;

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
            _inner.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

        public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);
    }

    internal static string Describe(IReadOnlyDictionary<string, int> calls) =>
        string.Join(", ", calls.OrderByDescending(c => c.Value).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} x{c.Value}")));
}
