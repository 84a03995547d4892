namespace OpsConsole.Data.Entities;

/// <summary>
/// One usage amount of a tenant in one UTC hour. <see cref="Source"/> says who wrote it: <see cref="UsageSources.Computed"/>
/// for amounts worked out again from stored data (each recomputation replaces them), or a console process's instance id for
/// amounts only that process could count (request bytes, quota rejections, running time), written as that process's
/// absolute total so a rewrite never adds twice. An hour's amount is the sum over sources.
/// </summary>
public sealed class UsageRollupRow
{
    public required string TenantId { get; set; }

    /// <summary>The start of the UTC hour, Unix milliseconds.</summary>
    public long HourStartMs { get; set; }

    public required string Kind { get; set; }

    public required string Source { get; set; }

    public double Value { get; set; }

    /// <summary>When the amount was last written, Unix milliseconds.</summary>
    public long UpdatedAtMs { get; set; }
}

/// <summary>The fixed values of <see cref="UsageRollupRow.Source"/> and <see cref="UsageRollupRow.TenantId"/>.</summary>
public static class UsageSources
{
    /// <summary>Amounts computed from stored data.</summary>
    public const string Computed = "computed";

    /// <summary>The tenant id of rows about the console itself (its running time per hour).</summary>
    public const string ConsoleTenant = "*";
}
