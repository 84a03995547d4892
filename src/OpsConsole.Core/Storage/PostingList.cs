using System.Runtime.CompilerServices;

namespace OpsConsole.Core.Storage;

/// <summary>
/// An ascending list of item numbers (log records of a segment, series ids) for one term, field value or label value.
/// A struct so that it lives inside its dictionary entry; mutate it through
/// <c>CollectionsMarshal.GetValueRefOrAddDefault</c>. Adding a number equal to the last one is a no-op, so a term
/// repeated in one log line is posted once.
/// </summary>
internal struct PostingList
{
    /// <summary>Trimming a list releases at least this much, else it keeps its slack (a copy of a short list would cost
    /// more than it saves).</summary>
    public const int MinimumTrimBytes = 64;

    private int[]? _items;
    private int _count;

    public readonly int Count => _count;

    public readonly ReadOnlySpan<int> Items => _items is null ? default : _items.AsSpan(0, _count);

    /// <summary>The items as memory (valid until the list next grows).</summary>
    public readonly ReadOnlyMemory<int> Memory => _items is null ? default : _items.AsMemory(0, _count);

    /// <summary>Approximate bytes held by the list's array.</summary>
    public readonly int EstimatedBytes => _items is null ? 0 : 24 + (_items.Length * 4);

    /// <summary>Appends <paramref name="item"/>, which must not be smaller than the last item. Returns the bytes newly allocated.</summary>
    public int Add(int item)
    {
        if (_count > 0 && _items![_count - 1] == item)
        {
            return 0;
        }

        var grown = 0;
        if (_items is null || _count == _items.Length)
        {
            var capacity = _items is null ? 2 : _items.Length * 2;
            var next = new int[capacity];
            _items?.AsSpan(0, _count).CopyTo(next);
            grown = (capacity - (_items?.Length ?? 0)) * 4 + (_items is null ? 24 : 0);
            _items = next;
        }

        _items[_count++] = item;
        return grown;
    }

    /// <summary>Removes <paramref name="item"/> if present.</summary>
    public bool Remove(int item)
    {
        var index = Items.BinarySearch(item);
        if (index < 0)
        {
            return false;
        }

        _items.AsSpan(index + 1, _count - index - 1).CopyTo(_items.AsSpan(index));
        _count--;
        return true;
    }

    /// <summary>Removes every item for which <paramref name="remove"/> is true, keeping the order.</summary>
    public void RemoveWhere(Func<int, bool> remove)
    {
        var kept = 0;
        for (var i = 0; i < _count; i++)
        {
            var item = _items![i];
            if (!remove(item))
            {
                _items[kept++] = item;
            }
        }

        _count = kept;
    }

    /// <summary>Replaces each item <c>i</c> by <c>map[i]</c> and sorts (used when a log segment is re-ordered by time).</summary>
    public readonly void Remap(int[] map)
    {
        if (_items is null)
        {
            return;
        }

        var span = _items.AsSpan(0, _count);
        var ascending = true;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = map[span[i]];
            ascending &= i == 0 || span[i] > span[i - 1];
        }

        if (!ascending)
        {
            span.Sort();
        }
    }

    /// <summary>Shrinks the array to the item count (when a segment is sealed) unless that would release fewer than
    /// <see cref="MinimumTrimBytes"/>. Returns the bytes released.</summary>
    public int Trim()
    {
        if (_items is null || (_items.Length - _count) * 4 < MinimumTrimBytes)
        {
            return 0;
        }

        var released = (_items.Length - _count) * 4;
        _items = _items.AsSpan(0, _count).ToArray();
        return released;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Contains(int item) => Items.BinarySearch(item) >= 0;
}
