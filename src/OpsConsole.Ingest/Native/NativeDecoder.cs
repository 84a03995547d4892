using System.Globalization;
using System.Text.Json;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Native;

/// <summary>
/// Turns native JSON requests into a <see cref="TelemetryBatch"/> for one tenant, or into field errors
/// (<c>metrics[3].value</c> → message) when anything is wrong — a request is taken whole or not at all.
/// </summary>
public sealed class NativeDecoder(IngestLimits limits, TimeProvider time)
{
    public const int MaxItemsPerRequest = 10_000;

    public (TelemetryBatch Batch, Dictionary<string, string[]> Errors) Decode(MetricsRequest request, string tenantId)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CheckCount(request.Metrics, "metrics", errors))
        {
            return (TelemetryBatch.Empty, errors);
        }

        var samples = new List<SeriesSample>(request.Metrics!.Count);
        var metadata = new Dictionary<string, MetricMetadata>();
        for (var i = 0; i < request.Metrics.Count; i++)
        {
            var m = request.Metrics[i];
            var at = $"metrics[{i}]";
            if (!PrometheusNames.IsValidMetricName(m.Name))
            {
                errors[$"{at}.name"] = [$"'{m.Name}' is not a valid metric name (letters, digits, '_' and ':', not starting with a digit)."];
                continue;
            }

            if (m.Value is null)
            {
                errors[$"{at}.value"] = ["A numeric value is required."];
                continue;
            }

            var labels = new List<KeyValuePair<string, string>> { new(LabelSet.MetricName, m.Name!) };
            foreach (var (k, v) in m.Labels ?? [])
            {
                if (!PrometheusNames.IsValidLabelName(k) || k.StartsWith("__", StringComparison.Ordinal))
                {
                    errors[$"{at}.labels.{k}"] = [$"'{k}' is not a valid label name."];
                }

                labels.Add(new(k, v));
            }

            if (labels.Count - 1 > limits.MaxAttributesPerItem)
            {
                errors[$"{at}.labels"] = [$"At most {limits.MaxAttributesPerItem} labels per metric."];
            }

            if (!TryTime(m.Timestamp, out var ms, out var timeError))
            {
                errors[$"{at}.timestamp"] = [timeError];
                continue;
            }

            MetricType type = MetricType.Unknown;
            if (m.Type is not null && !Enum.TryParse(m.Type, ignoreCase: true, out type))
            {
                errors[$"{at}.type"] = ["type must be counter, gauge, histogram, summary or untyped."];
            }

            samples.Add(new SeriesSample(tenantId, LabelSet.From(labels), (long)(ms / 1_000_000), m.Value.Value));
            if (m.Type is not null || m.Help is not null || m.Unit is not null)
            {
                metadata[m.Name!] = new MetricMetadata(m.Name!, type, m.Help, m.Unit);
            }
        }

        return errors.Count > 0 ? (TelemetryBatch.Empty, errors) : (new TelemetryBatch { Samples = samples, Metadata = [.. metadata.Values] }, errors);
    }

    public (TelemetryBatch Batch, Dictionary<string, string[]> Errors) Decode(TracesRequest request, string tenantId)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CheckCount(request.Spans, "spans", errors))
        {
            return (TelemetryBatch.Empty, errors);
        }

        var spans = new List<Span>(request.Spans!.Count);
        for (var i = 0; i < request.Spans.Count; i++)
        {
            var s = request.Spans[i];
            var at = $"spans[{i}]";
            if (!TraceId.TryParse(s.TraceId, out var traceId))
            {
                errors[$"{at}.traceId"] = ["traceId must be 32 hex digits, not all zero."];
            }

            if (!SpanId.TryParse(s.SpanId, out var spanId))
            {
                errors[$"{at}.spanId"] = ["spanId must be 16 hex digits, not all zero."];
            }

            var parent = default(SpanId);
            if (!string.IsNullOrEmpty(s.ParentSpanId) && !SpanId.TryParse(s.ParentSpanId, out parent))
            {
                errors[$"{at}.parentSpanId"] = ["parentSpanId must be 16 hex digits (or absent for a root span)."];
            }

            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors[$"{at}.name"] = ["name (the operation) is required."];
            }

            if (string.IsNullOrWhiteSpace(s.Service))
            {
                errors[$"{at}.service"] = ["service is required."];
            }

            if (!TryTime(s.StartTime, out var start, out var startError) || s.StartTime is null)
            {
                errors[$"{at}.startTime"] = [s.StartTime is null ? "startTime is required." : startError];
            }

            ulong end = start;
            if (s.EndTime is not null)
            {
                if (!TryTime(s.EndTime, out end, out var endError))
                {
                    errors[$"{at}.endTime"] = [endError];
                }
            }
            else if (s.DurationMs is { } d && d >= 0)
            {
                end = start + (ulong)(d * 1_000_000);
            }
            else
            {
                errors[$"{at}.endTime"] = ["endTime or a non-negative durationMs is required."];
            }

            if (end < start)
            {
                errors[$"{at}.endTime"] = ["endTime is before startTime."];
            }

            var kind = SpanKind.Internal;
            if (s.Kind is not null && (!Enum.TryParse(s.Kind, ignoreCase: true, out kind) || int.TryParse(s.Kind, out _)))
            {
                errors[$"{at}.kind"] = ["kind must be internal, server, client, producer or consumer."];
            }

            var status = SpanStatusCode.Unset;
            if (s.Status is not null && (!Enum.TryParse(s.Status, ignoreCase: true, out status) || int.TryParse(s.Status, out _)))
            {
                errors[$"{at}.status"] = ["status must be unset, ok or error."];
            }

            var attributes = Attributes(s.Attributes, $"{at}.attributes", errors);
            if (errors.Count > 0)
            {
                continue;
            }

            spans.Add(new Span
            {
                TenantId = tenantId,
                TraceId = traceId,
                SpanId = spanId,
                ParentSpanId = parent,
                Name = s.Name!,
                Kind = kind,
                StartTimeUnixNano = start,
                EndTimeUnixNano = end,
                StatusCode = status,
                StatusMessage = s.StatusMessage,
                Attributes = attributes,
                Events = [.. (s.Events ?? []).Select((e, j) => new SpanEvent(
                    e.Name ?? "event",
                    TryTime(e.Timestamp, out var t, out _) ? t : start,
                    Attributes(e.Attributes, $"{at}.events[{j}].attributes", errors)))],
                Resource = new TelemetryResource([new("service.name", AttributeValue.Of(s.Service!))]),
                Scope = new InstrumentationScope("opsconsole.native", null),
            });
        }

        return errors.Count > 0 ? (TelemetryBatch.Empty, errors) : (new TelemetryBatch { Spans = spans }, errors);
    }

    public (TelemetryBatch Batch, Dictionary<string, string[]> Errors) Decode(LogsRequest request, string tenantId)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CheckCount(request.Logs, "logs", errors))
        {
            return (TelemetryBatch.Empty, errors);
        }

        var logs = new List<LogRecord>(request.Logs!.Count);
        var observed = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        for (var i = 0; i < request.Logs.Count; i++)
        {
            var l = request.Logs[i];
            var at = $"logs[{i}]";
            if (string.IsNullOrEmpty(l.Message))
            {
                errors[$"{at}.message"] = ["message is required."];
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(l.Message) > limits.MaxLogBodyBytes)
            {
                errors[$"{at}.message"] = [$"message is longer than the limit of {limits.MaxLogBodyBytes} bytes."];
            }

            if (string.IsNullOrWhiteSpace(l.Service))
            {
                errors[$"{at}.service"] = ["service is required."];
            }

            var severity = 0;
            if (l.Level is not null && (severity = SeverityNumberOf(l.Level)) == 0)
            {
                errors[$"{at}.level"] = ["level must be trace, debug, info, warn, error or fatal."];
            }

            var traceId = default(TraceId);
            if (!string.IsNullOrEmpty(l.TraceId) && !TraceId.TryParse(l.TraceId, out traceId))
            {
                errors[$"{at}.traceId"] = ["traceId must be 32 hex digits."];
            }

            var spanId = default(SpanId);
            if (!string.IsNullOrEmpty(l.SpanId) && !SpanId.TryParse(l.SpanId, out spanId))
            {
                errors[$"{at}.spanId"] = ["spanId must be 16 hex digits."];
            }

            var at0 = observed;
            if (l.Timestamp is not null && !TryTime(l.Timestamp, out at0, out var timeError))
            {
                errors[$"{at}.timestamp"] = [timeError];
            }

            var attributes = Attributes(l.Attributes, $"{at}.attributes", errors);
            if (errors.Count > 0)
            {
                continue;
            }

            logs.Add(new LogRecord
            {
                TenantId = tenantId,
                TimeUnixNano = at0,
                ObservedTimeUnixNano = observed,
                SeverityNumber = severity == 0 ? 9 : severity,
                SeverityText = l.Level,
                Body = AttributeValue.Of(l.Message!),
                Attributes = attributes,
                TraceId = traceId,
                SpanId = spanId,
                Resource = new TelemetryResource([new("service.name", AttributeValue.Of(l.Service!))]),
                Scope = new InstrumentationScope("opsconsole.native", null),
            });
        }

        return errors.Count > 0 ? (TelemetryBatch.Empty, errors) : (new TelemetryBatch { Logs = logs }, errors);
    }

    public (TelemetryBatch Batch, Dictionary<string, string[]> Errors) Decode(HealthChecksRequest request, string tenantId)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CheckCount(request.Checks, "checks", errors))
        {
            return (TelemetryBatch.Empty, errors);
        }

        var results = new List<HealthCheckResult>(request.Checks!.Count);
        for (var i = 0; i < request.Checks.Count; i++)
        {
            var c = request.Checks[i];
            var at = $"checks[{i}]";
            if (string.IsNullOrWhiteSpace(c.Service) || c.Service.Length > 200)
            {
                errors[$"{at}.service"] = ["service is required (at most 200 characters)."];
            }

            if (c.Check is { Length: > 200 })
            {
                errors[$"{at}.check"] = ["check must be at most 200 characters."];
            }

            HealthStatus status = HealthStatus.Healthy;
            if (c.Status is null || !Enum.TryParse(c.Status, ignoreCase: true, out status) || int.TryParse(c.Status, out _))
            {
                errors[$"{at}.status"] = ["status must be healthy, degraded or unhealthy."];
            }

            if (c.DurationMs is < 0)
            {
                errors[$"{at}.durationMs"] = ["durationMs cannot be negative."];
            }

            if (!TryTime(c.Timestamp, out var nanos, out var timeError))
            {
                errors[$"{at}.timestamp"] = [timeError];
            }

            if (errors.Count == 0)
            {
                var message = c.Message is { Length: > 2000 } ? c.Message[..2000] : c.Message;
                results.Add(new HealthCheckResult(tenantId, c.Service!.Trim(), string.IsNullOrWhiteSpace(c.Check) ? "default" : c.Check.Trim(),
                    status, message, c.DurationMs, (long)(nanos / 1_000_000)));
            }
        }

        return errors.Count > 0 ? (TelemetryBatch.Empty, errors) : (new TelemetryBatch { HealthChecks = results }, errors);
    }

    private static int SeverityNumberOf(string level) => level.Trim().ToLowerInvariant() switch
    {
        "trace" => 1,
        "debug" => 5,
        "info" or "information" => 9,
        "warn" or "warning" => 13,
        "error" => 17,
        "fatal" or "critical" => 21,
        _ => 0,
    };

    private static bool CheckCount<T>(List<T>? items, string field, Dictionary<string, string[]> errors)
    {
        if (items is null || items.Count == 0)
        {
            errors[field] = [$"'{field}' must be a non-empty array."];
            return false;
        }

        if (items.Count > MaxItemsPerRequest)
        {
            errors[field] = [$"At most {MaxItemsPerRequest} {field} per request; split the batch."];
            return false;
        }

        return true;
    }

    private List<Domain.Telemetry.Attribute> Attributes(Dictionary<string, JsonElement>? values, string at, Dictionary<string, string[]> errors)
    {
        if (values is null || values.Count == 0)
        {
            return [];
        }

        if (values.Count > limits.MaxAttributesPerItem)
        {
            errors[at] = [$"At most {limits.MaxAttributesPerItem} attributes."];
            return [];
        }

        var list = new List<Domain.Telemetry.Attribute>(values.Count);
        foreach (var (k, v) in values)
        {
            var value = ToValue(v);
            if (value is null)
            {
                errors[$"{at}.{k}"] = ["Attribute values must be strings, numbers, booleans or arrays of those."];
                continue;
            }

            list.Add(new Domain.Telemetry.Attribute(k, value));
        }

        return list;
    }

    private static AttributeValue? ToValue(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => AttributeValue.Of(v.GetString()!),
        JsonValueKind.True => AttributeValue.Of(true),
        JsonValueKind.False => AttributeValue.Of(false),
        JsonValueKind.Number => v.TryGetInt64(out var l) ? AttributeValue.Of(l) : AttributeValue.Of(v.GetDouble()),
        JsonValueKind.Array => v.EnumerateArray().Select(ToValue).ToList() is var items && items.All(i => i is not null)
            ? AttributeValue.Of(items!.Cast<AttributeValue>().ToList())
            : null,
        _ => null,
    };

    /// <summary>Reads an RFC 3339 string or Unix milliseconds into Unix nanoseconds; absent means now.</summary>
    private bool TryTime(JsonElement? value, out ulong unixNano, out string error)
    {
        error = "";
        unixNano = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        if (value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return true;
        }

        var v = value.Value;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var ms) && ms >= 0)
        {
            unixNano = (ulong)ms * 1_000_000;
            return true;
        }

        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto)
            && dto.ToUnixTimeMilliseconds() >= 0)
        {
            unixNano = (ulong)(dto.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
            return true;
        }

        error = "Use an RFC 3339 time such as \"2026-11-22T09:30:00Z\" or Unix milliseconds.";
        return false;
    }
}

/// <summary>Prometheus's rules for metric and label names.</summary>
public static class PrometheusNames
{
    public static bool IsValidMetricName(string? name) =>
        !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    public static bool IsValidLabelName(string? name) =>
        !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
