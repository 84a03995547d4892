using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Data.Configurations;

internal sealed class AlertConfiguration : IEntityTypeConfiguration<AlertEntity>
{
    public void Configure(EntityTypeBuilder<AlertEntity> b)
    {
        b.ToTable("alerts");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).HasMaxLength(32);
        b.Property(a => a.Fingerprint).HasMaxLength(16);
        b.Property(a => a.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.Property(a => a.Origin).HasMaxLength(16);
        b.Property(a => a.State).HasMaxLength(16);
        b.Property(a => a.RuleGroup).HasMaxLength(Repositories.RuleGroupRepository.MaxNameLength);
        b.Property(a => a.RuleKey).HasMaxLength(300);
        b.Property(a => a.GeneratorUrl).HasMaxLength(2000);
        b.Property(a => a.AcknowledgedBy).HasMaxLength(100);
        b.Property(a => a.ResolvedBy).HasMaxLength(100);
        b.HasIndex(a => a.State);
        b.HasIndex(a => a.Fingerprint);
        b.HasIndex(a => a.ResolvedAt);
    }
}

internal sealed class AlertHistoryConfiguration : IEntityTypeConfiguration<AlertHistoryEntity>
{
    public void Configure(EntityTypeBuilder<AlertHistoryEntity> b)
    {
        b.ToTable("alert_history");
        b.HasKey(h => h.Id);
        b.Property(h => h.Id).ValueGeneratedOnAdd();
        b.Property(h => h.AlertId).HasMaxLength(32);
        b.Property(h => h.Kind).HasMaxLength(32);
        b.Property(h => h.Actor).HasMaxLength(100);
        b.Property(h => h.State).HasMaxLength(16);
        b.HasIndex(h => new { h.AlertId, h.At });
    }
}

internal sealed class SilenceConfiguration : IEntityTypeConfiguration<SilenceEntity>
{
    public void Configure(EntityTypeBuilder<SilenceEntity> b)
    {
        b.ToTable("silences");
        b.HasKey(s => s.Id);
        b.Property(s => s.Id).HasMaxLength(36);
        b.Property(s => s.CreatedBy).HasMaxLength(200);
        b.HasIndex(s => s.EndsAt);
    }
}

internal sealed class NotificationGroupConfiguration : IEntityTypeConfiguration<NotificationGroupEntity>
{
    public void Configure(EntityTypeBuilder<NotificationGroupEntity> b)
    {
        b.ToTable("notification_groups");
        b.HasKey(g => g.GroupKey);
        b.Property(g => g.GroupKey).HasMaxLength(2000);
        b.Property(g => g.Route).HasMaxLength(100);
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDeliveryEntity>
{
    public void Configure(EntityTypeBuilder<NotificationDeliveryEntity> b)
    {
        b.ToTable("notification_deliveries");
        b.HasKey(d => d.Id);
        b.Property(d => d.Id).ValueGeneratedOnAdd();
        b.Property(d => d.GroupKey).HasMaxLength(2000);
        b.Property(d => d.Channel).HasMaxLength(100);
        b.Property(d => d.ChannelType).HasMaxLength(32);
        b.Property(d => d.Event).HasMaxLength(32);
        b.Property(d => d.Status).HasMaxLength(16);
        b.HasIndex(d => d.At);
    }
}
