namespace OpsConsole.Simulator.Traffic;

/// <summary>
/// The shape of a day's traffic: a cosine with its peak at <see cref="PeakHourUtc"/> and its trough twelve hours later,
/// where traffic falls to <see cref="TroughFraction"/> of the peak.
/// </summary>
internal static class DiurnalCurve
{
    public const double PeakHourUtc = 14;
    public const double TroughFraction = 0.15;

    /// <summary>The share of the peak rate at <paramref name="at"/>: 1 at 14:00 UTC, 0.15 at 02:00 UTC.</summary>
    public static double Factor(DateTimeOffset at)
    {
        var hour = at.UtcDateTime.TimeOfDay.TotalHours;
        var phase = 2 * Math.PI * (hour - PeakHourUtc) / 24;
        return TroughFraction + ((1 - TroughFraction) * (1 + Math.Cos(phase)) / 2);
    }

    /// <summary>The share of the UTC day's traffic that has already happened at <paramref name="at"/> (0 at midnight, 1 at the next).</summary>
    public static double ShareOfDaySoFar(DateTimeOffset at)
    {
        var hours = at.UtcDateTime.TimeOfDay.TotalHours;
        const double Wave = (1 - TroughFraction) / 2;
        static double Integral(double h) => ((TroughFraction + Wave) * h) + (Wave * 24 / (2 * Math.PI) * Math.Sin(2 * Math.PI * (h - PeakHourUtc) / 24));
        return (Integral(hours) - Integral(0)) / (Integral(24) - Integral(0));
    }
}
