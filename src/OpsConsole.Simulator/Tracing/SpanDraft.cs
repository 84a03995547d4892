using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Services;

namespace OpsConsole.Simulator.Tracing;

/// <summary>
/// A span of a simulated request, planned before it is emitted: times are offsets from the start of the trace, and a
/// cursor walks forward as work is spent and children are called. <see cref="TraceEmitter"/> turns the finished tree
/// into real activities (and log records) ending at the moment the request completed.
/// </summary>
internal sealed class SpanDraft
{
    private readonly SpanDraft? _parent;

    private SpanDraft(SimulatedService service, string name, ActivityKind kind, TimeSpan start, SpanDraft? parent)
    {
        Service = service;
        Name = name;
        Kind = kind;
        Start = start;
        Cursor = start;
        _parent = parent;
    }

    public SimulatedService Service { get; }

    public string Name { get; }

    public ActivityKind Kind { get; }

    public TimeSpan Start { get; }

    /// <summary>Where the span's own work has got to.</summary>
    public TimeSpan Cursor { get; private set; }

    public TimeSpan? End { get; private set; }

    public TimeSpan Duration => (End ?? Cursor) - Start;

    public List<KeyValuePair<string, object?>> Tags { get; } = [];

    public List<SpanDraft> Children { get; } = [];

    public List<LogDraft> Logs { get; } = [];

    public Failure? Failure { get; private set; }

    public static SpanDraft Root(SimulatedService service, string name, ActivityKind kind) => new(service, name, kind, TimeSpan.Zero, null);

    public SpanDraft Tag(string key, object? value)
    {
        Tags.Add(new(key, value));
        return this;
    }

    /// <summary>A span called from this one now (at the cursor), in the same or another service.</summary>
    public SpanDraft Child(SimulatedService service, string name, ActivityKind kind)
    {
        var child = new SpanDraft(service, name, kind, Cursor, this);
        Children.Add(child);
        return child;
    }

    /// <summary>A call from this service to a dependency (postgres, redis, vector-store, llm, kafka) taking <paramref name="duration"/>.</summary>
    public SpanDraft Call(string dependency, string operation, TimeSpan duration)
    {
        var call = Child(Service, operation, ActivityKind.Client).Tag("peer.service", dependency).Tag("server.address", dependency);
        call.Spend(duration);
        call.Finish();
        return call;
    }

    /// <summary>Work done by this span itself.</summary>
    public SpanDraft Spend(TimeSpan duration)
    {
        Cursor += duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        return this;
    }

    /// <summary>Ends the span at its cursor; the caller continues from there.</summary>
    public SpanDraft Finish()
    {
        End = Cursor;
        if (_parent is not null && _parent.Cursor < Cursor)
        {
            _parent.Cursor = Cursor;
        }

        return this;
    }

    public SpanDraft Fail(Failure failure)
    {
        Failure = failure;
        return this;
    }

    public SpanDraft Log(LogLevel level, string message, IReadOnlyList<KeyValuePair<string, object?>> attributes, Failure? failure = null)
    {
        Logs.Add(new LogDraft(Cursor, level, message, attributes, failure));
        return this;
    }
}

/// <summary>A log line written by a span's service while the span ran.</summary>
internal sealed record LogDraft(TimeSpan At, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Attributes, Failure? Failure);
