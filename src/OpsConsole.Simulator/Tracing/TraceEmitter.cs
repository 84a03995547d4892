using System.Diagnostics;

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
        var origin = end - (root.End ?? root.Cursor);
        var outer = Activity.Current;
        Activity.Current = null;
        try
        {
            Emit(root, origin, default, null);
        }
        finally
        {
            Activity.Current = outer;
        }
    }

    private static void Emit(SpanDraft span, DateTimeOffset origin, ActivityContext parent, SpanDraft? parentSpan)
    {
        var context = parentSpan is not null && parentSpan.Service != span.Service
            ? new ActivityContext(parent.TraceId, parent.SpanId, parent.TraceFlags, parent.TraceState, isRemote: true)
            : parent;
        using var activity = span.Service.Telemetry.Source.StartActivity(span.Name, span.Kind, context, span.Tags, startTime: origin + span.Start);
        var end = origin + (span.End ?? span.Cursor);
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
            Write(span, log, origin + log.At);
        }

        var childParent = activity?.Context ?? parent;
        foreach (var child in span.Children)
        {
            Emit(child, origin, childParent, span);
        }

        activity?.SetEndTime(end.UtcDateTime);
    }

    private static void Write(SpanDraft span, LogDraft log, DateTimeOffset at)
    {
        var logger = span.Service.Telemetry.Logger;
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
