using System.Globalization;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Telemetry;
using OpsConsole.Data.Usage;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Api;

namespace OpsConsole.Web.Usage;

/// <summary>
/// Meters usage per tenant and UTC hour into the <c>usage_rollups</c> table.
/// <list type="bullet">
/// <item>The mapped kinds (<see cref="UsageOptions.Kinds"/>) are computed from stored metrics with the PromQL engine and
/// replace the hour's computed amounts: the open hour on every pass (so it shows live), a closed hour until
/// <see cref="UsageOptions.LateDataGrace"/> after it closed, and at start-up every hour missed since the last computed
/// one (at most <see cref="UsageOptions.Backfill"/> back). Recomputing is idempotent.</item>
/// <item>What only this process sees (items and bytes it accepted, quota rejections, the time it ran) is counted in
/// memory and written as this process's absolute totals under its <see cref="InstanceId"/>; an hour's amount is the sum
/// over instances, so a restart never counts twice.</item>
/// </list>
/// </summary>
public sealed partial class UsageMeter : BackgroundService, ICommittedTelemetryObserver
{
    private const long HourMs = UsageRepository.HourMs;

    private readonly UsageRepository _repository;
    private readonly HistorySeriesSource _source;
    private readonly UsageOptions _options;
    private readonly QueryOptions _query;
    private readonly TimeProvider _time;
    private readonly ILogger<UsageMeter> _logger;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _mapping;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _passGate = new(1, 1);

    // This instance's counts: (tenant, hour, kind) → total since start; the keys changed since the last write.
    private readonly Dictionary<(string Tenant, long Hour, string Kind), double> _counts = [];
    private readonly HashSet<(string Tenant, long Hour, string Kind)> _dirty = [];

    // Bytes of requests from senders not bound to a tenant, per hour: shared out by the hour's items per tenant.
    private readonly Dictionary<long, double> _unattributedBytes = [];
    private readonly Dictionary<(string Tenant, long Hour), double> _boundBytes = [];
    private readonly HashSet<long> _dirtyBytesHours = [];

    private DateTimeOffset _startedAt;
    private long? _computeFrom;
    private DateTimeOffset _lastStorageCount = DateTimeOffset.MinValue;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private long _coverageFrom;

    public UsageMeter(
        UsageRepository repository, HistorySeriesSource source, IOptions<UsageOptions> options, IOptions<QueryOptions> query, TimeProvider time,
        ILogger<UsageMeter> logger)
    {
        _repository = repository;
        _source = source;
        _options = options.Value;
        _query = query.Value;
        _time = time;
        _logger = logger;
        _mapping = _options.Mapping();
        _startedAt = time.GetUtcNow();
        _coverageFrom = HourOf(_startedAt);
    }

    /// <summary>This process's id in the rollups (amounts it counted itself are written under it).</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>When the last pass finished (null before the first); the Usage page says how fresh its data is.</summary>
    public DateTimeOffset? LastPassAt { get; private set; }

    public void OnCommitted(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var hour = HourOf(_time.GetUtcNow());
        lock (_gate)
        {
            foreach (var s in batch.Spans)
            {
                AddLocked(s.TenantId, hour, UsageKinds.Spans, 1);
            }

            foreach (var l in batch.Logs)
            {
                AddLocked(l.TenantId, hour, UsageKinds.LogRecords, 1);
            }

            foreach (var s in batch.Samples)
            {
                AddLocked(s.TenantId, hour, UsageKinds.MetricSamples, 1);
            }

            if (_unattributedBytes.ContainsKey(hour))
            {
                _dirtyBytesHours.Add(hour); // the share of unattributed bytes moves with the items
            }
        }
    }

    /// <summary>
    /// Counts the body bytes of an accepted intake request: to <paramref name="tenant"/> when the sender is bound to one,
    /// else shared out over the tenants by their items accepted in the same hour.
    /// </summary>
    public void RecordIntakeBytes(string? tenant, long bytes, DateTimeOffset at)
    {
        if (bytes <= 0)
        {
            return;
        }

        var hour = HourOf(at);
        lock (_gate)
        {
            if (tenant is not null && TenantIds.IsValid(tenant))
            {
                _boundBytes[(tenant, hour)] = _boundBytes.GetValueOrDefault((tenant, hour)) + bytes;
            }
            else
            {
                _unattributedBytes[hour] = _unattributedBytes.GetValueOrDefault(hour) + bytes;
            }

            _dirtyBytesHours.Add(hour);
        }
    }

    /// <summary>
    /// Counts one refusal of <paramref name="items"/> telemetry items for <paramref name="tenant"/> because a quota was hit
    /// (kinds <c>ingest_rejected</c>, items, and <c>ingest_rejections</c>, times). <paramref name="at"/> is when intake
    /// refused them: within the last day (older hours are no longer held in memory), else it throws.
    /// </summary>
    public void RecordQuotaRejection(string tenant, long items, DateTimeOffset at)
    {
        TenantIds.Validate(tenant, nameof(tenant));
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        var now = _time.GetUtcNow();
        if (at < now.AddDays(-1) || at > now.AddHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"A quota rejection is recorded when it happens: within a day before now ({now:O}).");
        }

