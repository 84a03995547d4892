using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;

namespace OpsConsole.Data.Configurations;

internal sealed class AlertingConfigVersionConfiguration : IEntityTypeConfiguration<AlertingConfigVersionEntity>
{
    public void Configure(EntityTypeBuilder<AlertingConfigVersionEntity> b)
    {
        b.ToTable("alerting_config_versions");
        b.HasKey(v => v.Version);
        b.Property(v => v.Version).ValueGeneratedNever();
        b.Property(v => v.CreatedBy).HasMaxLength(100);
    }
}
