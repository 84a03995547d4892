using System.Globalization;
using OpsConsole.Simulator.Metrics;
using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Simulation;

/// <summary>The consumer lag of each topic partition: small and following traffic, far behind while the consumer stalls.</summary>
internal sealed class KafkaTopics(Chance chance)
{
    public const string UserEvents = "user-events";
    public const string DocumentEvents = "document-events";
    public const double StalledLagPerPartition = 16_000;

    private static readonly (string Topic, int Partitions)[] Topics = [(UserEvents, 6), (DocumentEvents, 4)];

    private readonly Dictionary<(string, int), double> _jitter = [];
    private double _backlog;

    /// <summary>
    /// Moves the lag on by a step and sets the gauges when the consumer's service is up (<paramref name="metrics"/>
    /// not null); <paramref name="stall"/> (0..1) is how far the user-events consumer has fallen behind. While the
    /// consumer is down every partition falls behind, and catches up after it returns.
    /// </summary>
    public void Report(PipelineMetrics? metrics, TimeSpan step, double load, double stall)
    {
        _backlog = metrics is null ? _backlog + (8 * step.TotalSeconds) : Math.Max(0, _backlog - (30 * step.TotalSeconds));
        if (metrics is null)
        {
            return;
        }

        foreach (var (topic, partitions) in Topics)
        {
            for (var p = 0; p < partitions; p++)
            {
                var key = (topic, p);
                var jitter = _jitter[key] = Math.Clamp((_jitter.GetValueOrDefault(key) * 0.9) + (chance.Normal() * 15), -80, 80);
                var lag = 40 + (220 * load) + jitter;
                if (topic == UserEvents)
                {
                    lag += stall * StalledLagPerPartition * (0.85 + (0.05 * p));
                }

                lag += _backlog;
                metrics.Lag(topic, p.ToString(CultureInfo.InvariantCulture), lag);
            }
        }
    }
}
