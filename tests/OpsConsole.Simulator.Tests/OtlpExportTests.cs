using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Tests.Support;

namespace OpsConsole.Simulator.Tests;

/// <summary>Real OTLP over the network, to a stand-in collector on loopback, with the API key on every request.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Export_Grpc_SendsTracesAndLogsOfEveryServiceWithTheBearerKey()
    {
        await using var receiver = await OtlpReceiver.StartAsync(grpc: true);

        var requests = await RunAgainstAsync(receiver, OtlpProtocol.Grpc);

        var traces = requests.Where(r => r.Path == "/opentelemetry.proto.collector.trace.v1.TraceService/Export").ToList();
        var logs = requests.Where(r => r.Path == "/opentelemetry.proto.collector.logs.v1.LogsService/Export").ToList();
        AssertEveryServiceSent(traces);
        AssertEveryServiceSent(logs, except: ServiceNames.MlEngine); // ml-engine logs only failures, trainings and deploys
        Assert.All(requests, r => Assert.Equal("Bearer oc_test_key", r.Authorization));
        Assert.All(requests, r => Assert.StartsWith("application/grpc", r.ContentType));
        Assert.Contains(traces, t => t.Holds("POST /v1/chat") && t.Holds("tenant.id") && t.Holds("http.response.status_code"));
        Assert.Contains(logs, l => l.Holds("event_type") && l.Holds("http_request"));
    }

    [Fact]
    public async Task Export_HttpProtobuf_PostsToV1TracesAndV1LogsWithTheBearerKey()
    {
        await using var receiver = await OtlpReceiver.StartAsync(grpc: false);

        var requests = await RunAgainstAsync(receiver, OtlpProtocol.HttpProtobuf);

        var traces = requests.Where(r => r.Path == "/v1/traces").ToList();
        var logs = requests.Where(r => r.Path == "/v1/logs").ToList();
        AssertEveryServiceSent(traces);
        AssertEveryServiceSent(logs, except: ServiceNames.MlEngine); // ml-engine logs only failures, trainings and deploys
        Assert.All(requests, r => Assert.Equal("Bearer oc_test_key", r.Authorization));
        Assert.All(requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
    }

    private static async Task<IReadOnlyList<OtlpRequest>> RunAgainstAsync(OtlpReceiver receiver, OtlpProtocol protocol)
    {
        var run = await DemoRun.StartAsync(configure: o => o with { OtlpEndpoint = receiver.Endpoint, OtlpProtocol = protocol, ApiKey = "oc_test_key" });
        run.Run(TimeSpan.FromMinutes(3));
        await run.DisposeAsync(); // flushes every provider
        return [.. receiver.Requests];
    }

    /// <summary>Each service's resource (its name, and the demo marker) reached the collector.</summary>
    private static void AssertEveryServiceSent(IReadOnlyList<OtlpRequest> requests, string? except = null)
    {
        Assert.NotEmpty(requests);
        foreach (var service in ServiceNames.All.Where(s => s != except))
        {
            Assert.Contains(requests, r => r.Holds(service) && r.Holds("opsconsole.demo") && r.Holds("deployment.environment"));
        }
    }
}
