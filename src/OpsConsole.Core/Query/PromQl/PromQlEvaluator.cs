using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>An element of an instant vector during evaluation.</summary>
internal readonly record struct Element(LabelSet Labels, double Value);

/// <summary>A value during evaluation at one step: a scalar, a string or an instant vector.</summary>
internal abstract record StepValue;

internal sealed record ScalarValue(double Value) : StepValue;

internal sealed record StringValue(string Value) : StepValue;

/// <summary>
/// An instant vector. When it is the output of a function of a range selector, <see cref="Source"/> is that node and
/// <see cref="Origins"/> the index of each element's series there (so aggregations can look their groups up by index).
/// </summary>
internal sealed record VectorValue(List<Element> Elements) : StepValue
{
    public PromQlEvaluator.RangeFunctionNode? Source { get; init; }

    public List<int>? Origins { get; init; }
}

/// <summary>A function of a range selector at every step: values[series × steps + step], and where there is one.</summary>
internal sealed record RangeTable(double[] Values, bool[] Present);

/// <summary>
/// One series loaded for a selector: labels and every sample the whole query needs, oldest first, and whether any of
/// them is a stale marker (when none is, a range selector's window is a plain slice of <see cref="Samples"/>).
/// </summary>
internal sealed record LoadedSeries(LabelSet Labels, Sample[] Samples, bool HasStaleMarkers)
{
    private int[]? _drops;

    /// <summary>Indices k ≥ 1 where a value is below the one before (counter resets), ascending; found on first use.</summary>
    private int[] Drops => _drops ??= FindDrops(Samples);

    /// <summary>Whether a value drops within <see cref="Samples"/>[first … last] (against its predecessor there).</summary>
    public bool DropsWithin(int first, int last)
    {
        var drops = Drops;
        if (drops.Length == 0)
        {
            return false;
        }

        var i = Array.BinarySearch(drops, first + 1);
        if (i < 0)
        {
            i = ~i;
        }

        return i < drops.Length && drops[i] <= last;
    }

    private static int[] FindDrops(Sample[] samples)
    {
        List<int>? drops = null;
        for (var k = 1; k < samples.Length; k++)
        {
            if (samples[k].Value < samples[k - 1].Value)
            {
                (drops ??= []).Add(k);
            }
        }

        return drops is null ? [] : [.. drops];
    }
}

/// <summary>
/// Evaluates one query: loads each selector's samples once for the whole time range, then evaluates the tree at
/// every step (Prometheus 2.x windows: instant selectors take the latest sample in [t − lookback, t], range selectors
/// the samples in [t − range, t], both shifted by offset; a stale marker ends a series).
/// </summary>
internal sealed partial class PromQlEvaluator
{
    private readonly ISeriesSource _source;
    private readonly PromQlOptions _options;
    private readonly string? _tenantId;
    private readonly long _startMs;
    private readonly long _endMs;
    private readonly long _stepMs;
    private readonly CancellationToken _cancellation;
    private readonly Dictionary<VectorSelector, LoadedSeries[]> _loaded = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PromQlExpr, Dictionary<LabelSet, LabelSet>> _origins = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PromQlExpr, RangeFunctionNode> _rangeFunctions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Aggregation, GroupKeyCache> _groupKeys = new(ReferenceEqualityComparer.Instance);
    private long _samplesLoaded;

    private readonly PromQlSelectorCache? _cache;

    public PromQlEvaluator(
        ISeriesSource source, PromQlOptions options, string? tenantId, long startMs, long endMs, long stepMs, CancellationToken cancellation, PromQlSelectorCache? cache = null)
    {
        _cache = startMs == endMs ? cache : null; // instant queries only
        _source = source;
        _options = options;
        _tenantId = tenantId;
        _startMs = startMs;
        _endMs = endMs;
        _stepMs = stepMs;
        _cancellation = cancellation;
    }

    public PromQlResult EvaluateInstant(PromQlExpr expr)
    {
        Load(expr, null);
        var t = _startMs;
        if (expr is MatrixSelector matrix)
        {
            var series = new List<RangeSeries>();
            foreach (var s in _loaded[matrix.Selector])
            {
                var window = Window(s, matrix, t);
                if (window.Length > 0)
                {
                    series.Add(new RangeSeries(s.Labels, window.ToArray()));
                }
            }

            return new RangeMatrix(series);
        }

        return Evaluate(expr, t) switch
        {
            ScalarValue s => new ScalarResult(t, s.Value),
            StringValue s => new StringResult(t, s.Value),
            VectorValue v => new InstantVector(v.Elements.Select(e => new VectorSample(e.Labels, t, e.Value)).ToList()),
            _ => throw new InvalidOperationException("unexpected value"),
        };
    }

