using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Storage;
using OpsConsole.Domain.Telemetry;
using OpsConsole.PrometheusHarness;

namespace OpsConsole.Conformance.Tests;

/// <summary>
/// Once for the whole suite: writes <see cref="ConformanceDataSet"/> as OpenMetrics, turns it into TSDB blocks with
/// promtool, starts a real Prometheus on them, and starts OpsConsole with the same samples in its series store
/// (tenant "default"). Both are queried through their HTTP APIs; disposing stops both.
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-conformance-prometheus-").FullName;
    private PrometheusServer? _prometheus;

    public ConsoleHost Host { get; } = new();

    public HttpClient PrometheusClient { get; private set; } = null!;

    public HttpClient ConsoleClient { get; private set; } = null!;

    public PrometheusServer Prometheus => _prometheus ?? throw new InvalidOperationException("not started");

    /// <summary>How long setting both servers up took (reported in the test output).</summary>
    public TimeSpan SetupTime { get; private set; }

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var file = Path.Combine(_directory, "dataset.om.txt");
        await using (var writer = new OpenMetricsWriter(file))
        {
            foreach (var series in ConformanceDataSet.Series)
            {
                writer.WriteSeries(series.Name, series.Labels, series.Samples);
            }
        }

        var data = Path.Combine(_directory, "data");
        await PrometheusServer.CreateBlocksAsync(file, data);
        _prometheus = await PrometheusServer.StartAsync(data);
        PrometheusClient = _prometheus.CreateClient();

        var store = Host.Services.GetRequiredService<TelemetryStores>().Series;
        foreach (var series in ConformanceDataSet.Series)
        {
            var labels = LabelSet.From([KeyValuePair.Create(LabelSet.MetricName, series.Name), .. series.Labels]);
            foreach (var (t, v) in series.Samples)
            {
                var result = store.Append("default", labels, t, v);
                if (result.Appended != 1)
                {
                    throw new InvalidOperationException($"OpsConsole did not take the sample {labels} {v} @{t}: {result}");
                }
            }
        }

        ConsoleClient = Host.CreateAdminClient();
        SetupTime = stopwatch.Elapsed;
    }

    public async Task DisposeAsync()
    {
        PrometheusClient?.Dispose();
        ConsoleClient?.Dispose();
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        await Host.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceFixture>
{
    public const string Name = "Prometheus conformance";
}
