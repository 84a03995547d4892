using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Live;
using OpsConsole.Data;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Components.Pages;
using OpsConsole.Web.Observability;

namespace OpsConsole.Web.Tests.Components;

public sealed class SystemHealthTests
{
    private static ProcessSnapshot Sample(long requests, long workingSet = 150L * 1024 * 1024) => new(
        DateTimeOffset.UtcNow, TimeSpan.FromMinutes(90) + TimeSpan.FromSeconds(5), workingSet, 40L * 1024 * 1024, 12.5, 31,
        requests, 4.2, 3, 1);

    private static (BunitContext Ctx, LiveFeed<ProcessSnapshot> Feed) Create()
    {
        var ctx = ComponentTestContext.Create(Role.Operator);
        var feed = new LiveFeed<ProcessSnapshot>(TimeProvider.System);
        ctx.Services.AddSingleton(feed);
        ctx.Services.AddSingleton(new ResolvedStorage(StorageProvider.Sqlite, "Data Source=unused.db"));
        return (ctx, feed);
    }

    [Fact]
    public async Task Page_BeforeTheFirstSample_SaysItIsWaitingInsteadOfShowingZeros()
    {
        var (ctx, _) = Create();
        await using var _ctx = ctx;

        var cut = ctx.Render<SystemHealth>();

        Assert.Contains("Waiting for the first sample", cut.Markup);
        Assert.Empty(cut.FindAll("[data-testid=stat-requests]"));
    }

    [Fact]
    public async Task Page_WhenTheServerPublishesASample_UpdatesWithoutAnyInteraction()
    {
        var (ctx, feed) = Create();
        await using var _ctx = ctx;
        feed.Publish(Sample(requests: 1_000));
        var cut = ctx.Render<SystemHealth>();
        Assert.Contains("1,000", cut.Find("[data-testid=stat-requests]").TextContent);

        feed.Publish(Sample(requests: 123_456, workingSet: 2L * 1024 * 1024 * 1024));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("123,456", cut.Find("[data-testid=stat-requests]").TextContent);
            Assert.Contains("2.0 GB", cut.Find("[data-testid=stat-memory]").TextContent);
            Assert.Contains("1h 30m 5s", cut.Find("[data-testid=stat-uptime]").TextContent);
        });
    }

    [Fact]
    public async Task Page_WhenDisposed_StopsListeningToTheFeed()
    {
        var (ctx, feed) = Create();
        await using var _ctx = ctx;
        var cut = ctx.Render<SystemHealth>();
        Assert.Equal(1, feed.SubscriberCount);

        cut.Instance.Dispose();

        Assert.Equal(0, feed.SubscriberCount);
    }
}
