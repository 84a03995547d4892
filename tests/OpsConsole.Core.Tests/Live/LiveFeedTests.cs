using OpsConsole.Core.Live;
using OpsConsole.Core.Tests.Support;

namespace OpsConsole.Core.Tests.Live;

public sealed class LiveFeedTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly TimerCountingTimeProvider _time = new();

    [Fact]
    public void Latest_BeforeAnyPublish_IsNull()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);

        // Act
        var latest = feed.Latest;

        // Assert
        Assert.Null(latest);
    }

    [Fact]
    public void Latest_AfterSeveralPublishes_IsTheNewestValue()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);

        // Act
        feed.Publish("a");
        feed.Publish("b");
        feed.Publish("c");

        // Assert
        Assert.Equal("c", feed.Latest);
    }

    [Fact]
    public void SubscriberCount_SubscribeAndDispose_CountsOnlyLiveSubscriptions()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var first = feed.Subscribe(_ => Task.CompletedTask, Interval);
        var second = feed.Subscribe(_ => Task.CompletedTask, Interval);
        var countWithTwo = feed.SubscriberCount;

        // Act
        first.Dispose();
        first.Dispose();
        var countAfterDisposingOne = feed.SubscriberCount;
        second.Dispose();

        // Assert
        Assert.Equal(2, countWithTwo);
        Assert.Equal(1, countAfterDisposingOne);
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task Publish_FirstValue_DeliveredToEverySubscriberWithoutAdvancingTheClock()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var first = new Recorder<string>();
        var second = new Recorder<string>();
        using var s1 = feed.Subscribe(first.OnValueAsync, Interval);
        using var s2 = feed.Subscribe(second.OnValueAsync, Interval);

        // Act
        feed.Publish("v1");

        // Assert
        await first.WaitForCountAsync(1);
        await second.WaitForCountAsync(1);
        Assert.Equal(["v1"], first.Values);
        Assert.Equal(["v1"], second.Values);
    }

    [Fact]
    public async Task Publish_BurstWithinInterval_CoalescedIntoOneDeliveryOfTheLatestAfterTheInterval()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var recorder = new Recorder<string>();
        using var subscription = feed.Subscribe(recorder.OnValueAsync, Interval);
        feed.Publish("1");
        await recorder.WaitForCountAsync(1);
        await _time.WaitForTimersAsync(1); // the subscription now waits out its interval

        // Act
        feed.Publish("2");
        feed.Publish("3");
        feed.Publish("4");
        var beforeInterval = recorder.Values;
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        var justBeforeInterval = recorder.Values;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await recorder.WaitForCountAsync(2);

        // Assert
        Assert.Equal(["1"], beforeInterval);
        Assert.Equal(["1"], justBeforeInterval);
        Assert.Equal(["1", "4"], recorder.Values);

        // Nothing else is owed: after the next interval a new value arrives right after "4", with no repeat in between.
        await _time.WaitForTimersAsync(2);
        _time.Advance(Interval);
        feed.Publish("5");
        await recorder.WaitForAsync("5");
        Assert.Equal(["1", "4", "5"], recorder.Values);
    }

    [Fact]
    public async Task Publish_AfterQuietPeriodLongerThanInterval_DeliveredWithoutWaiting()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var recorder = new Recorder<string>();
        using var subscription = feed.Subscribe(recorder.OnValueAsync, Interval);
        feed.Publish("1");
        await recorder.WaitForCountAsync(1);
        await _time.WaitForTimersAsync(1);
        _time.Advance(Interval + TimeSpan.FromSeconds(1));

        // Act
        feed.Publish("2");

        // Assert
        await recorder.WaitForCountAsync(2);
        Assert.Equal(["1", "2"], recorder.Values);
    }

    [Fact]
    public async Task Publish_SubscribersWithDifferentIntervals_EachIsThrottledByItsOwnInterval()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var fast = new Recorder<string>();
        var slow = new Recorder<string>();
        using var fastSubscription = feed.Subscribe(fast.OnValueAsync, TimeSpan.Zero);
        using var slowSubscription = feed.Subscribe(slow.OnValueAsync, Interval);
        feed.Publish("1");
        await fast.WaitForCountAsync(1);
        await slow.WaitForCountAsync(1);
        await _time.WaitForTimersAsync(1); // only the slow subscription waits

        // Act
        feed.Publish("2");
        await fast.WaitForAsync("2");
        var slowBeforeInterval = slow.Values;
        _time.Advance(Interval);
        await slow.WaitForAsync("2");

        // Assert
        Assert.Equal(["1", "2"], fast.Values);
        Assert.Equal(["1"], slowBeforeInterval);
        Assert.Equal(["1", "2"], slow.Values);
    }

    [Fact]
    public async Task Publish_AfterDispose_DisposedSubscriptionGetsNothingMore()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var disposed = new Recorder<string>();
        var marker = new Recorder<string>();
        var subscription = feed.Subscribe(disposed.OnValueAsync, TimeSpan.Zero);
        using var markerSubscription = feed.Subscribe(marker.OnValueAsync, TimeSpan.Zero);
        feed.Publish("1");
        await disposed.WaitForCountAsync(1);
        await marker.WaitForCountAsync(1);

        // Act
        subscription.Dispose();
        feed.Publish("2");
        feed.Publish("3");
        await marker.WaitForAsync("3");

        // Assert
        Assert.Equal(["1"], disposed.Values);
        Assert.Equal(1, feed.SubscriberCount);
    }

    [Fact]
    public async Task Dispose_WhileADeliveryIsThrottled_PendingValueIsNeverDelivered()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var disposed = new Recorder<string>();
        var subscription = feed.Subscribe(disposed.OnValueAsync, Interval);
        feed.Publish("1");
        await disposed.WaitForCountAsync(1);
        await _time.WaitForTimersAsync(1);
        feed.Publish("2"); // owed to the subscription once the interval has passed

        // Act
        subscription.Dispose();
        _time.Advance(Interval);
        var marker = new Recorder<string>();
        using var markerSubscription = feed.Subscribe(marker.OnValueAsync, Interval);
        feed.Publish("3");
        await marker.WaitForAsync("3");

        // Assert
        Assert.Equal(["1"], disposed.Values);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Publish_SubscriberThrows_OtherSubscribersAndLaterDeliveriesContinue(bool throwSynchronously)
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var thrower = new Recorder<string>();
        var healthy = new Recorder<string>();
        using var throwing = feed.Subscribe(
            value =>
            {
                thrower.OnValueAsync(value);
                return throwSynchronously
                    ? throw new InvalidOperationException("the page's circuit is gone")
                    : Task.FromException(new InvalidOperationException("the page's circuit is gone"));
            },
            TimeSpan.Zero);
        using var other = feed.Subscribe(healthy.OnValueAsync, TimeSpan.Zero);

        // Act
        feed.Publish("1");
        await thrower.WaitForCountAsync(1);
        await healthy.WaitForCountAsync(1);
        feed.Publish("2");

        // Assert
        await healthy.WaitForAsync("2");
        await thrower.WaitForAsync("2");
        Assert.Equal(["1", "2"], healthy.Values);
        Assert.Equal(["1", "2"], thrower.Values);
        Assert.Equal(2, feed.SubscriberCount);
    }

    [Fact]
    public async Task Publish_SlowSubscriber_DoesNotHoldUpOthersAndItsCallbacksNeverOverlap()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new Recorder<string>();
        var fast = new Recorder<string>();
        var running = 0;
        var maxRunning = 0;
        using var slowSubscription = feed.Subscribe(
            async value =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                await slow.OnValueAsync(value);
                await release.Task;
                Interlocked.Decrement(ref running);
            },
            TimeSpan.Zero);
        using var fastSubscription = feed.Subscribe(fast.OnValueAsync, TimeSpan.Zero);
        feed.Publish("1");
        await slow.WaitForCountAsync(1);

        // Act
        feed.Publish("2");
        feed.Publish("3");
        await fast.WaitForAsync("3");
        var slowWhileBlocked = slow.Values;
        release.SetResult();
        await slow.WaitForAsync("3");

        // Assert
        Assert.Equal(["1"], slowWhileBlocked);
        Assert.Equal(["1", "3"], slow.Values);
        Assert.Equal(1, Volatile.Read(ref maxRunning));
    }

    [Fact]
    public async Task Subscribe_AfterAPublish_GetsTheNextPublishNotThePastOne()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        feed.Publish("old");
        var recorder = new Recorder<string>();
        using var subscription = feed.Subscribe(recorder.OnValueAsync, Interval);

        // Act
        feed.Publish("new");
        await recorder.WaitForCountAsync(1);

        // Assert
        Assert.Equal(["new"], recorder.Values);
        Assert.Equal("new", feed.Latest);
    }

    [Fact]
    public void Subscribe_NegativeInterval_Throws()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);

        // Act
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => feed.Subscribe(_ => Task.CompletedTask, TimeSpan.FromMilliseconds(-1)));

        // Assert
        Assert.Equal("minInterval", ex.ParamName);
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task Publish_LongestAllowedInterval_StillDeliversAfterTheInterval()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        var recorder = new Recorder<string>();
        using var subscription = feed.Subscribe(recorder.OnValueAsync, LiveFeed<string>.MaxInterval);
        feed.Publish("1");
        await recorder.WaitForCountAsync(1);
        await _time.WaitForTimersAsync(1);

        // Act
        feed.Publish("2");
        _time.Advance(LiveFeed<string>.MaxInterval);

        // Assert
        await recorder.WaitForCountAsync(2);
        Assert.Equal(["1", "2"], recorder.Values);
    }

    [Fact]
    public void Subscribe_IntervalLongerThanTimersSupport_ThrowsInsteadOfGoingSilentAfterTheFirstDelivery()
    {
        // Before the check, a 60-day interval was accepted, delivered once, and then Task.Delay threw on the delivery
        // task: the subscription was stuck "running" and never delivered again.

        // Arrange
        var feed = new LiveFeed<string>(_time);

        // Act
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => feed.Subscribe(_ => Task.CompletedTask, TimeSpan.FromDays(60)));

        // Assert
        Assert.Equal("minInterval", ex.ParamName);
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public void Subscribe_NullCallback_Throws()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);

        // Act
        var ex = Assert.Throws<ArgumentNullException>(() => feed.Subscribe(null!, Interval));

        // Assert
        Assert.Equal("callback", ex.ParamName);
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public void Publish_Null_ThrowsAndKeepsLatest()
    {
        // Arrange
        var feed = new LiveFeed<string>(_time);
        feed.Publish("kept");

        // Act
        var ex = Assert.Throws<ArgumentNullException>(() => feed.Publish(null!));

        // Assert
        Assert.Equal("value", ex.ParamName);
        Assert.Equal("kept", feed.Latest);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
