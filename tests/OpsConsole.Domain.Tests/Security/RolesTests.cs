using OpsConsole.Domain.Security;

namespace OpsConsole.Domain.Tests.Security;

public sealed class RolesTests
{
    public static TheoryData<string, Role> RoleNames => new()
    {
        { "Admin", Role.Admin },
        { "admin", Role.Admin },
        { "ADMIN", Role.Admin },
        { "Operator", Role.Operator },
        { "operator", Role.Operator },
        { "Executive", Role.Executive },
        { "eXeCuTiVe", Role.Executive },
        { "TenantAdmin", Role.TenantAdmin },
        { "tenantadmin", Role.TenantAdmin },
        { "TENANTADMIN", Role.TenantAdmin },
        { " Operator ", Role.Operator },
    };

    [Theory]
    [MemberData(nameof(RoleNames))]
    public void TryParse_RoleName_AcceptedCaseInsensitively(string value, Role expected)
    {
        // Act
        var ok = Roles.TryParse(value, out var role);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, role);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("4")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 3 ")]
    [InlineData("99")]
    [InlineData("2147483648")]
    [InlineData("Root")]
    [InlineData("Administrator")]
    [InlineData("Tenant Admin")]
    [InlineData("Tenant-Admin")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void TryParse_NumberUnknownOrEmpty_Rejected(string? value)
    {
        // Act
        var ok = Roles.TryParse(value, out var role);

        // Assert
        Assert.False(ok);
        Assert.Equal(default, role);
    }

    [Theory]
    [InlineData("Admin,Operator")]
    [InlineData("admin, operator")]
    [InlineData("Operator,Executive")]
    [InlineData("Admin,Executive")]
    [InlineData("Executive,Executive")]
    [InlineData("Admin,")]
    public void TryParse_CommaSeparatedNames_Rejected(string value)
    {
        // Enum.TryParse reads "Admin,Operator" as the flags 1|2 = 3, which is Executive; a role field must not do that.

        // Act
        var ok = Roles.TryParse(value, out var role);

        // Assert
        Assert.False(ok);
        Assert.Equal(default, role);
    }

    [Theory]
    [InlineData(Role.Admin, false)]
    [InlineData(Role.Operator, false)]
    [InlineData(Role.Executive, false)]
    [InlineData(Role.TenantAdmin, true)]
    public void IsTenantBound_Role_OnlyTenantAdminIsBound(Role role, bool expected)
    {
        // Act
        var bound = Roles.IsTenantBound(role);

        // Assert
        Assert.Equal(expected, bound);
    }

    [Fact]
    public void All_Roles_ListsEachRoleOnceInDeclarationOrder()
    {
        // Act
        var all = Roles.All;

        // Assert
        Assert.Equal([Role.Admin, Role.Operator, Role.Executive, Role.TenantAdmin], all);
        Assert.Equal(Enum.GetValues<Role>().Length, all.Count);
    }

    [Theory]
    [InlineData(Role.Admin, Roles.Admin)]
    [InlineData(Role.Operator, Roles.Operator)]
    [InlineData(Role.Executive, Roles.Executive)]
    [InlineData(Role.TenantAdmin, Roles.TenantAdmin)]
    public void TryParse_RoleNameConstant_RoundTripsToRole(Role expected, string name)
    {
        // Act
        var ok = Roles.TryParse(name, out var role);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, role);
        Assert.Equal(expected.ToString(), name);
    }

    [Fact]
    public void Describe_EveryRole_HasADistinctDescription()
    {
        // Act
        var descriptions = Roles.All.Select(Roles.Describe).ToList();

        // Assert
        Assert.All(descriptions, d => Assert.False(string.IsNullOrWhiteSpace(d)));
        Assert.Equal(descriptions.Count, descriptions.Distinct().Count());
    }

    [Fact]
    public void Describe_UndefinedRole_Throws()
    {
        // Act
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Roles.Describe((Role)99));

        // Assert
        Assert.Equal("role", ex.ParamName);
    }
}
