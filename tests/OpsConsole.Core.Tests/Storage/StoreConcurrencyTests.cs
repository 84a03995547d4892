using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Core.Tests.Support.TelemetryFactory;

namespace OpsConsole.Core.Tests.Storage;

public sealed class StoreConcurrencyTests
{
    private const int Writers = 4;
    private const int BatchesPerWriter = 50;
    private const int PerBatch = 20;

    [Fact]
    public async Task Store_WritersAndReadersInParallel_NoErrorsAndEveryItemCounted()
    {
        // Arrange
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Base + TimeSpan.FromHours(1));
        var stores = new TelemetryStores(new HotStoreOptions(), time);
        using var stop = new CancellationTokenSource();
        var readerErrors = 0;
        var reads = 0;
        var readersRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Act
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var traces = stores.Spans.Search(new TraceQuery { Service = "api-gateway", Limit = 50 });
                    foreach (var t in traces.Items.Take(5))
                    {
                        _ = stores.Spans.GetTrace(t.TenantId, t.TraceId);
                    }

                    _ = stores.Logs.Query(new LogQuery { Include = [LogPosting.Term("request")], Limit = 50 });
                    _ = stores.Logs.Histogram(new LogQuery(), TimeSpan.FromMinutes(1));
                    foreach (var s in stores.Series.Select(null, [LabelMatcher.Regex("__name__", "http.*")], long.MinValue, long.MaxValue))
                    {
                        var cursor = s.Samples();
                        var last = long.MinValue;
                        while (cursor.MoveNext())
                        {
                            if (cursor.Current.TimestampMs <= last)
                            {
                                throw new InvalidOperationException("samples out of order");
                            }

                            last = cursor.Current.TimestampMs;
                        }
                    }

                    _ = stores.Series.LabelNames("acme");
                    _ = stores.Spans.Stats();
                    Interlocked.Increment(ref reads);
                    readersRunning.TrySetResult();
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref readerErrors);
                    throw;
                }
            }
        })).ToArray();

        await readersRunning.Task.WaitAsync(TimeSpan.FromSeconds(30)); // writers start while readers are reading
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var b = 0; b < BatchesPerWriter; b++)
            {
                var n = (b * PerBatch) + 1;
                stores.Store(new TelemetryBatch
                {
                    Spans = [.. Enumerable.Range(n, PerBatch).Select(i => Span("acme", new TraceId((ulong)w + 1, (ulong)i), 1, "api-gateway", "GET /", TimeSpan.FromMilliseconds(i), TimeSpan.FromMilliseconds(3)))],
                    Logs = [.. Enumerable.Range(n, PerBatch).Select(i => Log(w % 2 == 0 ? "acme" : "globex", TimeSpan.FromMilliseconds(i), "request " + i))],
                    Samples = [.. Enumerable.Range(n, PerBatch).Select(i => new SeriesSample("acme", LabelSet.From(("__name__", "http_requests_total"), ("writer", "w" + w)), (Base + TimeSpan.FromMilliseconds(i)).ToUnixTimeMilliseconds(), i))],
                });
            }
        })).ToArray();

        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));

        // Assert
        const int expected = Writers * BatchesPerWriter * PerBatch;
        Assert.Equal(0, readerErrors);
        Assert.True(reads > 0);
        Assert.Equal(expected, stores.Spans.Stats().Items);
        Assert.Equal(expected, stores.Logs.Stats().Items);
        Assert.Equal(expected, stores.Series.Stats().Items);
        Assert.Equal(expected, stores.Logs.Query(new LogQuery { Include = [LogPosting.Term("request")] }).TotalCount);
        Assert.Equal(Writers, stores.Series.SeriesCount);
        Assert.Equal(expected, stores.Events.Latest!.SamplesTotal);
    }
}