    public RangeMatrix EvaluateRange(PromQlExpr expr)
    {
        Load(expr, null);
        var series = new Dictionary<LabelSet, List<Sample>>();
        long points = 0;
        for (var t = _startMs; t <= _endMs; t += _stepMs)
        {
            _cancellation.ThrowIfCancellationRequested();
            var value = Evaluate(expr, t);
            IEnumerable<Element> elements = value switch
            {
                ScalarValue s => [new Element(LabelSet.Empty, s.Value)],
                VectorValue v => v.Elements,
                _ => throw new PromQlEvaluationException("a range query must evaluate to a scalar or an instant vector"),
            };
            foreach (var e in elements)
            {
                if (!series.TryGetValue(e.Labels, out var list))
                {
                    series[e.Labels] = list = [];
                }

                list.Add(new Sample(t, e.Value));
                if (++points + _samplesLoaded > _options.MaxSamples)
                {
                    throw TooManySamples();
                }
            }
        }

        var result = series.Select(kv => new RangeSeries(kv.Key, kv.Value)).ToList();
        result.Sort((a, b) => CompareLabels(a.Labels, b.Labels));
        return new RangeMatrix(result);
    }

    internal static int CompareLabels(LabelSet a, LabelSet b)
    {
        var x = a.Labels;
        var y = b.Labels;
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            var c = string.CompareOrdinal(x[i].Key, y[i].Key);
            if (c == 0)
            {
                c = string.CompareOrdinal(x[i].Value, y[i].Value);
            }

            if (c != 0)
            {
                return c;
            }
        }

