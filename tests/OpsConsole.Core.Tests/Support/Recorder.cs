namespace OpsConsole.Core.Tests.Support;

/// <summary>A subscriber callback that records every value it is given, in order.</summary>
public sealed class Recorder<T>
{
    private readonly Lock _gate = new();
    private readonly List<T> _values = [];

    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_gate)
            {
                return [.. _values];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _values.Count;
            }
        }
    }

    public Task OnValueAsync(T value)
    {
        lock (_gate)
        {
            _values.Add(value);
        }

        return Task.CompletedTask;
    }

    public Task WaitForCountAsync(int count) =>
        Eventually.TrueAsync(() => Count >= count, $"{count} value(s) were delivered (so far: [{string.Join(", ", Values)}])");

    public Task WaitForAsync(T value) =>
        Eventually.TrueAsync(() => Values.Contains(value), $"'{value}' was delivered (so far: [{string.Join(", ", Values)}])");
}
