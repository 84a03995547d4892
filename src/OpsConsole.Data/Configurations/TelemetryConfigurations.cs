using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Data.Configurations;

internal sealed class SpanRowConfiguration : IEntityTypeConfiguration<SpanRow>
{
    public void Configure(EntityTypeBuilder<SpanRow> b)
    {
        b.ToTable("telemetry_spans");
        b.HasKey(s => s.Id);
        b.Property(s => s.Id).ValueGeneratedOnAdd();
        b.Property(s => s.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.HasIndex(s => s.TraceId);
        b.HasIndex(s => new { s.TenantId, s.StartUnixNano });
        b.HasIndex(s => new { s.ServiceName, s.StartUnixNano });
    }
}

internal sealed class LogRowConfiguration : IEntityTypeConfiguration<LogRow>
{
    public void Configure(EntityTypeBuilder<LogRow> b)
    {
        b.ToTable("telemetry_logs");
        b.HasKey(l => l.Id);
        b.Property(l => l.Id).ValueGeneratedOnAdd();
        b.Property(l => l.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.Property(l => l.Level).HasMaxLength(8);
        b.HasIndex(l => new { l.TenantId, l.TimeUnixNano });
        b.HasIndex(l => l.TraceId);
    }
}

internal sealed class SeriesRowConfiguration : IEntityTypeConfiguration<SeriesRow>
{
    public void Configure(EntityTypeBuilder<SeriesRow> b)
    {
        b.ToTable("metric_series");
        b.HasKey(s => new { s.TenantId, s.Fingerprint });
        b.Property(s => s.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.HasIndex(s => s.MetricName);
    }
}

internal sealed class SampleRowConfiguration : IEntityTypeConfiguration<SampleRow>
{
    public void Configure(EntityTypeBuilder<SampleRow> b)
    {
        b.ToTable("metric_samples");
        b.HasKey(s => new { s.TenantId, s.Fingerprint, s.TimestampMs });
        b.Property(s => s.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.HasIndex(s => s.TimestampMs);
    }
}

internal sealed class MetricMetadataRowConfiguration : IEntityTypeConfiguration<MetricMetadataRow>
{
    public void Configure(EntityTypeBuilder<MetricMetadataRow> b)
    {
        b.ToTable("metric_metadata");
        b.HasKey(m => m.Name);
    }
}

internal sealed class HealthCheckRowConfiguration : IEntityTypeConfiguration<HealthCheckRow>
{
    public void Configure(EntityTypeBuilder<HealthCheckRow> b)
    {
        b.ToTable("health_check_results");
        b.HasKey(h => h.Id);
        b.Property(h => h.Id).ValueGeneratedOnAdd();
        b.Property(h => h.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.Property(h => h.Service).HasMaxLength(200);
        b.Property(h => h.Check).HasMaxLength(200);
        b.Property(h => h.Message).HasMaxLength(2000);
        b.HasIndex(h => new { h.TenantId, h.Service, h.TimestampMs });
    }
}