        if (items == 0)
        {
            return;
        }

        lock (_gate)
        {
            AddLocked(tenant, HourOf(at), UsageKinds.IngestRejected, items);
            AddLocked(tenant, HourOf(at), UsageKinds.IngestRejections, 1);
        }
    }

    /// <summary>
    /// One metering pass: writes this process's counts and running time, computes the hours due from stored data, counts
    /// stored items when due and applies retention. The background loop runs it every <see cref="UsageOptions.Interval"/>.
    /// </summary>
    public async Task RunPassAsync(CancellationToken ct = default)
    {
        await _passGate.WaitAsync(ct);
        try
        {
            var now = _time.GetUtcNow();
            await FlushAsync(now, ct);
            await ComputeDueHoursAsync(now, ct);
            if (now - _lastStorageCount >= _options.StorageInterval)
            {
                await CountStorageAsync(now, ct);
                _lastStorageCount = now;
            }

            if (now - _lastPrune >= TimeSpan.FromHours(1))
            {
                var cutoff = HourOf(now.AddMonths(-_options.RetentionMonths));
                var pruned = await _repository.PruneAsync(cutoff, ct);
                _lastPrune = now;
                if (pruned > 0)
                {
                    LogPruned(_logger, pruned);
                }
            }

            LastPassAt = now;
        }
        finally
        {
            _passGate.Release();
        }
    }

    /// <summary>Computes the mapped kinds of the hour starting at <paramref name="hourStartMs"/> and replaces what was stored for it.</summary>
    public async Task ComputeHourAsync(long hourStartMs, DateTimeOffset now, CancellationToken ct = default)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var evaluateAt = Math.Min(hourStartMs + HourMs, nowMs);
        var rangeMs = evaluateAt - hourStartMs;
        if (rangeMs < 1000)
        {
            return;
        }

        var range = rangeMs == HourMs ? "1h" : string.Create(CultureInfo.InvariantCulture, $"{rangeMs}ms");
        var engine = new PromQlEngine(_source, _query.ToPromQl(null));
        var amounts = await Task.Run(() => Evaluate(engine, hourStartMs, evaluateAt, range, ct), ct);
        await _repository.ReplaceComputedHourAsync(hourStartMs, [.. _mapping.Select(m => m.Key)], amounts, nowMs, ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(_time.GetUtcNow(), cancellationToken); // the running time up to now, and the last counts
        }
