using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>Function calls, following Prometheus's <c>promql/functions.go</c>.</summary>
internal sealed partial class PromQlEvaluator
{
    /// <summary>The most values a range function's table may hold (8 M: 72 MB), beyond which it is evaluated step by step.</summary>
    private const long MaxRangeTableCells = 8_000_000;

    private StepValue EvaluateCall(FunctionCall call, long t)
    {
        var name = call.Function.Name;
        if (call.Args.Count == 1 && call.Args[0] is MatrixSelector ms)
        {
            var loaded = _loaded[ms.Selector];
            var node = RangeFunction(call, loaded, keepName: name == "last_over_time");
            var output = new List<Element>(loaded.Length);
            var origins = new List<int>(loaded.Length);

            // In a range query every step's values are worked out at the first step, series by series (each series'
            // samples stay in cache while its windows slide over them, as Prometheus evaluates range functions), when
            // the table stays within a bounded size; beyond it, step by step.
            var steps = ((_endMs - _startMs) / _stepMs) + 1;
            if (steps > 1 && steps * loaded.Length <= MaxRangeTableCells && t >= _startMs && t <= _endMs && (t - _startMs) % _stepMs == 0)
            {
                var table = node.Table ??= RangeFunctionTable(name, ms, loaded, (int)steps);
                var k = (int)((t - _startMs) / _stepMs);
                for (var i = 0; i < loaded.Length; i++)
                {
                    var cell = (i * (int)steps) + k;
                    if (table.Present[cell])
                    {
                        output.Add(new Element(node.Output(i), table.Values[cell]));
                        origins.Add(i);
                    }
                }

                return new VectorValue(output) { Source = node, Origins = origins };
            }

            var rangeEnd = t - ms.Selector.OffsetMs;
            node.BeginStep(rangeEnd - ms.RangeMs, rangeEnd);
            for (var i = 0; i < loaded.Length; i++)
            {
                var s = loaded[i];
                var (first, last) = node.Window(i);
                if (last < first)
                {
                    continue;
                }

                // A window is a slice of the loaded samples, unless stale markers must be left out of it. A counter's
                // reset loop only runs when a value drops within the window (or it starts below zero).
                ReadOnlySpan<Sample> window;
                bool mayDrop;
                if (s.HasStaleMarkers)
                {
                    window = Window(s, ms, t);
                    mayDrop = true;
                    if (window.Length == 0)
                    {
                        continue;
                    }
                }
                else
                {
                    window = new ReadOnlySpan<Sample>(s.Samples, first, last - first + 1);
                    mayDrop = window[0].Value < 0 || s.DropsWithin(first, last);
                }

                if (ApplyRangeFunction(name, window, rangeEnd - ms.RangeMs, rangeEnd, mayDrop) is { } v)
                {
                    output.Add(new Element(node.Output(i), v));
                    origins.Add(i);
                }
            }

            return new VectorValue(output) { Source = node, Origins = origins };
        }

        switch (name)
        {
            case "time":
                return new ScalarValue(t / 1000.0);
            case "vector":
                return new VectorValue([new Element(LabelSet.Empty, Scalar(call.Args[0], t))]);
            case "scalar":
            {
                var v = Vector(call.Args[0], t);
                return new ScalarValue(v.Count == 1 ? v[0].Value : double.NaN);
            }

            case "absent":
                return new VectorValue(Vector(call.Args[0], t).Count > 0 ? [] : [new Element(AbsentLabels(call.Args[0]), 1)]);
            case "label_replace":
                return new VectorValue(LabelReplace(call, t));
            case "histogram_quantile":
                return new VectorValue(Unique(HistogramQuantile(call, Scalar(call.Args[0], t), Vector(call.Args[1], t))));
            case "sort":
                return new VectorValue([.. Vector(call.Args[0], t).OrderBy(e => e.Value, NaNLast.Ascending)]);
            case "sort_desc":
                return new VectorValue([.. Vector(call.Args[0], t).OrderBy(e => e.Value, NaNLast.Descending)]);
        }

        var input = Vector(call.Args[0], t);
        Func<double, double> f = name switch
        {
            "abs" => Math.Abs,
            "ceil" => Math.Ceiling,
            "floor" => Math.Floor,
            "round" => RoundTo(call.Args.Count > 1 ? Scalar(call.Args[1], t) : 1),
            "clamp" => Clamp(Scalar(call.Args[1], t), Scalar(call.Args[2], t)),
            "clamp_min" => ClampMin(Scalar(call.Args[1], t)),
            "clamp_max" => ClampMax(Scalar(call.Args[1], t)),
            _ => throw new PromQlUnsupportedException($"the function \"{name}\" is not supported yet"),
        };
        if (name == "clamp" && Scalar(call.Args[2], t) < Scalar(call.Args[1], t))
        {
            return new VectorValue([]); // Prometheus: max below min gives an empty result
        }

        return new VectorValue(Unique(input.Select(e => new Element(e.Labels.Without(LabelSet.MetricName), f(e.Value))).ToList()));
    }

