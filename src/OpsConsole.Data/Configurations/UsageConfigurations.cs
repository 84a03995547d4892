using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Data.Configurations;

internal sealed class UsageRollupRowConfiguration : IEntityTypeConfiguration<UsageRollupRow>
{
    public void Configure(EntityTypeBuilder<UsageRollupRow> b)
    {
        b.ToTable("usage_rollups");
        b.HasKey(u => new { u.TenantId, u.HourStartMs, u.Kind, u.Source });
        b.Property(u => u.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.Property(u => u.Kind).HasMaxLength(64);
        b.Property(u => u.Source).HasMaxLength(64);
        b.HasIndex(u => new { u.HourStartMs, u.Source });
    }
}
