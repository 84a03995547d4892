using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Data.Configurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<TenantEntity>
{
    public void Configure(EntityTypeBuilder<TenantEntity> b)
    {
        b.ToTable("tenants");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).HasMaxLength(TenantIds.MaxLength);
        b.Property(t => t.DisplayName).HasMaxLength(200);
        b.Property(t => t.Plan).HasMaxLength(50);
    }
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<RoleEntity>
{
    public void Configure(EntityTypeBuilder<RoleEntity> b)
    {
        b.ToTable("roles");
        b.HasKey(r => r.Name);
        b.Property(r => r.Name).HasMaxLength(32);
        b.Property(r => r.Description).HasMaxLength(300);
        b.HasData(Roles.All.Select(r => new RoleEntity { Name = r.ToString(), Description = Roles.Describe(r) }));
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<UserEntity>
{
    public void Configure(EntityTypeBuilder<UserEntity> b)
    {
        b.ToTable("users");
        b.HasKey(u => u.Id);
        b.Property(u => u.UserName).HasMaxLength(100);
        b.Property(u => u.NormalizedUserName).HasMaxLength(100);
        b.HasIndex(u => u.NormalizedUserName).IsUnique();
        b.Property(u => u.DisplayName).HasMaxLength(200);
        b.Property(u => u.PasswordHash).HasMaxLength(500);
        b.Property(u => u.SecurityStamp).HasMaxLength(64);
        b.Property(u => u.RoleName).HasMaxLength(32);
        b.HasOne(u => u.Role).WithMany().HasForeignKey(u => u.RoleName).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(u => u.Tenant).WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKeyEntity>
{
    public void Configure(EntityTypeBuilder<ApiKeyEntity> b)
    {
        b.ToTable("api_keys");
        b.HasKey(k => k.Id);
        b.Property(k => k.Name).HasMaxLength(100);
        b.Property(k => k.Prefix).HasMaxLength(16);
        b.HasIndex(k => k.Prefix).IsUnique();
        b.Property(k => k.SecretHash).HasMaxLength(64);
        b.Property(k => k.ScopeKind).HasMaxLength(16);
        b.Property(k => k.RoleName).HasMaxLength(32);
        b.Property(k => k.CreatedBy).HasMaxLength(100);
        b.Property(k => k.RevokedBy).HasMaxLength(100);
        b.HasOne(k => k.Tenant).WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditLogEntryConfiguration : IEntityTypeConfiguration<AuditLogEntryEntity>
{
    public void Configure(EntityTypeBuilder<AuditLogEntryEntity> b)
    {
        b.ToTable("audit_log");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedOnAdd();
        b.Property(a => a.Actor).HasMaxLength(100);
        b.Property(a => a.Action).HasMaxLength(100);
        b.Property(a => a.TargetType).HasMaxLength(50);
        b.Property(a => a.TargetId).HasMaxLength(200);
        b.Property(a => a.TenantId).HasMaxLength(TenantIds.MaxLength);
        b.Property(a => a.RemoteAddress).HasMaxLength(64);
        b.HasIndex(a => a.At);
        b.HasIndex(a => new { a.TenantId, a.At });
    }
}
