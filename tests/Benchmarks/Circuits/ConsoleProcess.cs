using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Diagnostics.NETCore.Client;

namespace OpsConsole.Benchmarks.Circuits;

/// <summary>
/// The published console started as its own process (so its CPU time and resident memory can be read from /proc):
/// Development environment (demo accounts), the demo workload on (steady, no incidents), SQLite in a temporary
/// directory, free loopback ports. Killed and cleaned up on dispose.
/// </summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Queue<string> _output = new();

    private ConsoleProcess(Process process, Uri baseAddress, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary>Starts the published console; <paramref name="demo"/> runs the demo workload in it (no incidents).</summary>
    public static async Task<ConsoleProcess> StartAsync(string publishedDirectory, bool demo = true)
    {
        var dll = Path.Combine(publishedDirectory, "OpsConsole.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: publish the console first (dotnet publish src/OpsConsole.Web -c Release -o DIR).");
        }

        var dataDirectory = Directory.CreateTempSubdirectory("opsconsole-circuits-").FullName;
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = publishedDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key); // nothing from the shell (another database, another port) leaks in
        }

        var grpc = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["OPSCONSOLE_CONTENT_ROOT"] = publishedDirectory;
        start.Environment["Kestrel__Endpoints__Http__Url"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["Kestrel__Endpoints__OtlpGrpc__Url"] = grpc;
        start.Environment["Kestrel__Endpoints__OtlpHttp__Url"] = "http://127.0.0.1:0";
        start.Environment["Demo__Enabled"] = demo ? "true" : "false";
        if (demo)
        {
            start.Environment["Demo__OtlpEndpoint"] = grpc;
            start.Environment["Demo__MetricsPortBase"] = FreePortRun(6).ToString(CultureInfo.InvariantCulture);
            start.Environment["Demo__Incidents"] = "false";
        }

        // Benchmarks drive the API and sign-ins far harder than people do; the limits would measure themselves.
        start.Environment["RateLimits__ApiPerMinute"] = "1000000";
        start.Environment["RateLimits__LoginPerAccountPerMinute"] = "1000000";
        start.Environment["RateLimits__LoginPerAddressPerMinute"] = "1000000";
        start.Environment["Storage__Provider"] = "Sqlite";
        start.Environment["Storage__ConnectionString"] = $"Data Source={Path.Combine(dataDirectory, "console.db")}";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = start };
        var console = new ConsoleProcess(process, baseAddress, dataDirectory);
        process.OutputDataReceived += (_, e) => console.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => console.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await console.WaitUntilReadyAsync();
        }
        catch
        {
            await console.DisposeAsync();
            throw;
        }

        return console;
    }

    /// <summary>Publishes the console (Release) into <paramref name="output"/>; false when the publish failed.</summary>
    public static async Task<bool> PublishAsync(string output)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OpsConsole.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("Run from the repository (no OpsConsole.sln above the benchmark).");
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
        foreach (var a in new[] { "publish", "src/OpsConsole.Web", "-c", "Release", "-o", output, "-v", "q", "-clp:ErrorsOnly" })
        {
            start.ArgumentList.Add(a);
        }

        using var publish = Process.Start(start)!;
        await publish.WaitForExitAsync();
        return publish.ExitCode == 0;
    }

    /// <summary>The last lines the console wrote.</summary>
    public string OutputTail()
    {
        lock (_output)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    /// <summary>User + system CPU time of the console so far.</summary>
    public TimeSpan CpuTime()
    {
        // /proc/PID/stat: fields after the command name's closing parenthesis; utime and stime are fields 14 and 15, in
        // clock ticks (USER_HZ, 100 on Linux).
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>Resident set size in bytes: all of it, and its anonymous part (heaps and stacks, not mapped files such as the assemblies' code).</summary>
    public (long Rss, long Anonymous) Rss()
    {
        long Field(string name)
        {
            var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(name + ":", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }

        return (Field("VmRSS"), Field("RssAnon"));
    }

    /// <summary>
    /// Has the console run a full blocking garbage collection, as dotnet-gcdump does: an EventPipe session on the
    /// runtime provider with the GCHeapCollect keyword (0x800000) makes the runtime collect when it starts.
    /// </summary>
    public async Task CollectGarbageAsync()
    {
        var client = new DiagnosticsClient(Pid);
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x1 | 0x800000);
        using var session = client.StartEventPipeSession([provider], requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await session.StopAsync(CancellationToken.None);
        await drain;
    }

    /// <summary>A value from the console's own /metrics (prometheus-net), or null when it has none.</summary>
    public async Task<double?> MetricAsync(HttpClient http, string name)
    {
        var text = await http.GetStringAsync(new Uri(BaseAddress, "metrics"));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The console exited with code {_process.ExitCode}:{Environment.NewLine}{OutputTail()}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The console was not ready within 120 s:{Environment.NewLine}{OutputTail()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 100)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int FreePortRun(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = FreePort();
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count && first + i <= IPEndPoint.MaxPort; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, first + i);
                    listener.Start();
                    listeners.Add(listener);
                }

                if (listeners.Count == count)
                {
                    return first;
                }
            }
            catch (SocketException)
            {
                // taken: try another run
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free loopback ports.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(exited.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // never started, or not reaped yet
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // still held open; the OS cleans temp
            }
        }
    }
}