    /// <summary>
    /// A function of a range selector at every step of the query, series by series: values[series × steps + step],
    /// present where the series has a value at that step. Windows slide forward over each series' samples.
    /// </summary>
    private RangeTable RangeFunctionTable(string name, MatrixSelector ms, LoadedSeries[] loaded, int steps)
    {
        var values = new double[loaded.Length * steps];
        var present = new bool[loaded.Length * steps];
        for (var i = 0; i < loaded.Length; i++)
        {
            _cancellation.ThrowIfCancellationRequested();
            var s = loaded[i];
            var samples = s.Samples;
            int first = 0, last = -1;
            for (var k = 0; k < steps; k++)
            {
                var t = _startMs + (k * _stepMs);
                var rangeEnd = t - ms.Selector.OffsetMs;
                var rangeStart = rangeEnd - ms.RangeMs;
                ReadOnlySpan<Sample> window;
                bool mayDrop;
                if (s.HasStaleMarkers)
                {
                    window = Window(s, ms, t);
                    mayDrop = true;
                }
                else
                {
                    while (first < samples.Length && samples[first].TimestampMs < rangeStart)
                    {
                        first++;
                    }

                    while (last + 1 < samples.Length && samples[last + 1].TimestampMs <= rangeEnd)
                    {
                        last++;
                    }

                    window = last < first ? [] : new ReadOnlySpan<Sample>(samples, first, last - first + 1);
                    mayDrop = window.Length > 0 && (window[0].Value < 0 || s.DropsWithin(first, last));
                }

                if (window.Length > 0 && ApplyRangeFunction(name, window, rangeStart, rangeEnd, mayDrop) is { } v)
                {
                    values[(i * steps) + k] = v;
                    present[(i * steps) + k] = true;
                }
            }
        }

        return new RangeTable(values, present);
    }

    private static double? ApplyRangeFunction(string name, ReadOnlySpan<Sample> window, long rangeStartMs, long rangeEndMs, bool mayDrop) => name switch
    {
        "rate" => ExtrapolatedRate(window, rangeStartMs, rangeEndMs, isCounter: true, isRate: true, mayDrop),
        "increase" => ExtrapolatedRate(window, rangeStartMs, rangeEndMs, isCounter: true, isRate: false, mayDrop),
        "delta" => ExtrapolatedRate(window, rangeStartMs, rangeEndMs, isCounter: false, isRate: false, mayDrop: false),
        "irate" => InstantRate(window, isRate: true),
        "idelta" => InstantRate(window, isRate: false),
        "avg_over_time" => Average(window),
        "min_over_time" => MinOverTime(window),
        "max_over_time" => MaxOverTime(window),
        "sum_over_time" => SumOverTime(window),
        "count_over_time" => window.Length,
        "last_over_time" => window[^1].Value,
        _ => throw new PromQlUnsupportedException($"the function \"{name}\" is not supported yet"),
    };

    private double Scalar(PromQlExpr expr, long t) =>
        Evaluate(expr, t) is ScalarValue s ? s.Value : throw new InvalidOperationException("expected a scalar");

    private List<Element> Vector(PromQlExpr expr, long t) =>
        Evaluate(expr, t) is VectorValue v ? v.Elements : throw new InvalidOperationException("expected an instant vector");

    /// <summary>Round half up to the nearest multiple (Go: <c>math.Floor(v*inv+0.5)/inv</c>).</summary>
    private static Func<double, double> RoundTo(double toNearest)
    {
        var inverse = 1.0 / toNearest;
        return v => Math.Floor((v * inverse) + 0.5) / inverse;
    }

    private static Func<double, double> Clamp(double min, double max) => v => GoMax(min, GoMin(max, v));

    private static Func<double, double> ClampMin(double min) => v => GoMax(min, v);

    private static Func<double, double> ClampMax(double max) => v => GoMin(max, v);