        return x.Count.CompareTo(y.Count);
    }

    /// <summary>Prometheus's own error (an <c>execution</c> error in its API).</summary>
    private static PromQlEvaluationException TooManySamples() =>
        new("query processing would load too many samples into memory in query execution");

    /// <summary>Loads every selector's samples for the whole query range once.</summary>
    private void Load(PromQlExpr expr, long? rangeMs)
    {
        switch (expr)
        {
            case VectorSelector vs:
            {
                var before = rangeMs ?? _options.LookbackMs;
                // A tenant-scoped caller's implicit tenant_id matcher is added here, to every selector.
                var matchers = _options.Scoped(vs.Matchers);
                var (fromMs, toMs) = (_startMs - vs.OffsetMs - before, _endMs - vs.OffsetMs);
                var metric = _cache is null ? null : PromQlSelectorCache.MetricOf(matchers);
                var key = metric is null ? null : PromQlSelectorCache.KeyOf(_tenantId, matchers, fromMs, toMs);
                var generation = -1L;
                if (metric is not null)
                {
                    (var cached, var cachedSamples, generation) = _cache!.Get(_startMs, metric, key!);
                    if (cached is not null)
                    {
                        _samplesLoaded += cachedSamples;
                        if (_samplesLoaded > _options.MaxSamples)
                        {
                            throw TooManySamples();
                        }

                        _loaded[vs] = cached;
                        break;
                    }
                }

                var samplesBefore = _samplesLoaded;
                var selected = _source.Select(_tenantId, matchers, fromMs, toMs, _cancellation);
                var loaded = new LoadedSeries[selected.Count];
                for (var i = 0; i < selected.Count; i++)
                {
                    _cancellation.ThrowIfCancellationRequested();

                    // Across tenants two series may carry equal labels (the tenant is not a label); rather than merge them
                    // into a wrong answer, refuse. Selections are sorted by labels, so equal ones are neighbours.
                    if (i > 0 && selected[i].Labels.Equals(selected[i - 1].Labels))
                    {
                        throw new PromQlUnsupportedException(
                            $"the series {selected[i].Labels} exists in tenants \"{selected[i - 1].TenantId}\" and \"{selected[i].TenantId}\": an all-tenant query cannot tell them apart yet; query one tenant");
                    }

                    var samples = selected[i].ToArray();
                    _samplesLoaded += samples.Length;
                    if (_samplesLoaded > _options.MaxSamples)
                    {
                        throw TooManySamples();
                    }

                    var stale = false;
                    foreach (var sample in samples)
                    {
                        if (StaleMarker.IsStaleNaN(sample.Value))
                        {
                            stale = true;
                            break;
                        }
                    }

                    loaded[i] = new LoadedSeries(selected[i].Labels, samples, stale);
                }

                _loaded[vs] = loaded;
                if (metric is not null && generation >= 0)
                {
                    _cache!.Add(_startMs, generation, metric, key!, loaded, _samplesLoaded - samplesBefore);
                }

                break;
            }

            case MatrixSelector ms:
                Load(ms.Selector, ms.RangeMs);
                break;
            case FunctionCall call:
                foreach (var arg in call.Args)
                {
                    Load(arg, null);
                }

                break;
            case Aggregation agg:
                Load(agg.Expr, null);
                if (agg.Param is not null)
                {
                    Load(agg.Param, null);
                }

                break;
            case UnaryMinus u:
                Load(u.Expr, null);
                break;
            case BinaryExpr b:
                Load(b.Left, null);
                Load(b.Right, null);
                break;
        }
    }

    private StepValue Evaluate(PromQlExpr expr, long t)
    {
        _cancellation.ThrowIfCancellationRequested();
        switch (expr)
        {
            case NumberLiteral n:
                return new ScalarValue(n.Value);
            case StringLiteral s:
                return new StringValue(s.Value);
            case VectorSelector vs:
                return new VectorValue(SelectInstant(vs, t));
            case FunctionCall call:
                return EvaluateCall(call, t);
            case Aggregation agg:
                return new VectorValue(Aggregate(agg, t));
            case UnaryMinus u:
                return Evaluate(u.Expr, t) switch
                {
                    ScalarValue s => new ScalarValue(-s.Value),
                    VectorValue v => new VectorValue(UniqueOverRange(u, v.Elements.Select(e => (new Element(e.Labels.Without(LabelSet.MetricName), -e.Value), e.Labels)))),
                    _ => throw new InvalidOperationException("unary minus on a string"),
                };
            case BinaryExpr b:
                return EvaluateBinary(b, t);
            case MatrixSelector:
                throw new PromQlEvaluationException("a range vector cannot be evaluated here: wrap it in a function such as rate()");
            default:
                throw new PromQlUnsupportedException($"the expression {expr} is not supported");
        }
    }

    private List<Element> SelectInstant(VectorSelector vs, long t)
    {
        var reference = t - vs.OffsetMs;
        var result = new List<Element>();
        foreach (var s in _loaded[vs])
        {
            var i = LastAtOrBefore(s.Samples, reference);
            if (i < 0)
            {
                continue;
            }

            var sample = s.Samples[i];
            if (sample.TimestampMs < reference - _options.LookbackMs || StaleMarker.IsStaleNaN(sample.Value))
            {
                continue;
            }

            result.Add(new Element(s.Labels, sample.Value));
        }

        return result;
    }

    /// <summary>
    /// The samples of a range selector's window at t: [t − offset − range, t − offset], stale markers left out. A slice
    /// of the loaded samples (no copy) unless the series has stale markers.
    /// </summary>
    private static ReadOnlySpan<Sample> Window(LoadedSeries series, MatrixSelector ms, long t)
    {
        var samples = series.Samples;
        var end = t - ms.Selector.OffsetMs;
        var start = end - ms.RangeMs;
        var last = LastAtOrBefore(samples, end);
        var first = LastAtOrBefore(samples, start - 1) + 1;
        if (last < first)
        {
            return [];
        }

        var window = new ReadOnlySpan<Sample>(samples, first, last - first + 1);
        if (!series.HasStaleMarkers)
        {
            return window;
        }

        var result = new List<Sample>(window.Length);
        foreach (var sample in window)
        {
            if (!StaleMarker.IsStaleNaN(sample.Value))
            {
                result.Add(sample);
            }
        }

        return result.ToArray();
    }

    /// <summary>Index of the last sample at or before <paramref name="t"/>; −1 when there is none.</summary>
    private static int LastAtOrBefore(Sample[] samples, long t)
    {
        int lo = 0, hi = samples.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (samples[mid].TimestampMs <= t)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>
    /// For nodes Prometheus evaluates series by series over the whole range (functions of a range selector, unary
    /// minus): two input series that end up with equal labels are refused even when they never have a value at the
    /// same step (e.g. <c>rate({__name__=~"a_total|b_total"}[5m])</c> over a range where a ends before b starts).
    /// </summary>
    private List<Element> UniqueOverRange(PromQlExpr node, IEnumerable<(Element Output, LabelSet Source)> elements)
    {
        if (!_origins.TryGetValue(node, out var origins))
        {
            _origins[node] = origins = [];
        }

        var output = new List<Element>();
        foreach (var (element, source) in elements)
        {
            if (!origins.TryAdd(element.Labels, source) && !origins[element.Labels].Equals(source))
            {
                throw new PromQlEvaluationException($"vector cannot contain metrics with the same labelset: {element.Labels}");
            }

            output.Add(element);
        }

        return output;
    }

    /// <summary>The per-query state of <paramref name="node"/>, a function of a range selector over <paramref name="loaded"/>.</summary>
    private RangeFunctionNode RangeFunction(PromQlExpr node, LoadedSeries[] loaded, bool keepName)
    {
        if (!_rangeFunctions.TryGetValue(node, out var state))
        {
            if (!_origins.TryGetValue(node, out var origins))
            {
                _origins[node] = origins = [];
            }

            _rangeFunctions[node] = state = new RangeFunctionNode(loaded, keepName, origins);
        }

        return state;
    }

    /// <summary>
    /// A function of a range selector during one query: each series' output labels, worked out once (so every step
    /// hands on the same <see cref="LabelSet"/> instances, which later nodes can cache by reference) with
    /// <see cref="UniqueOverRange"/>'s check made the first time a series has a value; and each series' window, moved
    /// forward from the previous step's instead of searched afresh when steps come in time order.
    /// </summary>
    internal sealed class RangeFunctionNode(LoadedSeries[] loaded, bool keepName, Dictionary<LabelSet, LabelSet> origins)
    {
        /// <summary>Every step's values, once worked out (range queries).</summary>
        public RangeTable? Table { get; set; }

        public int SeriesCount => loaded.Length;

        private readonly LabelSet?[] _labels = new LabelSet?[loaded.Length];
        private readonly int[] _first = new int[loaded.Length];
        private readonly int[] _last = new int[loaded.Length];
        private long _previousEnd = long.MaxValue;

        public LabelSet Output(int index)
        {
            if (_labels[index] is { } known)
            {
                return known;
            }

            var series = loaded[index];
            var labels = keepName ? series.Labels : series.Labels.Without(LabelSet.MetricName);
            if (!origins.TryAdd(labels, series.Labels) && !origins[labels].Equals(series.Labels))
            {
                throw new PromQlEvaluationException($"vector cannot contain metrics with the same labelset: {labels}");
            }

            _labels[index] = labels;
            return labels;
        }

        /// <summary>Call before the series of a step: where the windows end and start (both inclusive).</summary>
        public void BeginStep(long startMs, long endMs)
        {
            var forward = endMs >= _previousEnd;
            for (var i = 0; i < loaded.Length; i++)
            {
                var samples = loaded[i].Samples;
                int first, last;
                if (forward)
                {
                    first = _first[i];
                    last = _last[i];
                    while (first < samples.Length && samples[first].TimestampMs < startMs)
                    {
                        first++;
                    }

                    while (last + 1 < samples.Length && samples[last + 1].TimestampMs <= endMs)
                    {
                        last++;
                    }
                }
                else
                {
                    last = LastAtOrBefore(samples, endMs);
                    first = LastAtOrBefore(samples, startMs - 1) + 1;
                }

                _first[i] = first;
                _last[i] = last;
            }

            _previousEnd = endMs;
        }

        /// <summary>Series <paramref name="index"/>'s window of this step: indices into its samples (empty when last &lt; first).</summary>
        public (int First, int Last) Window(int index) => (_first[index], _last[index]);
    }

    /// <summary>Prometheus refuses a vector with two equal label sets (e.g. after a function dropped the names).</summary>
    private static List<Element> Unique(List<Element> elements)
    {
        var seen = new HashSet<LabelSet>();
        foreach (var e in elements)
        {
            if (!seen.Add(e.Labels))
            {
                throw new PromQlEvaluationException($"vector cannot contain metrics with the same labelset: {e.Labels}");
            }
        }

        return elements;
    }
}
