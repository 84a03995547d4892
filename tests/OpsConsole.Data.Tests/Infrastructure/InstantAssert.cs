namespace OpsConsole.Data.Tests.Infrastructure;

/// <summary>Compares stored times at millisecond precision: SQLite keeps unix milliseconds, PostgreSQL microseconds.</summary>
public static class InstantAssert
{
    public static void Equal(DateTimeOffset expected, DateTimeOffset? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.ToUnixTimeMilliseconds(), actual.Value.ToUnixTimeMilliseconds());
    }
}
