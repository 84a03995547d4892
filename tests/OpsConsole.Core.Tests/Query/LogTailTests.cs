using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Core.Tests.Support;
using OpsConsole.Tests.Shared;

namespace OpsConsole.Core.Tests.Query;

public sealed class LogTailTests
{
    private static readonly LogCorpus Corpus = new(seed: 11);

    private static LogStore NewStore(FakeTimeProvider time) => new(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), time, LogCorpus.SegmentCapacity);

    [Fact]
    public async Task Tail_StreamsTheMatchingLinesOfItsTenantAsTheyAreStored()
    {
        var time = new FakeTimeProvider(LogCorpus.Base + TimeSpan.FromSeconds(LogCorpus.Size));
        var store = NewStore(time);
        var received = new ConcurrentQueue<HeldLogRecord>();
        var lines = Corpus.Lines.Take(600).ToList();
        var want = lines.Where(l => l.Tenant == "acme" && l.HasPart("timeout") && l.Level != "info").Select(l => l.Arrival).ToList();

        using (store.Tail.Subscribe(LogQueryParser.Parse("timeout -level:info"), "acme", 10_000, TimeSpan.Zero, u =>
        {
            foreach (var line in u.Lines)
            {
                received.Enqueue(line);
            }

            return Task.CompletedTask;
        }))
        {
            foreach (var batch in lines.Chunk(40))
            {
                store.Add([.. batch.Select(LogCorpus.ToRecord)]);
            }

            await Eventually.TrueAsync(() => received.Count >= want.Count, "every matching line arrived");
        }

        Assert.Equal(want, received.Select(h => LogCorpus.ArrivalOf(h.Record)));
        Assert.All(received, h => Assert.Same(h.Record, store.Get(h.Id)!.Record));
        Assert.False(store.Tail.HasSubscribers);
    }

    [Fact]
    public async Task Tail_OverItsCap_ShowsOnlyTheCapAndSaysHowManyMatched()
    {
        var time = new FakeTimeProvider(LogCorpus.Base + TimeSpan.FromSeconds(LogCorpus.Size));
        var store = NewStore(time);
        var updates = new ConcurrentQueue<LogTailUpdate>();
        var matching = Corpus.Lines.Take(1000).Count(l => l.Level is "error" or "fatal");

        using var subscription = store.Tail.Subscribe(LogQueryParser.Parse("level:>=error"), null, 25, TimeSpan.Zero, u =>
        {
            updates.Enqueue(u);
            return Task.CompletedTask;
        });
        foreach (var batch in Corpus.Lines.Take(1000).Chunk(50))
        {
            store.Add([.. batch.Select(LogCorpus.ToRecord)]);
        }

        // The fake clock stands still: all of it falls in one second.
        await Eventually.TrueAsync(() => updates.LastOrDefault()?.MatchedPerSecond >= matching, "every matching line was counted");
        Assert.Equal(25, updates.Sum(u => u.Lines.Count));
        Assert.True(updates.Last().IsCapped);
        Assert.Equal(25, updates.Last().ShownPerSecond);

        // A second later the cap allows 25 more.
        time.Advance(TimeSpan.FromSeconds(1.5));
        store.Add([LogCorpus.ToRecord(Corpus.Lines.Skip(1000).First(l => l.Level == "fatal"))]);
        await Eventually.TrueAsync(() => updates.Sum(u => u.Lines.Count) == 26, "the next second's line was shown");
    }

    [Fact]
    public void Tail_BadSubscriptions_AreRefused()
    {
        var store = NewStore(new FakeTimeProvider());

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Tail.Subscribe(LogMatch.All, null, 0, TimeSpan.Zero, _ => Task.CompletedTask));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Tail.Subscribe(LogMatch.All, null, 10, TimeSpan.FromHours(1), _ => Task.CompletedTask));
        Assert.False(store.Tail.HasSubscribers);
    }
}
