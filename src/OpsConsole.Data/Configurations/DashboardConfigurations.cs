using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;

namespace OpsConsole.Data.Configurations;

internal sealed class DashboardConfiguration : IEntityTypeConfiguration<DashboardEntity>
{
    public void Configure(EntityTypeBuilder<DashboardEntity> b)
    {
        b.ToTable("dashboards");
        b.HasKey(d => d.Uid);
        b.Property(d => d.Uid).HasMaxLength(DashboardRepository.MaxUidLength);
        b.Property(d => d.Title).HasMaxLength(DashboardRepository.MaxTitleLength);
        b.Property(d => d.File).HasMaxLength(500);
        b.Property(d => d.UpdatedBy).HasMaxLength(100);
    }
}

internal sealed class DashboardVersionConfiguration : IEntityTypeConfiguration<DashboardVersionEntity>
{
    public void Configure(EntityTypeBuilder<DashboardVersionEntity> b)
    {
        b.ToTable("dashboard_versions");
        b.HasKey(v => new { v.Uid, v.Version }); // two saves over the same version cannot both land
        b.Property(v => v.Uid).HasMaxLength(DashboardRepository.MaxUidLength);
        b.Property(v => v.SavedBy).HasMaxLength(100);
        b.Property(v => v.Message).HasMaxLength(DashboardRepository.MaxMessageLength);
    }
}
