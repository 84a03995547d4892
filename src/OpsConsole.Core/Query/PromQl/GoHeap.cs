namespace OpsConsole.Core.Query.PromQl;

/// <summary>
/// Go's <c>container/heap</c> (push = append and sift up, pop = swap root with last, sift down, remove last) over a
/// list with a "less" function: topk/bottomk must sift exactly as Prometheus does, or ties keep different samples.
/// </summary>
internal static class GoHeap
{
    public static void Push<T>(List<T> heap, T item, Func<T, T, bool> less)
    {
        heap.Add(item);
        var j = heap.Count - 1;
        while (true)
        {
            var parent = (j - 1) / 2;
            if (parent == j || !less(heap[j], heap[parent]))
            {
                break;
            }

            (heap[parent], heap[j]) = (heap[j], heap[parent]);
            j = parent;
        }
    }

    public static T Pop<T>(List<T> heap, Func<T, T, bool> less)
    {
        var n = heap.Count - 1;
        (heap[0], heap[n]) = (heap[n], heap[0]);
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && less(heap[child + 1], heap[child]))
            {
                child++;
            }

            if (!less(heap[child], heap[i]))
            {
                break;
            }

            (heap[i], heap[child]) = (heap[child], heap[i]);
            i = child;
        }

        var last = heap[n];
        heap.RemoveAt(n);
        return last;
    }
}