#pragma warning disable CA1031 // stopping must not fail because the database is away; the gap then shows as console down
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogPassFailed(_logger, ex);
        }
    }

    public override void Dispose()
    {
        _passGate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _startedAt = _time.GetUtcNow();
        _coverageFrom = HourOf(_startedAt);
        await RunSafelyAsync(stoppingToken);
        using var timer = new PeriodicTimer(_options.Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RunSafelyAsync(stoppingToken);
        }
    }

    private static long HourOf(DateTimeOffset at) => HourOf(at.ToUnixTimeMilliseconds());

    private static long HourOf(long ms) => ms - (((ms % HourMs) + HourMs) % HourMs);

    private async Task RunSafelyAsync(CancellationToken ct)
    {
        try
        {
            await RunPassAsync(ct);
        }
#pragma warning disable CA1031 // the database may be away for a while; the next pass writes absolute totals again
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogPassFailed(_logger, ex);
        }
    }

    private List<UsageAmount> Evaluate(PromQlEngine engine, long hourStartMs, long evaluateAt, string range, CancellationToken ct)
    {
        var amounts = new List<UsageAmount>();
        foreach (var (kind, expression) in _mapping)
        {
            PromQlResult result;
            try
            {
                result = engine.Instant(expression.Replace(UsageOptions.RangePlaceholder, range, StringComparison.Ordinal), evaluateAt, null, ct);
            }
            catch (Exception ex) when (ex is PromQlEvaluationException or PromQlBadQueryException or PromQlUnsupportedException)
            {
                LogKindFailed(_logger, kind, ex.Message);
                continue;
            }

            if (result is not InstantVector vector)
            {
                continue;
            }

            var perTenant = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var sample in vector.Samples)
            {
                var tenant = sample.Labels.Get(TenantIds.LabelName);
                if (TenantIds.IsValid(tenant) && double.IsFinite(sample.Value) && sample.Value > 0)
                {
                    perTenant[tenant!] = perTenant.GetValueOrDefault(tenant!) + sample.Value;
                }
            }

            amounts.AddRange(perTenant.Select(p => new UsageAmount(p.Key, hourStartMs, kind, p.Value)));
        }

        return amounts;
    }

    private async Task ComputeDueHoursAsync(DateTimeOffset now, CancellationToken ct)
    {
        var current = HourOf(now);
        if (_computeFrom is null)
        {
            var latest = await _repository.LatestComputedHourAsync(ct);
            var earliestAllowed = HourOf(now - _options.Backfill);
            _computeFrom = Math.Max(latest ?? earliestAllowed, earliestAllowed);
        }

        for (var hour = Math.Min(_computeFrom.Value, current); hour <= current; hour += HourMs)
        {
            await ComputeHourAsync(hour, now, ct);
        }

        _computeFrom = HourOf(now - _options.LateDataGrace);
    }

    private async Task CountStorageAsync(DateTimeOffset now, CancellationToken ct)
    {
        var stored = await _repository.StoredItemsAsync(ct);
        var hour = HourOf(now);
        var amounts = stored.Where(s => TenantIds.IsValid(s.Key) && s.Value > 0)
            .Select(s => new UsageAmount(s.Key, hour, UsageKinds.StoredItems, s.Value)).ToList();
        await _repository.ReplaceComputedHourAsync(hour, [UsageKinds.StoredItems], amounts, now.ToUnixTimeMilliseconds(), ct);
    }

    private async Task FlushAsync(DateTimeOffset now, CancellationToken ct)
    {
        var amounts = new List<UsageAmount>();
        lock (_gate)
        {
            foreach (var hour in _dirtyBytesHours)
            {
                ShareOutBytesLocked(hour);
            }

            _dirtyBytesHours.Clear();
            amounts.AddRange(_dirty.Select(k => new UsageAmount(k.Tenant, k.Hour, k.Kind, _counts[k])));
            _dirty.Clear();
        }

        // The time this process ran in each hour since the last write (earlier hours are final).
        var nowMs = now.ToUnixTimeMilliseconds();
        var startMs = _startedAt.ToUnixTimeMilliseconds();
        for (var hour = _coverageFrom; hour <= HourOf(now); hour += HourMs)
        {
            var seconds = Math.Max(0, Math.Min(nowMs, hour + HourMs) - Math.Max(startMs, hour)) / 1000.0;
            amounts.Add(new UsageAmount(UsageSources.ConsoleTenant, hour, UsageKinds.ConsoleUpSeconds, seconds));
        }

        try
        {
            await _repository.SetInstanceTotalsAsync(InstanceId, amounts, nowMs, ct);
        }
        catch
        {
            lock (_gate)
            {
                foreach (var a in amounts.Where(a => a.TenantId != UsageSources.ConsoleTenant))
                {
                    _dirty.Add((a.TenantId, a.HourStartMs, a.Kind)); // written again next time
                }
            }

            throw;
        }

        _coverageFrom = HourOf(now);
        ForgetOldHours(HourOf(now) - (25 * HourMs));
    }

    private void ForgetOldHours(long before)
    {
        lock (_gate)
        {
            foreach (var key in _counts.Keys.Where(k => k.Hour < before && !_dirty.Contains(k)).ToList())
            {
                _counts.Remove(key);
            }

            foreach (var hour in _unattributedBytes.Keys.Where(h => h < before && !_dirtyBytesHours.Contains(h)).ToList())
            {
                _unattributedBytes.Remove(hour);
            }

            foreach (var key in _boundBytes.Keys.Where(k => k.Hour < before && !_dirtyBytesHours.Contains(k.Hour)).ToList())
            {
                _boundBytes.Remove(key);
            }
        }
    }

    private void AddLocked(string tenant, long hour, string kind, double amount)
    {
        var key = (tenant, hour, kind);
        _counts[key] = _counts.GetValueOrDefault(key) + amount;
        _dirty.Add(key);
    }

    // request_bytes of an hour = bytes from senders bound to the tenant + the unattributed bytes × the tenant's share of items.
    private void ShareOutBytesLocked(long hour)
    {
        var unattributed = _unattributedBytes.GetValueOrDefault(hour);
        var items = _counts.Where(c => c.Key.Hour == hour && c.Key.Kind is UsageKinds.Spans or UsageKinds.LogRecords or UsageKinds.MetricSamples)
            .GroupBy(c => c.Key.Tenant).ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal);
        var totalItems = items.Values.Sum();
        var tenants = new HashSet<string>(_boundBytes.Keys.Where(k => k.Hour == hour).Select(k => k.Tenant), StringComparer.Ordinal);
        tenants.UnionWith(unattributed > 0 ? items.Keys : []);
        if (unattributed > 0 && totalItems <= 0)
        {
            tenants.Add(TenantIds.Default);
        }

        foreach (var tenant in tenants)
        {
            var shared = unattributed <= 0 ? 0
                : totalItems <= 0 ? (tenant == TenantIds.Default ? unattributed : 0)
                : unattributed * items.GetValueOrDefault(tenant) / totalItems;
            SetBytesLocked(tenant, hour, shared);
        }
    }

    private void SetBytesLocked(string tenant, long hour, double sharedBytes)
    {
        var key = (tenant, hour, UsageKinds.RequestBytes);
        _counts[key] = _boundBytes.GetValueOrDefault((tenant, hour)) + sharedBytes;
        _dirty.Add(key);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage metering pass failed; the next pass writes everything again.")]
    private static partial void LogPassFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage kind {Kind} could not be computed: {Reason}")]
    private static partial void LogKindFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage retention removed {Rows} rollup rows older than the retention.")]
    private static partial void LogPruned(ILogger logger, int rows);
}
