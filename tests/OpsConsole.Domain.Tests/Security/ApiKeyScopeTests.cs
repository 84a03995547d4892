using OpsConsole.Domain.Security;

namespace OpsConsole.Domain.Tests.Security;

public sealed class ApiKeyScopeTests
{
    [Theory]
    [InlineData("acme")]
    [InlineData("default")]
    [InlineData("t-1")]
    public void Create_IngestWithValidTenant_BindsTenantAndNoRole(string tenantId)
    {
        // Act
        var scope = ApiKeyScope.Create(ApiKeyScopeKind.Ingest, null, tenantId);

        // Assert
        Assert.Equal(ApiKeyScopeKind.Ingest, scope.Kind);
        Assert.Null(scope.Role);
        Assert.Equal(tenantId, scope.TenantId);
    }

    [Theory]
    [InlineData(Role.Admin)]
    [InlineData(Role.Operator)]
    [InlineData(Role.Executive)]
    [InlineData(Role.TenantAdmin)]
    public void Create_IngestWithRole_ThrowsNamingRole(Role role)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(ApiKeyScopeKind.Ingest, role, "acme"));

        // Assert
        Assert.Equal("role", ex.ParamName);
        Assert.Contains("ingest key carries no role", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Create_IngestWithoutTenant_ThrowsTenantRequired(string? tenantId)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(ApiKeyScopeKind.Ingest, null, tenantId));

        // Assert
        Assert.Equal("tenantId", ex.ParamName);
        Assert.Contains("tenant id is required", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("-acme")]
    [InlineData("acme corp")]
    [InlineData("acme\n")]
    public void Create_IngestWithInvalidTenant_ThrowsNamingTheTenant(string tenantId)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(ApiKeyScopeKind.Ingest, null, tenantId));

        // Assert
        Assert.Equal("tenantId", ex.ParamName);
        Assert.Contains($"'{tenantId}' is not a valid tenant id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TenantAdminWithTenant_BindsTenant()
    {
        // Act
        var scope = ApiKeyScope.Create(ApiKeyScopeKind.Role, Role.TenantAdmin, "acme");

        // Assert
        Assert.Equal(ApiKeyScopeKind.Role, scope.Kind);
        Assert.Equal(Role.TenantAdmin, scope.Role);
        Assert.Equal("acme", scope.TenantId);
    }

    [Theory]
    [InlineData(null, "tenant id is required")]
    [InlineData("", "tenant id is required")]
    [InlineData("ACME", "'ACME' is not a valid tenant id")]
    public void Create_TenantAdminWithoutValidTenant_ThrowsNamingTheProblem(string? tenantId, string expectedMessage)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(ApiKeyScopeKind.Role, Role.TenantAdmin, tenantId));

        // Assert
        Assert.Equal("tenantId", ex.ParamName);
        Assert.Contains(expectedMessage, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Role.Admin, null)]
    [InlineData(Role.Admin, "")]
    [InlineData(Role.Operator, null)]
    [InlineData(Role.Executive, null)]
    [InlineData(Role.Executive, "")]
    public void Create_UnboundRoleWithoutTenant_HasNoTenant(Role role, string? tenantId)
    {
        // Act
        var scope = ApiKeyScope.Create(ApiKeyScopeKind.Role, role, tenantId);

        // Assert
        Assert.Equal(ApiKeyScopeKind.Role, scope.Kind);
        Assert.Equal(role, scope.Role);
        Assert.Null(scope.TenantId);
    }

    [Theory]
    [InlineData(Role.Admin)]
    [InlineData(Role.Operator)]
    [InlineData(Role.Executive)]
    public void Create_UnboundRoleWithTenant_ThrowsNamingRoleAndTenant(Role role)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(ApiKeyScopeKind.Role, role, "acme"));

        // Assert
        Assert.Equal("tenantId", ex.ParamName);
        Assert.Contains($"Keys with the {role} role see all tenants", ex.Message, StringComparison.Ordinal);
        Assert.Contains("only TenantAdmin and ingest keys take 'tenantId'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData((Role)0)]
    [InlineData((Role)99)]
    public void Create_RoleKeyWithoutDefinedRole_ThrowsListingRoles(Role? role)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(ApiKeyScopeKind.Role, role, null));

        // Assert
        Assert.Equal("role", ex.ParamName);
        Assert.Contains("role key needs a role: Admin, Operator, Executive or TenantAdmin", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((ApiKeyScopeKind)0)]
    [InlineData((ApiKeyScopeKind)3)]
    public void Create_UnknownKind_ThrowsNamingKind(ApiKeyScopeKind kind)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.Create(kind, null, "acme"));

        // Assert
        Assert.Equal("kind", ex.ParamName);
        Assert.Contains("Unknown key scope", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForIngest_ValidTenant_EqualsCreate()
    {
        // Act
        var scope = ApiKeyScope.ForIngest("acme");

        // Assert
        Assert.Equal(ApiKeyScope.Create(ApiKeyScopeKind.Ingest, null, "acme"), scope);
    }

    [Fact]
    public void ForRole_TenantAdminWithoutTenant_Throws()
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyScope.ForRole(Role.TenantAdmin));

        // Assert
        Assert.Equal("tenantId", ex.ParamName);
    }

    [Fact]
    public void ForRole_SameRoleAndTenant_AreEqualScopes()
    {
        // Act
        var first = ApiKeyScope.ForRole(Role.TenantAdmin, "acme");
        var second = ApiKeyScope.ForRole(Role.TenantAdmin, "acme");
        var other = ApiKeyScope.ForRole(Role.TenantAdmin, "globex");

        // Assert
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }
}
