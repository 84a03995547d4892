using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data;

/// <summary>
/// The console's relational store. Each provider has its own subclass so that each has its own migrations set
/// (<see cref="SqliteOpsDbContext"/>, <see cref="PostgresOpsDbContext"/>); code uses this base type only.
/// </summary>
public abstract class OpsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<TenantEntity> Tenants => Set<TenantEntity>();
    public DbSet<RoleEntity> Roles => Set<RoleEntity>();
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<ApiKeyEntity> ApiKeys => Set<ApiKeyEntity>();
    public DbSet<AuditLogEntryEntity> AuditLog => Set<AuditLogEntryEntity>();
    public DbSet<SpanRow> Spans => Set<SpanRow>();
    public DbSet<LogRow> Logs => Set<LogRow>();
    public DbSet<SeriesRow> Series => Set<SeriesRow>();
    public DbSet<SampleRow> Samples => Set<SampleRow>();
    public DbSet<MetricMetadataRow> MetricMetadata => Set<MetricMetadataRow>();
    public DbSet<HealthCheckRow> HealthChecks => Set<HealthCheckRow>();
    public DbSet<RuleGroupEntity> RuleGroups => Set<RuleGroupEntity>();
    public DbSet<DashboardEntity> Dashboards => Set<DashboardEntity>();
    public DbSet<DashboardVersionEntity> DashboardVersions => Set<DashboardVersionEntity>();
    public DbSet<AlertEntity> Alerts => Set<AlertEntity>();
    public DbSet<AlertHistoryEntity> AlertHistory => Set<AlertHistoryEntity>();
    public DbSet<SilenceEntity> Silences => Set<SilenceEntity>();
    public DbSet<NotificationGroupEntity> NotificationGroups => Set<NotificationGroupEntity>();
    public DbSet<NotificationDeliveryEntity> NotificationDeliveries => Set<NotificationDeliveryEntity>();
    public DbSet<AlertingConfigVersionEntity> AlertingConfigVersions => Set<AlertingConfigVersionEntity>();
    public DbSet<UsageRollupRow> UsageRollups => Set<UsageRollupRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OpsDbContext).Assembly);
}

/// <summary>SQLite, the embedded default. Times are stored as UTC unix milliseconds so they sort and compare in SQL.</summary>
public sealed class SqliteOpsDbContext(DbContextOptions<SqliteOpsDbContext> options) : OpsDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}

/// <summary>
/// PostgreSQL (Npgsql) for production and several replicas. Npgsql writes <c>timestamp with time zone</c> only from
/// UTC values and throws for any other offset, so times are converted to UTC on the way in (the same instant; SQLite
/// stores the instant too), whether they are saved or used as query parameters.
/// </summary>
public sealed class PostgresOpsDbContext(DbContextOptions<PostgresOpsDbContext> options) : OpsDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        v => v.ToUniversalTime(),
        v => v);
}
