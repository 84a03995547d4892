using System.Collections.Concurrent;
using System.Globalization;

namespace OpsConsole.Core.Ingestion;

/// <summary>A tenant's effective ingest quotas; null means unlimited.</summary>
public readonly record struct IngestQuota(long? ItemsPerMinute, long? BytesPerDay)
{
    public static IngestQuota Unlimited => default;
}

/// <summary>Where the ledger learns each tenant's quotas. Called once per tenant per request: must not block.</summary>
public interface IIngestQuotaSource
{
    IngestQuota QuotaOf(string tenantId);
}

/// <summary>Which quota refused a request.</summary>
public enum IngestQuotaKind
{
    ItemsPerMinute,
    BytesPerDay,
}

/// <summary>One refused intake request: whose, which quota, how much was used and asked for, and when to retry.</summary>
public sealed record IngestQuotaRejection(
    string TenantId, IngestQuotaKind Kind, long Limit, long Used, long Requested, DateTimeOffset At, TimeSpan RetryAfter)
{
    /// <summary>The tenant's telemetry items in the refused request (whichever quota refused it).</summary>
    public long Items { get; init; }

    public string Message => Kind == IngestQuotaKind.ItemsPerMinute
        ? string.Create(CultureInfo.InvariantCulture,
            $"Tenant '{TenantId}' is over its ingest quota of {Limit} items per minute ({Used} used this minute, this request has {Requested}); nothing of it was stored. Retry in {RetryAfterSeconds} s, send smaller batches, or ask an administrator to raise the quota.")
        : string.Create(CultureInfo.InvariantCulture,
            $"Tenant '{TenantId}' is over its ingest quota of {Limit} bytes per UTC day ({Used} used today, this request has {Requested}); nothing of it was stored. Retry after the UTC day ends (in {RetryAfterSeconds} s) or ask an administrator to raise the quota.");

    /// <summary>Whole seconds to wait, at least one (the Retry-After header).</summary>
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>A tenant's use in the current minute and UTC day, and the last request refused.</summary>
public readonly record struct IngestQuotaUse(long ItemsThisMinute, long BytesToday, IngestQuotaRejection? LastRejection, long Rejections);

/// <summary>What <see cref="IngestQuotaLedger.TryAdmit"/> decided. When admitted, <see cref="IngestQuotaLedger.Refund"/>
/// takes the charge back if the request is refused later (the sink throttled or failed).</summary>
public sealed class IngestAdmission
{
    internal static readonly IngestAdmission Free = new(null, []);

    internal IngestAdmission(IngestQuotaRejection? rejection, IReadOnlyList<IngestCharge> charges)
    {
        Rejection = rejection;
        Charges = charges;
    }

    public bool Admitted => Rejection is null;

    public IngestQuotaRejection? Rejection { get; }

    internal IReadOnlyList<IngestCharge> Charges { get; }
}

internal readonly record struct IngestCharge(string TenantId, long Minute, long Items, int Day, long Bytes);

/// <summary>
/// Per-tenant ingest quotas, enforced before anything is stored: items (spans + log records + samples) per UTC minute
/// (a fixed window) and request bytes per UTC day. In memory: one small counter per tenant, O(1) per request for a
/// single-tenant batch, no database round trip (quotas come from <see cref="IIngestQuotaSource"/>, a cache). A request
/// is admitted only if it fits whole: <c>used + request ≤ limit</c> for every tenant in it; otherwise nothing of it is
/// counted and <see cref="Rejected"/> is raised. The day's bytes can be seeded at start-up (<see cref="Seed"/>) from
/// durable usage so a restart does not hand out a fresh day.
/// </summary>
public sealed class IngestQuotaLedger(IIngestQuotaSource quotas, TimeProvider time)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, TenantCounter> _tenants = new(StringComparer.Ordinal);

    /// <summary>Raised (synchronously, outside the ledger's locks) for every refused request.</summary>
    public event Action<IngestQuotaRejection>? Rejected;

    /// <summary>Charges the request to its tenants if it fits their quotas; otherwise charges nothing and says why.</summary>
    public IngestAdmission TryAdmit(TelemetryBatch batch, long requestBytes)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(requestBytes);
        var shares = Shares(batch);
        if (shares is null)
        {
            return IngestAdmission.Free;
        }

        var now = time.GetUtcNow();
        var minute = now.UtcTicks / Minute.Ticks;
        var day = DayNumber(now);
        IngestAdmission admission;
        if (shares is SingleShare single)
        {
            var counter = CounterOf(single.TenantId);
            lock (counter)
            {
                admission = Admit(counter, quotas.QuotaOf(single.TenantId), single.TenantId, single.Items, requestBytes, now, minute, day, out var charge);
                if (admission.Admitted)
                {
                    counter.Items += charge.Items;
                    counter.Bytes += charge.Bytes;
                    admission = new IngestAdmission(null, [charge]);
                }
            }
        }
        else
        {
            admission = AdmitMany((MultiShare)shares, requestBytes, now, minute, day);
        }

        if (admission.Rejection is { } rejection)
        {
            Rejected?.Invoke(rejection);
        }

        return admission;
    }

    /// <summary>Takes back what an admitted request was charged (when it was refused after admission).</summary>
    public void Refund(IngestAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        foreach (var charge in admission.Charges)
        {
            var counter = CounterOf(charge.TenantId);
            lock (counter)
            {
                if (counter.Minute == charge.Minute)
                {
                    counter.Items = Math.Max(0, counter.Items - charge.Items);
                }

                if (counter.Day == charge.Day)
                {
                    counter.Bytes = Math.Max(0, counter.Bytes - charge.Bytes);
                }
            }
        }
    }

    /// <summary>Sets the bytes a tenant has already sent on <paramref name="day"/> (start-up, from durable usage); ignored
    /// for any day but today, and never lowers what this process has counted itself.</summary>
    public void Seed(string tenantId, DateOnly day, long bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var today = DayNumber(time.GetUtcNow());
        if (day.DayNumber != today)
        {
            return;
        }

        var counter = CounterOf(tenantId);
        lock (counter)
        {
            if (counter.Day != today)
            {
                counter.Day = today;
                counter.Bytes = 0;
            }

            counter.Bytes = Math.Max(counter.Bytes, bytes);
        }
    }

    /// <summary>The tenant's use in the current minute and UTC day (zero for a tenant not seen).</summary>
    public IngestQuotaUse UseOf(string tenantId)
    {
        if (!_tenants.TryGetValue(tenantId, out var counter))
        {
            return default;
        }

        var now = time.GetUtcNow();
        lock (counter)
        {
            return new IngestQuotaUse(
                counter.Minute == now.UtcTicks / Minute.Ticks ? counter.Items : 0,
                counter.Day == DayNumber(now) ? counter.Bytes : 0,
                counter.LastRejection, counter.Rejections);
        }
    }

    private IngestAdmission Admit(TenantCounter counter, IngestQuota quota, string tenantId, long items, long bytes, DateTimeOffset now, long minute, int day,
        out IngestCharge charge)
    {
        if (counter.Minute != minute)
        {
            counter.Minute = minute;
            counter.Items = 0;
        }

        if (counter.Day != day)
        {
            counter.Day = day;
            counter.Bytes = 0;
        }

        charge = new IngestCharge(tenantId, minute, items, day, bytes);
        IngestQuotaRejection? rejection = null;
        if (quota.BytesPerDay is { } bytesPerDay && counter.Bytes + bytes > bytesPerDay)
        {
            var dayEnd = new DateTimeOffset(DateOnly.FromDayNumber(day + 1), TimeOnly.MinValue, TimeSpan.Zero);
            rejection = new IngestQuotaRejection(tenantId, IngestQuotaKind.BytesPerDay, bytesPerDay, counter.Bytes, bytes, now, dayEnd - now) { Items = items };
        }
        else if (quota.ItemsPerMinute is { } itemsPerMinute && counter.Items + items > itemsPerMinute)
        {
            var minuteEnd = new DateTimeOffset((minute + 1) * Minute.Ticks, TimeSpan.Zero);
            rejection = new IngestQuotaRejection(tenantId, IngestQuotaKind.ItemsPerMinute, itemsPerMinute, counter.Items, items, now, minuteEnd - now) { Items = items };
        }

        if (rejection is not null)
        {
            counter.LastRejection = rejection;
            counter.Rejections++;
            return new IngestAdmission(rejection, []);
        }

        return IngestAdmission.Free;
    }

    private IngestAdmission AdmitMany(MultiShare shares, long requestBytes, DateTimeOffset now, long minute, int day)
    {
        // Bytes are split between the tenants in proportion to their items; the remainder goes to the first.
        var totalItems = shares.Items.Values.Sum();
        var ordered = shares.Items.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var counters = ordered.Select(p => CounterOf(p.Key)).ToArray();
        var byteShares = ordered.Select(p => totalItems == 0 ? 0 : requestBytes * p.Value / totalItems).ToArray();
        byteShares[0] += requestBytes - byteShares.Sum();

        // Locks in tenant order, so two multi-tenant requests cannot deadlock; single-tenant requests take one.
        var taken = 0;
        try
        {
            foreach (var counter in counters)
            {
                Monitor.Enter(counter);
                taken++;
            }

            var charges = new IngestCharge[ordered.Length];
            for (var i = 0; i < ordered.Length; i++)
            {
                var decision = Admit(counters[i], quotas.QuotaOf(ordered[i].Key), ordered[i].Key, ordered[i].Value, byteShares[i], now, minute, day, out charges[i]);
                if (!decision.Admitted)
                {
                    return decision;
                }
            }

            for (var i = 0; i < ordered.Length; i++)
            {
                counters[i].Items += charges[i].Items;
                counters[i].Bytes += charges[i].Bytes;
            }

            return new IngestAdmission(null, charges);
        }
        finally
        {
            for (var i = taken - 1; i >= 0; i--)
            {
                Monitor.Exit(counters[i]);
            }
        }
    }

    private TenantCounter CounterOf(string tenantId) => _tenants.GetOrAdd(tenantId, static _ => new TenantCounter());

    private static int DayNumber(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).DayNumber;

    /// <summary>The batch's items per tenant: one tenant (the usual case, found without allocating) or several.</summary>
    private static object? Shares(TelemetryBatch batch)
    {
        string? first = null;
        var many = false;
        foreach (var s in batch.Spans)
        {
            Note(s.TenantId);
        }

        foreach (var l in batch.Logs)
        {
            Note(l.TenantId);
        }

        foreach (var s in batch.Samples)
        {
            Note(s.TenantId);
        }

        foreach (var c in batch.HealthChecks)
        {
            Note(c.TenantId);
        }

        if (first is null)
        {
            return null;
        }

        var items = batch.Spans.Count + batch.Logs.Count + batch.Samples.Count;
        if (!many)
        {
            return new SingleShare(first, items);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in batch.Spans)
        {
            Count(s.TenantId, 1);
        }

        foreach (var l in batch.Logs)
        {
            Count(l.TenantId, 1);
        }

        foreach (var s in batch.Samples)
        {
            Count(s.TenantId, 1);
        }

        foreach (var c in batch.HealthChecks)
        {
            Count(c.TenantId, 0);
        }

        return new MultiShare(counts);

        void Note(string tenant)
        {
            if (first is null)
            {
                first = tenant;
            }
            else if (!many && !string.Equals(first, tenant, StringComparison.Ordinal))
            {
                many = true;
            }
        }

        void Count(string tenant, long n) => counts[tenant] = counts.GetValueOrDefault(tenant) + n;
    }

    private sealed record SingleShare(string TenantId, long Items);

    private sealed record MultiShare(Dictionary<string, long> Items);

    private sealed class TenantCounter
    {
        public long Minute { get; set; } = -1;
        public long Items { get; set; }
        public int Day { get; set; } = -1;
        public long Bytes { get; set; }
        public IngestQuotaRejection? LastRejection { get; set; }
        public long Rejections { get; set; }
    }
}
