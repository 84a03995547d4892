using OpsConsole.Web.Api;

namespace OpsConsole.Web.Tests;

/// <summary>The exports' CSV: RFC 4180 quoting, and text cells that open as text in a spreadsheet.</summary>
public sealed class CsvTextTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+49 30 1234", "'+49 30 1234")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("Acme Corp", "Acme Corp")]
    [InlineData("a=1", "a=1")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Text_FormulaStarts_GetALeadingApostrophe(string? value, string expected) =>
        Assert.Equal(expected, CsvText.Text(value));

    [Fact]
    public void Line_QuotesCommasQuotesAndLineBreaks_EndsWithCrLf()
    {
        var line = CsvText.Line(["plain", "a, b", "say \"hi\"", "one\r\ntwo", CsvText.Text("=cmd|' /C calc'!A0")]);

        Assert.Equal("plain,\"a, b\",\"say \"\"hi\"\"\",\"one\r\ntwo\",'=cmd|' /C calc'!A0\r\n", line);
    }
}
