namespace OpsConsole.Data.Entities;

/// <summary>
/// A dashboard's current version (dashboards are global, not per tenant). <see cref="Provisioned"/> when a file in the
/// dashboards folder defines it; <see cref="Edited"/> once an administrator saved a version of a provisioned one (from
/// then on the database wins over the file until it is reset to the provisioned file).
/// </summary>
public sealed class DashboardEntity
{
    public required string Uid { get; set; }

    public required string Title { get; set; }

    /// <summary>The dashboard document as the console writes it (validated before it is stored).</summary>
    public required string Json { get; set; }

    /// <summary>1 for the first version, one more for each save.</summary>
    public int Version { get; set; }

    public bool Provisioned { get; set; }

    /// <summary>The provisioning file name (when <see cref="Provisioned"/>).</summary>
    public string? File { get; set; }

    public bool Edited { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One saved version of a dashboard (every version is kept until the dashboard is deleted).</summary>
public sealed class DashboardVersionEntity
{
    public required string Uid { get; set; }

    public int Version { get; set; }

    public required string Json { get; set; }

    public required string SavedBy { get; set; }

    public DateTimeOffset SavedAt { get; set; }

    public string? Message { get; set; }
}
