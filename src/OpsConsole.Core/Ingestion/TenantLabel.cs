using OpsConsole.Domain.Telemetry;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Core.Ingestion;

/// <summary>
/// Stamps the <c>tenant_id</c> label (<see cref="TenantIds.LabelName"/>) on metric series at intake, in one place
/// for every path (OTLP, native JSON, scrapes): a series stored under a tenant other than <see cref="TenantIds.Default"/>
/// gets <c>tenant_id="&lt;its tenant&gt;"</c>, overwriting any value it was sent with, so a tenant can never place
/// series in another tenant's query scope. Series of the default tenant (operator-configured scrapes, unbound
/// intake) keep their own <c>tenant_id</c> labels.
/// </summary>
public static class TenantLabel
{
    /// <summary><paramref name="batch"/> with its samples stamped (the same instance when nothing changes).</summary>
    public static TelemetryBatch Stamp(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var samples = batch.Samples;
        SeriesSample[]? stamped = null;
        LabelSet? lastIn = null;
        LabelSet? lastOut = null;
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (s.TenantId == TenantIds.Default || s.Labels.Get(TenantIds.LabelName) == s.TenantId)
            {
                if (stamped is not null)
                {
                    stamped[i] = s;
                }

                continue;
            }

            if (stamped is null)
            {
                stamped = new SeriesSample[samples.Count];
                for (var j = 0; j < i; j++)
                {
                    stamped[j] = samples[j];
                }
            }

            // Consecutive samples often share one label set (several points of a series): relabel it once.
            if (!ReferenceEquals(s.Labels, lastIn) || lastOut!.Get(TenantIds.LabelName) != s.TenantId)
            {
                lastIn = s.Labels;
                lastOut = s.Labels.With(TenantIds.LabelName, s.TenantId);
            }

            stamped[i] = s with { Labels = lastOut };
        }

        return stamped is null ? batch : batch with { Samples = stamped };
    }
}
