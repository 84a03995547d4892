using System.Collections.Concurrent;
using System.Text;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;

namespace OpsConsole.Web.Dashboards;

/// <summary>
/// Panel evaluations shared by every circuit showing the same thing: one evaluation per (panel, variable values,
/// engine options — i.e. tenant scope and limits —, window, kind, data version), whose result every asker gets. The data
/// version is the count of metric samples stored so far (<see cref="TelemetryEvents"/>), so a result is only reused
/// while no new sample has arrived: the same query over the same data. A hundred executives
/// on the Executive dashboard cost one evaluation per panel per live update, not a hundred: the live sessions evaluate
/// at the ingest time of the batch that triggered them and over step-aligned windows, so sessions woken by the same
/// batch ask for the same keys; dashboards opened within the same step share their first evaluation too. Results are
/// immutable and kept for <see cref="Lifetime"/>; a result is computed once even when many ask at the same moment (the
/// others wait for it), and without their cancellation tokens, so one circuit going away cannot fail it for the rest.
/// </summary>
public sealed class SharedPanelEvaluations(ISeriesSource source, TelemetryStores stores, TimeProvider time)
{
    /// <summary>How long a result is kept for later askers.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private long _evaluations;
    private long _lastSweep;

    /// <summary>Evaluations actually run (not answered from an earlier one).</summary>
    public long Evaluations => Interlocked.Read(ref _evaluations);

    /// <summary>Results held now.</summary>
    public int Held => _entries.Count;

    /// <summary>
    /// The panel evaluated over <paramref name="window"/> (<see cref="PanelEvaluator.Evaluate"/>, or with
    /// <paramref name="rangeOnly"/> <see cref="PanelEvaluator.EvaluateRange"/>) under <paramref name="engine"/>.
    /// </summary>
    public async Task<PanelResult> EvaluateAsync(DashboardPanel panel, VariableValues values, PromQlOptions engine, QueryWindow window, bool rangeOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(window);
        var now = time.GetTimestamp();
        SweepIfDue(now);
        var key = new Key(panel, Canonical(values), engine, window, rangeOnly, stores.Events.Latest?.SamplesTotal ?? 0);
        var entry = _entries.GetOrAdd(key, static (k, state) => new Entry(state.Now, new Lazy<Task<PanelResult>>(
            () => Task.Run(() => state.Self.Compute(k)), LazyThreadSafetyMode.ExecutionAndPublication)), (Self: this, Now: now));
        // Start (or join) the shared evaluation first: a caller that has gone away leaves it running for the others,
        // and gets no result even when the evaluation happens to be finished already.
        var result = entry.Result.Value;
        cancellationToken.ThrowIfCancellationRequested();
        return await result.WaitAsync(cancellationToken);
    }

    private PanelResult Compute(Key key)
    {
        Interlocked.Increment(ref _evaluations);
        var evaluator = new PanelEvaluator(source, key.Engine);
        return key.RangeOnly
            ? evaluator.EvaluateRange(key.Panel, key.ValuesSource!, key.Window, tenantId: null)
            : evaluator.Evaluate(key.Panel, key.ValuesSource!, key.Window, tenantId: null);
    }

    private void SweepIfDue(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (time.GetElapsedTime(last, now) < Lifetime || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (time.GetElapsedTime(entry.CreatedAt, now) >= Lifetime)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Variable values as one comparable string (the record compares its dictionaries by reference).</summary>
    private static CanonicalValues Canonical(VariableValues values)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in values.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('\u0001').Append(value).Append('\u0002');
        }

        text.Append('\u0003');
        foreach (var name in values.Raw.Order(StringComparer.Ordinal))
        {
            text.Append(name).Append('\u0002');
        }

        return new CanonicalValues(text.ToString(), values);
    }

    /// <summary>Compared by <see cref="Text"/> only; <see cref="Source"/> is what the evaluation uses.</summary>
    private readonly record struct CanonicalValues(string Text, VariableValues Source)
    {
        public bool Equals(CanonicalValues other) => string.Equals(Text, other.Text, StringComparison.Ordinal);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
    }

    private sealed record Key(DashboardPanel Panel, CanonicalValues Values, PromQlOptions Engine, QueryWindow Window, bool RangeOnly, long DataVersion)
    {
        public VariableValues? ValuesSource => Values.Source;
    }

    private sealed record Entry(long CreatedAt, Lazy<Task<PanelResult>> Result);
}
