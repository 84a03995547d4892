namespace OpsConsole.Core.Storage.Series;

/// <summary>
/// What happened to appended samples: stored, or rejected as in Prometheus — older than the series' newest sample
/// (out of order), the same timestamp with a different value (duplicate), or older than the retention window
/// (too old). A repeat of the newest sample with the very same value is accepted and stored once.
/// </summary>
public readonly record struct SeriesAppendResult(int Appended, int OutOfOrder, int Duplicates, int TooOld)
{
    public int Rejected => OutOfOrder + Duplicates + TooOld;

    public static SeriesAppendResult operator +(SeriesAppendResult a, SeriesAppendResult b) =>
        new(a.Appended + b.Appended, a.OutOfOrder + b.OutOfOrder, a.Duplicates + b.Duplicates, a.TooOld + b.TooOld);
}
