using System.Diagnostics;
using System.Text.Json;
using OpsConsole.Web.Components.Charts;

namespace OpsConsole.Web.Tests.Charts;

public sealed class UnitFormatterTests
{
    /// <summary>Value, unit, decimals, what a person reads. Shared with the JS mirror (see the parity test).</summary>
    public static TheoryData<double, string?, int?, string> Cases => new()
    {
        { 1234, "reqps", null, "1.2k req/s" },
        { 15_300, "reqps", null, "15.3k req/s" },
        { 153_000, "reqps", null, "153k req/s" },
        { 999_960, null, null, "1M" },
        { 2_500_000_000, "short", null, "2.5B" },
        { 12.5, "reqps", null, "12.5 req/s" },
        { 0.42, "ops", null, "0.42/s" },
        { 7, null, null, "7" },
        { -1500, null, null, "-1.5k" },
        { 0.35, "s", null, "350 ms" },
        { 1.5, "s", null, "1.5 s" },
        { 0.9997, "s", null, "1 s" },
        { 0.000_42, "s", null, "420 µs" },
        { 90, "s", null, "1.5 min" },
        { 7200, "s", null, "2 h" },
        { 3 * 86_400, "s", null, "3 d" },
        { 350, "ms", null, "350 ms" },
        { 1250, "ms", null, "1.25 s" },
        { 0, "ms", null, "0 s" },
        { 2.1 * 1024 * 1024 * 1024, "bytes", null, "2.1 GB" },
        { 512, "bytes", null, "512 B" },
        { 1536, "bytes", null, "1.5 KB" },
        { 1204.3, "currencyUSD", null, "$1,204" },
        { 3.5, "$", null, "$3.50" },
        { 2_400_000, "currencyUSD", null, "$2.4M" },
        { -12, "currencyUSD", null, "-$12.00" },
        { 99.9, "percent", null, "99.9 %" },
        { 99.95, "%", null, "99.95 %" },
        { 100, "percent", null, "100 %" },
        { 0.999, "percentunit", null, "99.9 %" },
        { 0.0042, "percentunit", null, "0.42 %" },
        { 99.9, "percent", 0, "100 %" },
        { 1234.5678, null, 2, "1.23k" },
        { 0.35, "s", 1, "350.0 ms" },
        { 1204, "currencyUSD", 2, "$1,204.00" },
        { 4.2, "percent", 3, "4.200 %" },
        { 1234, "tokens", null, "1.2k tokens" },
        { double.NaN, "reqps", null, "–" },
        { double.PositiveInfinity, "s", null, "∞" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_GivesWhatAPersonReads(double value, string? unit, int? decimals, string expected) =>
        Assert.Equal(expected, UnitFormatter.Format(value, unit, decimals));

    [Fact]
    public void Format_NegativeDecimals_IsRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => UnitFormatter.Format(1, "s", -1));
        Assert.Contains("decimals must be between 0 and 10", e.Message);
    }

    [Fact]
    public void Canonical_AliasesMapToTheSameUnitAndFreeTextIsASuffix()
    {
        Assert.Equal("currencyUSD", UnitFormatter.Canonical("$"));
        Assert.Equal("percent", UnitFormatter.Canonical("%"));
        Assert.Equal("reqps", UnitFormatter.Canonical("req/s"));
        Assert.Null(UnitFormatter.Canonical("tokens"));
    }

    /// <summary>The chart axes and tooltips (wwwroot/js/oc-chart.js) print what the panels print, run by real Node.</summary>
    [Fact]
    public async Task JsMirror_FormatsEveryCaseExactlyAsTheServer()
    {
        var module = Path.Combine(RepoRoot(), "wwwroot", "js", "oc-chart.js");
        var cases = Cases.Select(row => (object?[])row).Select(r => new { value = (double)r[0]!, unit = (string?)r[1], decimals = (int?)r[2] })
            .Where(c => double.IsFinite(c.value)).ToList();
        var script = $$"""
            const m = await import({{JsonSerializer.Serialize(new Uri(module).AbsoluteUri)}});
            const cases = {{JsonSerializer.Serialize(cases)}};
            console.log(JSON.stringify(cases.map(c => m.formatValue(c.value, c.unit, c.decimals))));
            """;
        var start = new ProcessStartInfo("node", ["--input-type=module"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(script);
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, $"node failed: {error}");

        var js = JsonSerializer.Deserialize<string[]>(output)!;
        var expected = cases.Select(c => UnitFormatter.Format(c.value, c.unit, c.decimals)).ToArray();
        Assert.Equal(expected, js);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (OpsConsole.sln) was not found above the test's directory.");
    }
}
