using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using DomainSpan = OpsConsole.Domain.Telemetry.Span;
using OtlpSpan = OpsConsole.Ingest.Otlp.Proto.Trace.Span;
using OtlpStatusCode = OpsConsole.Ingest.Otlp.Proto.Trace.Status.Types.StatusCode;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// OTLP spans to domain <see cref="DomainSpan"/>s. A span with an invalid trace id (not 16 bytes, or all zero),
/// span id (not 8 bytes, or all zero), parent span id (neither empty nor 8 bytes) or link id is rejected on its
/// own and counted; the rest of the request goes on.
/// </summary>
internal static class OtlpTraceMapper
{
    public static TelemetryBatch Map(ExportTraceServiceRequest request, IngestContext context, IngestLimits limits, IntakeReport report)
    {
        var total = 0;
        foreach (var rs in request.ResourceSpans)
        {
            foreach (var ss in rs.ScopeSpans)
            {
                total += ss.Spans.Count;
            }
        }

        if (total == 0)
        {
            return TelemetryBatch.Empty;
        }

        var spans = new List<DomainSpan>(total);
        var maxAttributes = limits.MaxAttributesPerItem;
        foreach (var rs in request.ResourceSpans)
        {
            var resource = OtlpAttributes.ToResource(rs.Resource, maxAttributes, report);
            if (!context.TryResolveTenant(resource, out var tenantId, out var tenantError))
            {
                var count = 0;
                foreach (var ss in rs.ScopeSpans)
                {
                    count += ss.Spans.Count;
                }

                report.Reject(count, tenantError);
                continue;
            }

            foreach (var ss in rs.ScopeSpans)
            {
                var scope = OtlpAttributes.ToScope(ss.Scope);
                foreach (var span in ss.Spans)
                {
                    var mapped = MapSpan(span, tenantId, resource, scope, maxAttributes, report);
                    if (mapped is not null)
                    {
                        spans.Add(mapped);
                    }
                }
            }
        }

        return new TelemetryBatch { Spans = spans };
    }

    private static DomainSpan? MapSpan(OtlpSpan span, string tenantId, TelemetryResource resource, InstrumentationScope scope, int maxAttributes, IntakeReport report)
    {
        if (!OtlpIds.TryTraceId(span.TraceId, out var traceId, out var error)
            || !OtlpIds.TrySpanId(span.SpanId, out var spanId, out error)
            || !OtlpIds.TryOptionalSpanId(span.ParentSpanId, "parent span id", out var parentId, out error))
        {
            report.Reject(report.WantsDetail ? $"span '{span.Name}': {error}" : null);
            return null;
        }

        IReadOnlyList<SpanLink> links = [];
        if (span.Links.Count > 0)
        {
            var mappedLinks = new SpanLink[span.Links.Count];
            for (var i = 0; i < mappedLinks.Length; i++)
            {
                var link = span.Links[i];
                if (!OtlpIds.TryTraceId(link.TraceId, out var linkTrace, out error) || !OtlpIds.TrySpanId(link.SpanId, out var linkSpan, out error))
                {
                    report.Reject(report.WantsDetail ? $"span '{span.Name}': link {i}: {error}" : null);
                    return null;
                }

                mappedLinks[i] = new SpanLink(linkTrace, linkSpan, NullIfEmpty(link.TraceState),
                    OtlpAttributes.ToAttributes(link.Attributes, maxAttributes, report));
            }

            links = mappedLinks;
        }

        IReadOnlyList<SpanEvent> events = [];
        if (span.Events.Count > 0)
        {
            var mappedEvents = new SpanEvent[span.Events.Count];
            for (var i = 0; i < mappedEvents.Length; i++)
            {
                var e = span.Events[i];
                mappedEvents[i] = new SpanEvent(e.Name, e.TimeUnixNano, OtlpAttributes.ToAttributes(e.Attributes, maxAttributes, report));
            }

            events = mappedEvents;
        }

        var kind = (int)span.Kind;
        var status = span.Status;
        var statusCode = status is null ? OtlpStatusCode.Unset : status.Code;
        return new DomainSpan
        {
            TenantId = tenantId,
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = parentId,
            TraceState = NullIfEmpty(span.TraceState),
            Name = span.Name,
            Kind = kind is >= 0 and <= (int)SpanKind.Consumer ? (SpanKind)kind : SpanKind.Unspecified,
            StartTimeUnixNano = span.StartTimeUnixNano,
            EndTimeUnixNano = span.EndTimeUnixNano,
            StatusCode = statusCode switch
            {
                OtlpStatusCode.Ok => SpanStatusCode.Ok,
                OtlpStatusCode.Error => SpanStatusCode.Error,
                _ => SpanStatusCode.Unset,
            },
            StatusMessage = status is null ? null : NullIfEmpty(status.Message),
            Attributes = OtlpAttributes.ToAttributes(span.Attributes, maxAttributes, report),
            Events = events,
            Links = links,
            Resource = resource,
            Scope = scope,
        };
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
