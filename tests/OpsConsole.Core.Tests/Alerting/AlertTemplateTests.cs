using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Alerting;

public sealed class AlertTemplateTests
{
    private static readonly LabelSet Labels = LabelSet.From(("service", "rag-service"), ("instance", "10.0.0.1:9303"));

    [Theory]
    [InlineData("{{ $labels.service }} is down", 1, "rag-service is down")]
    [InlineData("{{ .Labels.instance }}", 1, "10.0.0.1:9303")]
    [InlineData("{{ $labels.missing }}|", 1, "|")]
    [InlineData("{{ $value }}", 0.25, "0.25")]
    [InlineData("{{ $value }}", 1000000, "1e+06")]
    [InlineData("{{ .Value }}", 123456, "123456")]
    [InlineData("{{ humanize $value }}", 1234567, "1.235M")]
    [InlineData("{{ $value | humanize }}", 0.0015, "1.5m")]
    [InlineData("{{ humanize1024 $value }}", 2048, "2ki")]
    [InlineData("{{ humanizePercentage $value }}", 0.0712, "7.12%")]
    [InlineData("{{ humanizeDuration $value }}", 3725, "1h 2m 5s")]
    [InlineData("{{ humanizeDuration $value }}", 0.25, "250ms")]
    [InlineData("{{ printf \"%.2f\" $value }}s", 2.345678, "2.35s")]
    [InlineData("{{ $labels.service | toUpper }}", 1, "RAG-SERVICE")]
    [InlineData("a {{- \" b\" }}  {{- /* note */ -}}  c", 1, "a bc")]
    [InlineData("no template", 1, "no template")]
    public void Expand_SupportedForms_AsPrometheusPrintsThem(string template, double value, string expected)
    {
        Assert.Equal(expected, AlertTemplate.Expand(template, Labels, value));
    }

    [Theory]
    [InlineData("{{ $labels.service ", "unclosed action")]
    [InlineData("{{ nosuch $value }}", "function \"nosuch\" not defined")]
    [InlineData("{{ $foo }}", "undefined variable")]
    public void Expand_BadTemplate_ErrorTextInsteadOfTheValue(string template, string expected)
    {
        var text = AlertTemplate.Expand(template, Labels, 1);

        Assert.StartsWith("<error expanding template: ", text, StringComparison.Ordinal);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.NotNull(AlertTemplate.Check(template));
    }
}
