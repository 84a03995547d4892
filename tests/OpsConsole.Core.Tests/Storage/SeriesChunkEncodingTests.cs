using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Storage;

/// <summary>Samples read back bit for bit as appended, whatever the values and spacing (through whole and open chunks).</summary>
public sealed class SeriesChunkEncodingTests
{
    private const long BaseMs = 1_700_000_000_000;

    private static readonly ulong StaleMarkerBits = 0x7ff0000000000002;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(BaseMs + 10_000_000));

    private SeriesStore NewStore() => new(new StoreLimits(TimeSpan.FromDays(30), long.MaxValue), _time);

    private static void AssertBitExact(IReadOnlyList<(long T, double V)> expected, IReadOnlyList<Sample> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].T, actual[i].TimestampMs);
            Assert.True(
                BitConverter.DoubleToUInt64Bits(expected[i].V) == BitConverter.DoubleToUInt64Bits(actual[i].Value),
                $"sample {i}: expected bits {BitConverter.DoubleToUInt64Bits(expected[i].V):x16}, got {BitConverter.DoubleToUInt64Bits(actual[i].Value):x16}");
        }
    }

    private static IReadOnlyList<Sample> RoundTrip(SeriesStore store, IReadOnlyList<(long T, double V)> samples)
    {
        var labels = LabelSet.From(("__name__", "roundtrip"));
        foreach (var (t, v) in samples)
        {
            Assert.Equal(1, store.Append("acme", labels, t, v).Appended);
        }

        return Assert.Single(store.Select("acme", [], long.MinValue, long.MaxValue)).ToList();
    }

    [Fact]
    public void Select_SpecialValues_ReadBackBitExact()
    {
        // Arrange
        double[] values =
        [
            0.0, -0.0, 1.0, -1.0, double.NaN, BitConverter.UInt64BitsToDouble(StaleMarkerBits), double.PositiveInfinity,
            double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 1e-300, 1e300,
            123456789.123456789, -0.000001, 42, 42, 42, BitConverter.UInt64BitsToDouble(StaleMarkerBits), 7.5,
        ];
        var samples = values.Select((v, i) => (BaseMs + (i * 15_000L), v)).ToList();

        // Act
        var read = RoundTrip(NewStore(), samples);

        // Assert
        AssertBitExact(samples, read);
        Assert.Equal(StaleMarkerBits, BitConverter.DoubleToUInt64Bits(read[5].Value));
    }

    [Fact]
    public void Select_IrregularTimestampsAcrossManyChunks_ReadBackExactly()
    {
        // Arrange: every delta-of-delta bucket (0, 14, 17, 20 and 64 bits), including huge jumps, over 5 chunks.
        var random = new Random(7);
        var samples = new List<(long, double)>();
        var t = BaseMs;
        long[] jumps = [1, 15_000, 15_000, 15_003, 14_990, 8_000, 70_000, 600_000, 1_000_000, 86_400_000, 1, 2, 5_000_000_000];
        for (var i = 0; i < 600; i++)
        {
            t += jumps[i % jumps.Length] + random.Next(0, 3);
            var v = (i % 4) switch
            {
                0 => random.NextDouble() * 1e6,
                1 => -random.Next(1000),
                2 => i,
                _ => Math.Round(random.NextDouble(), 3),
            };
            samples.Add((t, v));
        }

        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(36_500), long.MaxValue), _time);

        // Act
        var read = RoundTrip(store, samples);

        // Assert
        AssertBitExact(samples, read);
    }

    [Fact]
    public void Select_NegativeAndPreEpochTimestamps_ReadBackExactly()
    {
        // Arrange
        var store = new SeriesStore(new StoreLimits(TimeSpan.FromDays(365_000), long.MaxValue), _time);
        List<(long, double)> samples = [(-5_000_000, 1), (-1, 2), (0, 3), (1, 4), (250, -5)];

        // Act
        var read = RoundTrip(store, samples);

        // Assert
        AssertBitExact(samples, read);
    }

    [Fact]
    public void Select_RandomBitPatterns_ReadBackBitExact()
    {
        // Arrange: arbitrary 64-bit patterns exercise every leading/trailing-zero window, including 64 significant bits.
        var random = new Random(11);
        var samples = new List<(long, double)>();
        for (var i = 0; i < 500; i++)
        {
            var bits = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 33);
            if (i % 17 == 0)
            {
                bits = 1UL << random.Next(64);
            }

            samples.Add((BaseMs + (i * 1000L), BitConverter.UInt64BitsToDouble(bits)));
        }

        // Act
        var read = RoundTrip(NewStore(), samples);

        // Assert
        AssertBitExact(samples, read);
    }

    [Fact]
    public void SampleCursor_Seek_LandsOnFirstSampleAtOrAfterTarget()
    {
        // Arrange
        var store = NewStore();
        var labels = LabelSet.From(("__name__", "seek"));
        for (var i = 0; i < 1000; i++)
        {
            store.Append("acme", labels, BaseMs + (i * 10_000L), i);
        }

        var cursor = Assert.Single(store.Select("acme", [], long.MinValue, long.MaxValue)).Samples();

        // Act
        var found = cursor.Seek(BaseMs + 5_000_005);
        var first = cursor.Current;
        var stays = cursor.Seek(BaseMs);
        var next = cursor.MoveNext() ? cursor.Current : default;
        var pastEnd = cursor.Seek(BaseMs + 20_000_000);

        // Assert
        Assert.True(found);
        Assert.Equal(new Sample(BaseMs + 5_010_000, 501), first);
        Assert.True(stays);
        Assert.Equal(new Sample(BaseMs + 5_020_000, 502), next);
        Assert.False(pastEnd);
    }
}
