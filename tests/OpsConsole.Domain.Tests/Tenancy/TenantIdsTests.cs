using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Domain.Tests.Tenancy;

public sealed class TenantIdsTests
{
    private static readonly string Longest = new('a', TenantIds.MaxLength);
    private static readonly string TooLong = new('a', TenantIds.MaxLength + 1);

    public static TheoryData<string> ValidIds => new()
    {
        "a",
        "0",
        "acme",
        "acme-corp",
        "a-b-c",
        "a--b",
        "tenant42",
        "42",
        TenantIds.Default,
        Longest,
        "a" + new string('-', TenantIds.MaxLength - 2) + "z",
    };

    public static TheoryData<string> InvalidIds => new()
    {
        "-acme",
        "acme-",
        "-",
        "Acme",
        "ACME",
        "acmE",
        "acme corp",
        " acme",
        "acme ",
        "acme_corp",
        "acme.corp",
        "acme/corp",
        "ümlaut",
        "acme\n",
        "acme\r\n",
        "\nacme",
        "acme\t",
        TooLong,
        TooLong + "-x",
    };

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void IsValid_Slug_True(string id)
    {
        // Act
        var valid = TenantIds.IsValid(id);

        // Assert
        Assert.True(valid);
    }

    [Theory]
    [MemberData(nameof(InvalidIds))]
    [InlineData("")]
    [InlineData(null)]
    public void IsValid_NotASlug_False(string? id)
    {
        // Act
        var valid = TenantIds.IsValid(id);

        // Assert
        Assert.False(valid);
    }

    [Fact]
    public void IsValid_MaxLength_Is63()
    {
        // Act
        var max = TenantIds.MaxLength;

        // Assert
        Assert.Equal(63, max);
        Assert.True(TenantIds.IsValid(Longest));
        Assert.False(TenantIds.IsValid(TooLong));
    }

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void Validate_Slug_DoesNotThrow(string id)
    {
        // Act
        var ex = Record.Exception(() => TenantIds.Validate(id, "tenantId"));

        // Assert
        Assert.Null(ex);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_Missing_ThrowsRequired(string? id)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => TenantIds.Validate(id, "tenant"));

        // Assert
        Assert.Equal("tenant", ex.ParamName);
        Assert.StartsWith("A tenant id is required.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public void Validate_NotASlug_ThrowsNamingTheIdAndTheRules(string id)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => TenantIds.Validate(id, "tenantId"));

        // Assert
        Assert.Equal("tenantId", ex.ParamName);
        Assert.Contains($"'{id}' is not a valid tenant id", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1-63 lower-case letters, digits and inner hyphens", ex.Message, StringComparison.Ordinal);
    }
}
