using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpsConsole.PrometheusHarness;

/// <summary>How to start a <see cref="PrometheusServer"/>.</summary>
public sealed record PrometheusServerOptions
{
    /// <summary>How long to wait for "ready" (loading many blocks takes a while).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>More command-line flags, e.g. <c>--query.max-samples=100000000</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, which ./test.sh installs) for side-by-side tests and
/// benchmarks: <see cref="CreateBlocksAsync(string, string, CancellationToken)"/> turns an OpenMetrics file (see <see cref="OpenMetricsWriter"/>) into TSDB
/// blocks with <c>promtool tsdb create-blocks-from openmetrics</c>; <see cref="StartAsync"/> starts Prometheus on those
/// blocks on a free loopback port with no scrape targets and a retention long enough to keep any past data, and returns
/// once it logs that it is ready and <c>/-/ready</c> answers. Disposing kills it. Missing binaries are an exception
/// naming the package, never a skipped test.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string ReadyLine = "Server is ready to receive web requests";
    private const int MaxLogLines = 400;

    private readonly Process _process;
    private readonly string _configDirectory;
    private readonly Queue<string> _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PrometheusServer(Process process, string configDirectory, int port)
    {
        _process = process;
        _configDirectory = configDirectory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Where Prometheus listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The last lines Prometheus logged (for failure messages).</summary>
    public string RecentLog
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>A client for <see cref="BaseAddress"/>; the caller disposes it.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>The path of <paramref name="name"/> (<c>prometheus</c>, <c>promtool</c>); an exception when it is not installed.</summary>
    public static string FindBinary(string name)
    {
        var candidates = new[] { "/usr/bin", "/usr/local/bin" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Select(dir => Path.Combine(dir, name));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"'{name}' is not installed: the Prometheus conformance tests need Debian's 'prometheus' package (./test.sh installs it; by hand: apt-get install prometheus).");
    }

    /// <summary>Runs <c>promtool tsdb create-blocks-from openmetrics</c>; returns its output, throws when it fails.</summary>
    public static Task<string> CreateBlocksAsync(string openMetricsFile, string dataDirectory, CancellationToken cancellationToken = default) =>
        CreateBlocksAsync(openMetricsFile, dataDirectory, [], cancellationToken);

    /// <summary>
    /// As <see cref="CreateBlocksAsync(string, string, CancellationToken)"/> with more promtool flags before the
    /// arguments, e.g. <c>--max-block-duration=6h</c> (blocks as long as a compacted Prometheus would hold, so the
    /// server has nothing to compact after start).
    /// </summary>
    public static async Task<string> CreateBlocksAsync(string openMetricsFile, string dataDirectory, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extraArguments);
        var promtool = FindBinary("promtool");
        Directory.CreateDirectory(dataDirectory);
        using var process = Process.Start(new ProcessStartInfo(promtool, ["tsdb", "create-blocks-from", "openmetrics", .. extraArguments, openMetricsFile, dataDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool tsdb create-blocks-from openmetrics failed (exit code {process.ExitCode}):\n{output}");
        }

        return output;
    }

    /// <summary>Starts Prometheus on the TSDB in <paramref name="dataDirectory"/> and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string dataDirectory, PrometheusServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PrometheusServerOptions();
        var binary = FindBinary("prometheus");

        // A free port can be taken between our probe and Prometheus's bind: then Prometheus exits and we try another.
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(binary, dataDirectory, FreeLoopbackPort(), options);
            try
            {
                await server.WaitUntilReadyAsync(options.ReadyTimeout, cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.RecentLog.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    private static PrometheusServer Launch(string binary, string dataDirectory, int port, PrometheusServerOptions options)
    {
        var configDirectory = Directory.CreateTempSubdirectory("opsconsole-prometheus-config-").FullName;
        var config = Path.Combine(configDirectory, "prometheus.yml");

        // No scrape targets and no rules: the server only answers queries over the blocks it was given.
        File.WriteAllText(config, "global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n");
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = configDirectory,
        };
        foreach (var argument in new[]
        {
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.GetFullPath(dataDirectory),
            "--storage.tsdb.retention.time=100y",
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--log.level=info",
        }.Concat(options.ExtraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new PrometheusServer(process, configDirectory, port);
        process.OutputDataReceived += (_, e) => server.OnLogLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLogLine(e.Data);
        process.Exited += (_, _) => server._ready.TrySetException(
            new InvalidOperationException($"prometheus exited with code {SafeExitCode(process)} before it was ready:\n{server.RecentLog}"));
        if (!process.Start())
        {
            throw new InvalidOperationException("prometheus did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void OnLogLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > MaxLogLines)
            {
                _log.Dequeue();
            }
        }

        if (line.Contains(ReadyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"prometheus was not ready after {timeout}:\n{RecentLog}");
        }

        // The log line comes just before the handler flips to ready; /-/ready is the contract.
        using var client = CreateClient();
        using var response = await client.GetAsync("-/ready", cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"prometheus logged ready but /-/ready answered {(int)response.StatusCode}:\n{RecentLog}");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>Kills Prometheus and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_configDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }

    /// <summary>A short description for test output.</summary>
    public override string ToString() => $"Prometheus at {BaseAddress}";
}
