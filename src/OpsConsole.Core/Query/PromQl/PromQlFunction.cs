namespace OpsConsole.Core.Query.PromQl;

/// <summary>A PromQL function's signature: argument types (the last <see cref="OptionalArgs"/> may be left out).</summary>
public sealed record PromQlFunction(string Name, IReadOnlyList<PromQlType> ArgTypes, PromQlType ReturnType, int OptionalArgs = 0)
{
    private static readonly PromQlType[] Vector = [PromQlType.InstantVector];
    private static readonly PromQlType[] Matrix = [PromQlType.RangeVector];

    /// <summary>The functions this engine evaluates, by name.</summary>
    public static readonly IReadOnlyDictionary<string, PromQlFunction> Supported = new[]
    {
        new PromQlFunction("rate", Matrix, PromQlType.InstantVector),
        new PromQlFunction("irate", Matrix, PromQlType.InstantVector),
        new PromQlFunction("increase", Matrix, PromQlType.InstantVector),
        new PromQlFunction("delta", Matrix, PromQlType.InstantVector),
        new PromQlFunction("idelta", Matrix, PromQlType.InstantVector),
        new PromQlFunction("avg_over_time", Matrix, PromQlType.InstantVector),
        new PromQlFunction("min_over_time", Matrix, PromQlType.InstantVector),
        new PromQlFunction("max_over_time", Matrix, PromQlType.InstantVector),
        new PromQlFunction("sum_over_time", Matrix, PromQlType.InstantVector),
        new PromQlFunction("count_over_time", Matrix, PromQlType.InstantVector),
        new PromQlFunction("last_over_time", Matrix, PromQlType.InstantVector),
        new PromQlFunction("abs", Vector, PromQlType.InstantVector),
        new PromQlFunction("ceil", Vector, PromQlType.InstantVector),
        new PromQlFunction("floor", Vector, PromQlType.InstantVector),
        new PromQlFunction("round", [PromQlType.InstantVector, PromQlType.Scalar], PromQlType.InstantVector, 1),
        new PromQlFunction("clamp", [PromQlType.InstantVector, PromQlType.Scalar, PromQlType.Scalar], PromQlType.InstantVector),
        new PromQlFunction("clamp_min", [PromQlType.InstantVector, PromQlType.Scalar], PromQlType.InstantVector),
        new PromQlFunction("clamp_max", [PromQlType.InstantVector, PromQlType.Scalar], PromQlType.InstantVector),
        new PromQlFunction("time", [], PromQlType.Scalar),
        new PromQlFunction("vector", [PromQlType.Scalar], PromQlType.InstantVector),
        new PromQlFunction("scalar", Vector, PromQlType.Scalar),
        new PromQlFunction("absent", Vector, PromQlType.InstantVector),
        new PromQlFunction("histogram_quantile", [PromQlType.Scalar, PromQlType.InstantVector], PromQlType.InstantVector),
        new PromQlFunction("label_replace", [PromQlType.InstantVector, PromQlType.String, PromQlType.String, PromQlType.String, PromQlType.String], PromQlType.InstantVector),
        new PromQlFunction("sort", Vector, PromQlType.InstantVector),
        new PromQlFunction("sort_desc", Vector, PromQlType.InstantVector),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Prometheus functions this engine knows by name but does not evaluate yet.</summary>
    public static readonly IReadOnlySet<string> Unsupported = new HashSet<string>(StringComparer.Ordinal)
    {
        "label_join", "quantile_over_time", "stddev_over_time", "stdvar_over_time",
        "present_over_time", "absent_over_time", "changes", "resets", "deriv", "predict_linear", "holt_winters",
        "timestamp", "exp", "ln", "log2", "log10", "sqrt", "sgn", "day_of_month", "day_of_week", "day_of_year",
        "days_in_month", "hour", "minute", "month", "year", "histogram_count", "histogram_sum", "histogram_fraction",
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "deg", "rad", "pi",
        "mad_over_time", "double_exponential_smoothing", "info", "limitk", "limit_ratio", "sort_by_label", "sort_by_label_desc",
    };
}
