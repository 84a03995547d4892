using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Logs;
using OpsConsole.Ingest.Otlp.Proto.Resource;
using OpsConsole.Ingest.Otlp.Proto.Trace;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The ingest load harness (run by hand against a started console, never in the test suite):
/// <c>dotnet run -c Release --project tests/Benchmarks -- load --signal traces --url http://127.0.0.1:4318 --seconds 20
/// --concurrency 8 --batch 500 [--pid N] [--key K]</c>. It sends OTLP/HTTP protobuf exports with fresh ids (built before
/// the clock starts, so the harness's own work is not measured), and prints accepted items/s, request latency
/// p50/p99, failures by status, and with <c>--pid</c> the console's resident memory afterwards.
/// </summary>
public static class LoadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        var signal = Arg("signal", "traces");
        var url = new Uri(new Uri(Arg("url", "http://127.0.0.1:4318")), signal == "logs" ? "/v1/logs" : "/v1/traces");
        var seconds = int.Parse(Arg("seconds", "20"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(Arg("concurrency", "8"), CultureInfo.InvariantCulture);
        var batch = int.Parse(Arg("batch", "500"), CultureInfo.InvariantCulture);
        var payloadCount = int.Parse(Arg("payloads", "2000"), CultureInfo.InvariantCulture);
        var key = Arg("key", "");
        var pid = int.Parse(Arg("pid", "0"), CultureInfo.InvariantCulture);

        Console.WriteLine($"Building {payloadCount} {signal} exports of {batch} items…");
        var random = new Random(42);
        var payloads = new byte[payloadCount][];
        for (var p = 0; p < payloadCount; p++)
        {
            payloads[p] = signal == "logs" ? Logs(batch, random) : Traces(batch, random);
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var latencies = new List<double>[concurrency];
        var failures = new Dictionary<int, int>();
        long accepted = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            latencies[w] = [];
            while (clock.Elapsed < deadline)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= payloads.Length)
                {
                    break; // every payload sent once: ids stay unique
                }

                using var content = new ByteArrayContent(payloads[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                if (key.Length > 0)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }

                var started = clock.Elapsed;
                using var response = await http.SendAsync(request);
                latencies[w].Add((clock.Elapsed - started).TotalMilliseconds);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref accepted, batch);
                }
                else
                {
                    lock (failures)
                    {
                        failures[(int)response.StatusCode] = failures.GetValueOrDefault((int)response.StatusCode) + 1;
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        Console.WriteLine($"signal={signal} requests={all.Length} items={accepted:N0} elapsed={elapsed:0.0}s");
        Console.WriteLine($"accepted {accepted / elapsed:N0} {signal}/s; request latency p50 {Percentile(0.5):0.0} ms, p99 {Percentile(0.99):0.0} ms");
        Console.WriteLine(failures.Count == 0 ? "failures: none" : "failures: " + string.Join(", ", failures.Select(f => $"{f.Key} x{f.Value}")));
        if (pid > 0 && File.Exists($"/proc/{pid}/status"))
        {
            var rss = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            Console.WriteLine($"console {rss}");
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static Resource Resource()
    {
        var resource = new Resource();
        resource.Attributes.Add(Attr("service.name", "load-harness"));
        resource.Attributes.Add(Attr("tenant.id", "acme"));
        return resource;
    }

    private static byte[] Traces(int count, Random random)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "load" } };
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var ids = new byte[24];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(ids);
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(ids, 0, 16),
                SpanId = ByteString.CopyFrom(ids, 16, 8),
                Name = "GET /orders/{id}",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = now + (ulong)i,
                EndTimeUnixNano = now + (ulong)i + 25_000_000,
            };
            span.Attributes.Add(Attr("http.request.method", "GET"));
            span.Attributes.Add(Attr("http.route", "/orders/{id}"));
            span.Attributes.Add(new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = 200 } });
            span.Attributes.Add(Attr("order.id", "A-" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture)));
            scope.Spans.Add(span);
        }

        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = Resource(), ScopeSpans = { scope } });
        return request.ToByteArray();
    }

    private static byte[] Logs(int count, Random random)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "load" } };
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var i = 0; i < count; i++)
        {
            var record = new LogRecord
            {
                TimeUnixNano = now + (ulong)i,
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "Information",
                Body = new AnyValue { StringValue = $"order A-{random.Next(1_000_000)} served in {random.Next(5, 500)} ms for user u-{random.Next(10_000)}" },
            };
            record.Attributes.Add(Attr("event_type", "http_request"));
            record.Attributes.Add(new KeyValue { Key = "duration_ms", Value = new AnyValue { IntValue = random.Next(5, 500) } });
            scope.LogRecords.Add(record);
        }

        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(new ResourceLogs { Resource = Resource(), ScopeLogs = { scope } });
        return request.ToByteArray();
    }
}
