using Microsoft.Extensions.Options;
using OpsConsole.Data.Telemetry;

namespace OpsConsole.Web.Logs;

/// <summary>
/// Keeps the database's full-text index of stored log lines up to date in the background (see
/// <see cref="LogSearchIndexer"/>): every <see cref="LogSearchOptions.IndexInterval"/> it indexes batches until it has
/// caught up with the lines older than <see cref="LogSearchOptions.IndexLag"/>. A failure is logged and retried on
/// the next round; searches stay correct meanwhile (unindexed lines are read by time).
/// </summary>
public sealed partial class LogIndexingService(LogSearchIndexer indexer, IOptions<LogSearchOptions> options, TimeProvider time, ILogger<LogIndexingService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.IndexInterval, time);
        do
        {
            try
            {
                int indexed;
                var total = 0;
                do
                {
                    indexed = await indexer.IndexPendingAsync(o.IndexLag, o.IndexBatch, stoppingToken);
                    total += indexed;
                }
                while (indexed == o.IndexBatch && !stoppingToken.IsCancellationRequested);

                if (total > 0)
                {
                    LogIndexed(logger, total);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Log search index: {Count} stored lines indexed.")]
    private static partial void LogIndexed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log search index: indexing failed; it is retried on the next round (searches read unindexed lines by time meanwhile).")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
