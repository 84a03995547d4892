using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Ingestion;

/// <summary>Intake stamps tenant_id on the series of every tenant but the default one, overwriting what was sent.</summary>
public sealed class TenantLabelTests
{
    private static readonly LabelSet Sent = LabelSet.From(("__name__", "orders_total"), ("tenant_id", "globex"), ("shop", "eu"));

    [Fact]
    public void Stamp_TenantsSeries_TenantIdSetToItsTenantWhateverWasSent()
    {
        var batch = new TelemetryBatch { Samples = [new("acme", Sent, 1, 1), new("acme", Sent, 2, 2), new("initech", LabelSet.From(("__name__", "x")), 1, 3)] };

        var stamped = TenantLabel.Stamp(batch);

        Assert.Equal(LabelSet.From(("__name__", "orders_total"), ("tenant_id", "acme"), ("shop", "eu")), stamped.Samples[0].Labels);
        Assert.Equal(stamped.Samples[0].Labels, stamped.Samples[1].Labels);
        Assert.Equal(LabelSet.From(("__name__", "x"), ("tenant_id", "initech")), stamped.Samples[2].Labels);
        Assert.Equal([1.0, 2.0, 3.0], stamped.Samples.Select(s => s.Value));
        Assert.Equal(["acme", "acme", "initech"], stamped.Samples.Select(s => s.TenantId));
    }

    [Fact]
    public void Stamp_DefaultTenantOrAlreadyStamped_BatchLeftAsItIs()
    {
        var batch = new TelemetryBatch
        {
            Samples = [new("default", Sent, 1, 1), new("acme", LabelSet.From(("__name__", "y"), ("tenant_id", "acme")), 1, 1)],
        };

        Assert.Same(batch, TenantLabel.Stamp(batch));
    }
}
