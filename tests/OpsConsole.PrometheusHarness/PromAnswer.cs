using System.Globalization;
using System.Net;
using System.Text.Json;

namespace OpsConsole.PrometheusHarness;

/// <summary>One point of an answer: the timestamp as sent (seconds, exact) and the value.</summary>
public readonly record struct PromPoint(decimal Timestamp, double Value, string Text);

/// <summary>One series or vector element of an answer, its labels in canonical form (sorted, <c>{a="1", b="2"}</c>).</summary>
public sealed record PromSeries(string Labels, IReadOnlyList<PromPoint> Points);

/// <summary>
/// A Prometheus API answer, parsed: status, errorType, resultType and the result as series (a scalar or string is one
/// series with no labels; a string's value is kept in <see cref="StringValue"/>). <see cref="Body"/> is the raw JSON.
/// </summary>
public sealed record PromAnswer(HttpStatusCode HttpStatus, string Body, string Status, string? ErrorType, string? Error, string? ResultType, IReadOnlyList<PromSeries> Series, string? StringValue)
{
    public static PromAnswer Parse(HttpStatusCode httpStatus, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var status = root.GetProperty("status").GetString() ?? "";
        if (status != "success")
        {
            return new PromAnswer(httpStatus, body, status, Optional(root, "errorType"), Optional(root, "error"), null, [], null);
        }

        var data = root.GetProperty("data");
        var resultType = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        return resultType switch
        {
            "scalar" => new PromAnswer(httpStatus, body, status, null, null, resultType, [new PromSeries("{}", [ParsePoint(result)])], null),
            "string" => new PromAnswer(httpStatus, body, status, null, null, resultType,
                [new PromSeries("{}", [new PromPoint(result[0].GetDecimal(), 0, "")])], result[1].GetString()),
            "vector" => new PromAnswer(httpStatus, body, status, null, null, resultType,
                [.. result.EnumerateArray().Select(e => new PromSeries(CanonicalLabels(e.GetProperty("metric")), [ParsePoint(e.GetProperty("value"))]))], null),
            "matrix" => new PromAnswer(httpStatus, body, status, null, null, resultType,
                [.. result.EnumerateArray().Select(e => new PromSeries(CanonicalLabels(e.GetProperty("metric")), [.. e.GetProperty("values").EnumerateArray().Select(ParsePoint)]))], null),
            _ => throw new InvalidOperationException($"unknown resultType {resultType}"),
        };
    }

    private static string? Optional(JsonElement root, string name) => root.TryGetProperty(name, out var e) ? e.GetString() : null;

    private static PromPoint ParsePoint(JsonElement pair) => new(pair[0].GetDecimal(), ParseValue(pair[1].GetString()!), pair[1].GetString()!);

    /// <summary>Prometheus's sample values: decimal text, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> (nothing else).</summary>
    public static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when text.All(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E') => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"\"{text}\" is not a Prometheus sample value"),
    };

    private static string CanonicalLabels(JsonElement metric) =>
        "{" + string.Join(", ", metric.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}=\"{p.Value.GetString()}\"")) + "}";
}
