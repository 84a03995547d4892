using System.Collections;

namespace OpsConsole.Simulator.Tracing;

/// <summary>
/// A structured log line as the OpenTelemetry logger reads it: the attributes, the exception fields of a failure,
/// and the message as <c>{OriginalFormat}</c> so that it becomes the record's body.
/// </summary>
internal sealed class LogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _items;

    public LogState(string message, IReadOnlyList<KeyValuePair<string, object?>> attributes, Failure? failure)
    {
        Message = message;
        _items = new List<KeyValuePair<string, object?>>(attributes.Count + 4);
        _items.AddRange(attributes);
        if (failure is not null)
        {
            _items.Add(new("exception.type", failure.Type));
            _items.Add(new("exception.message", failure.Message));
            _items.Add(new("exception.stacktrace", failure.StackTrace));
        }

        _items.Add(new("{OriginalFormat}", message));
    }

    public string Message { get; }

    public int Count => _items.Count;

    public KeyValuePair<string, object?> this[int index] => _items[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
