using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpsConsole.E2E.Infrastructure;

/// <summary>
/// The real console, started as a child process from the already-built web project: Development environment
/// (demo accounts), a free loopback port and a fresh SQLite database in a temporary directory. The demo SaaS is off
/// unless asked for (<see cref="StartAsync(bool)"/>): then it runs inside the console on free ports, exporting OTLP to
/// the console and scraped by it, as <c>dotnet run</c> does.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private const int OutputLinesKept = 200;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Queue<string> _output = new();

    private ConsoleServer(Process process, Uri baseAddress, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
    }

    /// <summary>Where the console listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>"running", or how the process ended (a test failing with connection errors wants to know).</summary>
    public string State => _process.HasExited ? $"exited with code {_process.ExitCode}" : $"running (pid {_process.Id})";

    /// <summary>The last lines the console wrote to stdout and stderr.</summary>
    public string OutputTail()
    {
        lock (_output)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    public static async Task<ConsoleServer> StartAsync(bool demo = false)
    {
        var repoRoot = FindRepoRoot();
        var dll = Path.Combine(repoRoot, "src", "OpsConsole.Web", "bin", "Debug", "net10.0", "OpsConsole.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"The web app is not built: {dll} does not exist. Build first (dotnet build OpsConsole.sln, or ./test.sh, which builds before testing).");
        }

        var dataDirectory = Directory.CreateTempSubdirectory("opsconsole-e2e-").FullName;
        var baseAddress = new Uri($"http://127.0.0.1:{FreeTcpPort()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);

        // Settings inherited from the developer's shell or CI (another database, another port) must not leak in.
        foreach (var key in start.Environment.Keys.Where(IsInheritedSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Kestrel__Endpoints__Http__Url"] = baseAddress.ToString().TrimEnd('/');
        // The OTLP listeners take any free port, so a console already running here (4317/4318) does not clash.
        start.Environment["Kestrel__Endpoints__OtlpGrpc__Url"] = "http://127.0.0.1:0";
        start.Environment["Kestrel__Endpoints__OtlpHttp__Url"] = "http://127.0.0.1:0";
        start.Environment["Demo__Enabled"] = demo ? "true" : "false";
        if (demo)
        {
            var grpc = $"http://127.0.0.1:{FreeTcpPort()}";
            start.Environment["Kestrel__Endpoints__OtlpGrpc__Url"] = grpc;
            start.Environment["Demo__OtlpEndpoint"] = grpc;
            start.Environment["Demo__MetricsPortBase"] = FreePortRun(6).ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["Demo__Incidents"] = "false"; // steady data for the journey; incidents have their own tests
        }

        start.Environment["Storage__Provider"] = "Sqlite";
        start.Environment["Storage__ConnectionString"] = $"Data Source={Path.Combine(dataDirectory, "e2e.db")}";
        // Journeys sign in many times from one address; rate limits have their own tests.
        start.Environment["RateLimits__ApiPerMinute"] = "1000000";
        start.Environment["RateLimits__LoginPerAccountPerMinute"] = "1000000";
        start.Environment["RateLimits__LoginPerAddressPerMinute"] = "1000000";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ConsoleServer(process, baseAddress, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data is null ? null : "[stderr] " + e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        string lastProblem = "no answer yet";
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The console exited with code {_process.ExitCode} before it was ready.{Environment.NewLine}{OutputTail()}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                lastProblem = $"/health/ready answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lastProblem = e.Message;
            }

            await Task.Delay(ReadyPollInterval);
        }

        throw new TimeoutException(
            $"The console at {BaseAddress} was not ready within {ReadyTimeout.TotalSeconds:0} s ({lastProblem}).{Environment.NewLine}{OutputTail()}");
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
            while (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>The directory holding <c>OpsConsole.sln</c>, found by walking up from the test binaries.</summary>
    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OpsConsole.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }

    private static bool IsInheritedSetting(string key) =>
        key.StartsWith("OpsConsole__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Auth__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Telemetry__", StringComparison.OrdinalIgnoreCase)
        || key is "ASPNETCORE_URLS" or "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_HTTPS_PORTS" or "DOTNET_URLS";

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports.</summary>
    private static int FreePortRun(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = FreeTcpPort();
            if (first + count > IPEndPoint.MaxPort)
            {
                continue;
            }

            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, first + i);
                    listener.Start();
                    listeners.Add(listener);
                }

                return first;
            }
            catch (SocketException)
            {
                // One of them is taken: try another run.
            }
            finally
            {
                foreach (var l in listeners)
                {
                    l.Stop();
                }
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free loopback ports were found.");
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        catch (OperationCanceledException)
        {
            // Killed but not yet reaped after 15 s; the OS finishes it.
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
                // A file still held open; the temp directory is cleaned by the OS eventually.
            }
        }
    }
}
