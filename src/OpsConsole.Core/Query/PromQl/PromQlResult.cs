using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>What a query answers: a <see cref="ScalarResult"/>, <see cref="StringResult"/>, <see cref="InstantVector"/> or <see cref="RangeMatrix"/>.</summary>
public abstract record PromQlResult;

public sealed record ScalarResult(long TimestampMs, double Value) : PromQlResult;

public sealed record StringResult(long TimestampMs, string Value) : PromQlResult;

/// <summary>One element of an instant vector: a series' labels, the evaluation time and the value.</summary>
public sealed record VectorSample(LabelSet Labels, long TimestampMs, double Value);

public sealed record InstantVector(IReadOnlyList<VectorSample> Samples) : PromQlResult;

/// <summary>One series of a range query's answer, points oldest first.</summary>
public sealed record RangeSeries(LabelSet Labels, IReadOnlyList<Sample> Points);

/// <summary>A range query's answer (or an instant query of a range selector), series sorted by labels.</summary>
public sealed record RangeMatrix(IReadOnlyList<RangeSeries> Series) : PromQlResult;
