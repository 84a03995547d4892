using System.Diagnostics;
using OpsConsole.Simulator.Services;

namespace OpsConsole.Simulator.Tracing;

/// <summary>
/// Emits a planned request as real activities through each service's own ActivitySource (so each service's tracer
/// provider exports it with its own resource), back-dated so that the request ends at the given moment. Calls into
/// another service carry the caller's context as a remote parent, as propagation over HTTP would.
/// </summary>
internal static class TraceEmitter
{
    public static void Emit(SpanDraft root, DateTimeOffset end)
    {
        if (!root.Service.Telemetry.IsExporting)
        {
            return;
        }

        var origin = end - (root.End ?? root.Cursor);
        var outer = Activity.Current;
        Activity.Current = null;
        try
        {
            Emit(root, origin, default, null, null);
        }
        finally
        {
            Activity.Current = outer;
        }
    }

    /// <summary>Emits <paramref name="span"/> and its children; the request's tenant is the nearest <c>tenant.id</c> tag up the tree.</summary>
    private static void Emit(SpanDraft span, DateTimeOffset origin, ActivityContext parent, SpanDraft? parentSpan, string? tenant)
    {
        tenant = span.Tags.Find(t => t.Key == "tenant.id").Value as string ?? tenant;
        var context = parentSpan is not null && parentSpan.Service != span.Service
            ? new ActivityContext(parent.TraceId, parent.SpanId, parent.TraceFlags, parent.TraceState, isRemote: true)
            : parent;
        using var activity = span.Service.Telemetry.Source.StartActivity(span.Name, span.Kind, context, span.Tags, startTime: origin + span.Start);
        var end = origin + (span.End ?? span.Cursor);
        if (activity is not null)
        {
            ServiceTelemetry.BelongsTo(activity, tenant);
        }

        if (activity is not null && span.Failure is { } failure)
        {
            activity.AddEvent(new ActivityEvent("exception", end, new ActivityTagsCollection
            {
                ["exception.type"] = failure.Type,
                ["exception.message"] = failure.Message,
                ["exception.stacktrace"] = failure.StackTrace,
            }));
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        }

        foreach (var log in span.Logs)
        {
            Write(span, log, origin + log.At, tenant);
        }

        var childParent = activity?.Context ?? parent;
        foreach (var child in span.Children)
        {
            Emit(child, origin, childParent, span, tenant);
        }

        activity?.SetEndTime(end.UtcDateTime);
    }

    private static void Write(SpanDraft span, LogDraft log, DateTimeOffset at, string? tenant)
    {
        var logger = span.Service.Telemetry.LoggerFor(tenant);
        if (!logger.IsEnabled(log.Level))
        {
            return;
        }

        var state = new LogState(log.Message, log.Attributes, log.Failure);
        using (SimulatedLogTime.At(at))
        {
            logger.Log(log.Level, default, state, null, static (s, _) => s.Message);
        }
    }
}
