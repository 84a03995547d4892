using BenchmarkDotNet.Attributes;
using OpsConsole.Core.Live;

namespace OpsConsole.Benchmarks;

/// <summary>The cost of publishing one live sample to many subscribed pages (the System health page's feed).</summary>
[MemoryDiagnoser]
public class LiveFeedBenchmarks
{
    private LiveFeed<string> _feed = null!;
    private readonly List<IDisposable> _subscriptions = [];

    [Params(1, 100)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _feed = new LiveFeed<string>(TimeProvider.System);
        for (var i = 0; i < Subscribers; i++)
        {
            _subscriptions.Add(_feed.Subscribe(_ => Task.CompletedTask, TimeSpan.FromMilliseconds(250)));
        }
    }

    [Benchmark]
    public void Publish() => _feed.Publish("sample");

    [GlobalCleanup]
    public void Cleanup() => _subscriptions.ForEach(s => s.Dispose());
}
