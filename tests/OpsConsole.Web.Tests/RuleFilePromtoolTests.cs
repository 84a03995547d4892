using System.Diagnostics;
using OpsConsole.Core.Rules;

namespace OpsConsole.Web.Tests;

/// <summary>Our rule-file checks agree with Prometheus's own (<c>promtool check rules</c>, Debian's prometheus package).</summary>
public sealed class RuleFilePromtoolTests
{
    private static async Task<(int ExitCode, string Output)> PromtoolCheckRulesAsync(string yaml)
    {
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("promtool is not installed (Debian package 'prometheus'); ./test.sh installs it.");
        var file = Path.Combine(Directory.CreateTempSubdirectory("opsconsole-promtool-").FullName, "rules.yml");
        await File.WriteAllTextAsync(file, yaml);
        using var process = Process.Start(new ProcessStartInfo(promtool, ["check", "rules", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        return (process.ExitCode, await stdout + await stderr);
    }

    private const string Head = "groups:\n  - name: api\n    rules:\n";

    public static TheoryData<string, bool> Files => new()
    {
        { Head + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels:\n          team: a\n", true },
        { Head + "      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels:\n          severity: page\n        annotations:\n          summary: down\n", true },
        { "groups:\n  - name: api\n    interval: 30s\n    limit: 10\n    rules: []\n", true },
        { Head + "      - record: a:b\n        alert: B\n        expr: up\n", false },
        { Head + "      - expr: up\n", false },
        { Head + "      - record: a:b\n", false },
        { Head + "      - record: a:b\n        expr: sum(up\n", false },
        { Head + "      - record: a:b\n        expr: up{job=~\"(\"}\n", false },
        { Head + "      - record: a:b\n        expr: nosuchfunction(up)\n", false },
        { Head + "      - record: 1ab\n        expr: up\n", false },
        { Head + "      - record: a:b\n        expr: up\n        for: 5m\n", false },
        { Head + "      - record: a:b\n        expr: up\n        annotations:\n          x: y\n", false },
        { Head + "      - record: a:b\n        expr: up\n        labels:\n          bad-name: x\n", false },
        { Head + "      - alert: A\n        expr: up\n        annotations:\n          bad-name: x\n", false },
        { Head + "      - alert: A\n        expr: up\n        for: 5 minutes\n", false },
        { Head + "      - record: a:b\n        expr: up\n        unknown: x\n", false },
        { "groups:\n  - name: api\n    intervall: 1m\n    rules: []\n", false },
        { "groups:\n  - name: api\n    rules: []\n  - name: api\n    rules: []\n", false },
        { "groups:\n  - name: api\n    interval: soon\n    rules: []\n", false },
        { "grps: []\n", false },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Check_SameFile_OurVerdictIsPromtools(string yaml, bool valid)
    {
        var (exitCode, output) = await PromtoolCheckRulesAsync(yaml);
        var ours = RuleFileParser.Parse(yaml);

        Assert.True((exitCode == 0) == valid, $"promtool said {exitCode}: {output}");
        Assert.True(ours.IsValid == valid, $"we said {(ours.IsValid ? "valid" : string.Join("; ", ours.Errors))}; promtool said: {output}");
    }

    [Fact]
    public async Task Write_CanonicalRuleFile_PromtoolAcceptsItWithTheSameRules()
    {
        var groups = RuleFileParser.ParseValid(Head + """
                  - record: "job:rate:5m"
                    expr: |
                      sum by (job) (
                        rate(http_requests_total{status=~"5.."}[5m])
                      )
                    labels: {env: "null", owner: "123"}
                  - alert: Quoting
                    expr: 'up == 0'
                    for: 90s
                    annotations:
                      summary: "{{ $labels.job }}: down # really"
            """);

        var (exitCode, output) = await PromtoolCheckRulesAsync(RuleFileWriter.Write(groups));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 2 rules found", output, StringComparison.Ordinal);
    }
}