    private static double GoMax(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static double GoMin(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b);

    /// <summary>
    /// absent() of a selector carries its equality matchers' labels (except the name); of anything else, none. As in
    /// Prometheus, matchers are applied in order: the first equality matcher of a name sets the label, any later matcher
    /// of the same name (equality or not) removes it again, so <c>x{a="1",a=~"2"}</c> gives no <c>a</c>.
    /// </summary>
    private static LabelSet AbsentLabels(PromQlExpr arg)
    {
        if (arg is not VectorSelector vs)
        {
            return LabelSet.Empty;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in vs.Matchers.Where(m => m.Name != LabelSet.MetricName))
        {
            if (m.Type == LabelMatchType.Equal && seen.Add(m.Name))
            {
                labels[m.Name] = m.Value;
            }
            else
            {
                labels.Remove(m.Name);
            }
        }

        return LabelSet.From(labels);
    }

    private static double Average(ReadOnlySpan<Sample> window)
    {
        // Prometheus 2.x: incremental mean, falling back to it only when a plain sum would overflow.
        var sum = SumOverTime(window);
        if (!double.IsInfinity(sum))
        {
            return sum / window.Length;
        }

        double mean = 0;
        for (var i = 0; i < window.Length; i++)
        {
            mean += (window[i].Value - mean) / (i + 1);
        }

        return mean;
    }

    /// <summary>
    /// Prometheus's <c>extrapolatedRate</c>: the increase between the first and last sample (counter resets add the
    /// value before the reset), extrapolated to the window edges when the samples are close enough to them (within
    /// 1.1 average intervals, else half an interval), never extrapolating a counter below zero. The reset loop is skipped
    /// when the caller knows no value drops in the window and the first is not below zero (then it would add nothing).
    /// </summary>
    private static double? ExtrapolatedRate(ReadOnlySpan<Sample> window, long rangeStartMs, long rangeEndMs, bool isCounter, bool isRate, bool mayDrop)
    {
        if (window.Length < 2)
        {
            return null;
        }

        var first = window[0];
        var last = window[^1];
        var result = last.Value - first.Value;
        if (isCounter && mayDrop)
        {
            double previous = 0;
            foreach (var p in window)
            {
                if (p.Value < previous)
                {
                    result += previous;
                }

                previous = p.Value;
            }
        }

        var durationToStart = (first.TimestampMs - rangeStartMs) / 1000.0;
        var durationToEnd = (rangeEndMs - last.TimestampMs) / 1000.0;
        var sampledInterval = (last.TimestampMs - first.TimestampMs) / 1000.0;
        var averageInterval = sampledInterval / (window.Length - 1);
        if (isCounter && result > 0 && first.Value >= 0)
        {
            var durationToZero = sampledInterval * (first.Value / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }

        var threshold = averageInterval * 1.1;
        var extrapolateTo = sampledInterval;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
        result *= extrapolateTo / sampledInterval;
        if (isRate)
        {
            result /= (rangeEndMs - rangeStartMs) / 1000.0;
        }

        return result;
    }

    /// <summary>Prometheus's <c>instantValue</c>: from the last two samples; irate treats a drop as a counter reset.</summary>
    private static double? InstantRate(ReadOnlySpan<Sample> window, bool isRate)
    {
        if (window.Length < 2)
        {
            return null;
        }

        var last = window[^1];
        var previous = window[^2];
        var result = isRate && last.Value < previous.Value ? last.Value : last.Value - previous.Value;
        var interval = last.TimestampMs - previous.TimestampMs;
        if (interval == 0)
        {
            return null;
        }

        return isRate ? result / (interval / 1000.0) : result;
    }

    /// <summary>In order, as Go's loop (a NaN accumulator takes the next value).</summary>
    private static double MinOverTime(ReadOnlySpan<Sample> window)
    {
        var min = window[0].Value;
        for (var i = 1; i < window.Length; i++)
        {
            var v = window[i].Value;
            if (v < min || double.IsNaN(min))
            {
                min = v;
            }
        }

        return min;
    }

    private static double MaxOverTime(ReadOnlySpan<Sample> window)
    {
        var max = window[0].Value;
        for (var i = 1; i < window.Length; i++)
        {
            var v = window[i].Value;
            if (v > max || double.IsNaN(max))
            {
                max = v;
            }
        }

        return max;
    }

    /// <summary>A plain sum in order (as Prometheus 2.x, no compensation).</summary>
    private static double SumOverTime(ReadOnlySpan<Sample> window)
    {
        double sum = 0;
        foreach (var p in window)
        {
            sum += p.Value;
        }

        return sum;
    }

    /// <summary>Orders values with NaN last, as Prometheus's sort and sort_desc do.</summary>
    private sealed class NaNLast(bool descending) : IComparer<double>
    {
        public static readonly NaNLast Ascending = new(false);
        public static readonly NaNLast Descending = new(true);

        public int Compare(double x, double y)
        {
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                return double.IsNaN(x).CompareTo(double.IsNaN(y));
            }

            return descending ? y.CompareTo(x) : x.CompareTo(y);
        }
    }
}
