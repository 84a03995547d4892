using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;

namespace OpsConsole.Data.Configurations;

internal sealed class RuleGroupConfiguration : IEntityTypeConfiguration<RuleGroupEntity>
{
    public void Configure(EntityTypeBuilder<RuleGroupEntity> b)
    {
        b.ToTable("rule_groups");
        b.HasKey(g => g.Name);
        b.Property(g => g.Name).HasMaxLength(RuleGroupRepository.MaxNameLength);
        b.Property(g => g.Source).HasMaxLength(16);
        b.Property(g => g.File).HasMaxLength(500);
        b.Property(g => g.UpdatedBy).HasMaxLength(100);
        b.HasIndex(g => g.Source);
    }
}
