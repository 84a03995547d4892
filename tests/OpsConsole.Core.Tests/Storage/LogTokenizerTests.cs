using OpsConsole.Core.Storage.Logs;

namespace OpsConsole.Core.Tests.Storage;

public sealed class LogTokenizerTests
{
    public static TheoryData<string, string[]> QueryTokens => new()
    {
        { "Connection refused", ["connection", "refused"] },
        { "connect to 10.0.0.12:5432 failed.", ["connect", "to", "10.0.0.12", "5432", "failed"] },
        { "order-8812 FAILED", ["order-8812", "failed"] },
        { "user_id=42 path=/v1/chat", ["user_id", "42", "path", "v1", "chat"] },
        { "trace 4bf92f3577b34da6a3ce929d0e0e4736", ["trace", "4bf92f3577b34da6a3ce929d0e0e4736"] },
        { "rag.query took 12.5ms", ["rag.query", "took", "12.5ms"] },
        { "--a..b-- _x_", ["a", "b", "x"] },
        { "Größe überschritten: 5 MB", ["größe", "überschritten", "5", "mb"] },
        { "", [] },
        { "!!! ...", [] },
    };

    [Theory]
    [MemberData(nameof(QueryTokens))]
    public void Tokenize_LogText_GivesTheDocumentedTokens(string text, string[] expected)
    {
        // Act
        var tokens = LogTokenizer.Tokenize(text);

        // Assert
        Assert.Equal(expected, tokens);
    }

    [Fact]
    public void IndexTerms_JoinedTokens_AlsoIndexedByTheirParts()
    {
        // Act
        var terms = LogTokenizer.IndexTerms("order-8812 from 10.0.0.12");

        // Assert
        Assert.Equal(["order-8812", "order", "8812", "from", "10.0.0.12", "10", "0", "0", "12"], terms);
    }

    [Fact]
    public void Tokenize_VeryLongToken_CutToTheMaximumLength()
    {
        // Arrange
        var blob = new string('A', 500);

        // Act
        var token = Assert.Single(LogTokenizer.Tokenize(blob));

        // Assert
        Assert.Equal(new string('a', LogTokenizer.MaxTokenLength), token);
    }
}
