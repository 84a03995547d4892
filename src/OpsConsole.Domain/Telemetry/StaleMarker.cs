namespace OpsConsole.Domain.Telemetry;

/// <summary>
/// Prometheus's staleness marker: a sample whose value is a NaN with the exact bit pattern
/// <see cref="StaleNaNBits"/> says "this series ended here" (its target stopped exposing it, failed, or was removed).
/// It is not an ordinary NaN that a target exposed: compare bits with <see cref="IsStaleNaN"/>, never with
/// <see cref="double.IsNaN"/> alone. Arithmetic on it may change the bits, so stores copy it as is, and a database
/// that cannot keep a NaN payload (SQLite stores NaN as NULL) must keep the marker some other way.
/// </summary>
public static class StaleMarker
{
    /// <summary>The bit pattern of Prometheus's <c>value.StaleNaN</c>.</summary>
    public const ulong StaleNaNBits = 0x7ff0000000000002;

    /// <summary>The marker value itself.</summary>
    public static readonly double StaleNaN = BitConverter.UInt64BitsToDouble(StaleNaNBits);

    public static bool IsStaleNaN(double value) => BitConverter.DoubleToUInt64Bits(value) == StaleNaNBits;
}
