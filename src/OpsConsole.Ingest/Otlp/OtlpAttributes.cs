using Google.Protobuf.Collections;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp.Proto.Common;
using DomainAttribute = OpsConsole.Domain.Telemetry.Attribute;
using DomainScope = OpsConsole.Domain.Telemetry.InstrumentationScope;
using OtlpResource = OpsConsole.Ingest.Otlp.Proto.Resource.Resource;
using OtlpScope = OpsConsole.Ingest.Otlp.Proto.Common.InstrumentationScope;

namespace OpsConsole.Ingest.Otlp;

/// <summary>OTLP attribute values, attribute lists, resources and scopes in the domain's terms.</summary>
internal static class OtlpAttributes
{
    public static AttributeValue ToValue(AnyValue? value)
    {
        if (value is null)
        {
            return AttributeValue.Empty;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return AttributeValue.Of(value.StringValue);
            case AnyValue.ValueOneofCase.BoolValue:
                return AttributeValue.Of(value.BoolValue);
            case AnyValue.ValueOneofCase.IntValue:
                return AttributeValue.Of(value.IntValue);
            case AnyValue.ValueOneofCase.DoubleValue:
                return AttributeValue.Of(value.DoubleValue);
            case AnyValue.ValueOneofCase.BytesValue:
                return AttributeValue.Of(value.BytesValue.ToByteArray());
            case AnyValue.ValueOneofCase.ArrayValue:
            {
                var source = value.ArrayValue.Values;
                var items = new AttributeValue[source.Count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = ToValue(source[i]);
                }

                return AttributeValue.Of(items);
            }

            case AnyValue.ValueOneofCase.KvlistValue:
            {
                var source = value.KvlistValue.Values;
                var entries = new KeyValuePair<string, AttributeValue>[source.Count];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = new KeyValuePair<string, AttributeValue>(source[i].Key, ToValue(source[i].Value));
                }

                return AttributeValue.Of(entries);
            }

            default:
                return AttributeValue.Empty;
        }
    }

    /// <summary>
    /// The first <paramref name="max"/> attributes; any beyond are dropped and counted in the report (the item
    /// itself is kept: losing a few attributes beats losing the span or log line).
    /// </summary>
    public static IReadOnlyList<DomainAttribute> ToAttributes(RepeatedField<KeyValue> source, int max, IntakeReport report)
    {
        var count = source.Count;
        if (count == 0)
        {
            return [];
        }

        var kept = Math.Min(count, Math.Max(max, 0));
        if (kept < count)
        {
            report.DroppedAttributesOnItem(count - kept);
        }

        var result = new DomainAttribute[kept];
        for (var i = 0; i < kept; i++)
        {
            var kv = source[i];
            result[i] = new DomainAttribute(kv.Key, ToValue(kv.Value));
        }

        return result;
    }

    public static TelemetryResource ToResource(OtlpResource? resource, int maxAttributes, IntakeReport report) =>
        resource is null || resource.Attributes.Count == 0
            ? TelemetryResource.Empty
            : new TelemetryResource(ToAttributes(resource.Attributes, maxAttributes, report));

    public static DomainScope ToScope(OtlpScope? scope) =>
        scope is null || (scope.Name.Length == 0 && scope.Version.Length == 0)
            ? DomainScope.Empty
            : new DomainScope(scope.Name, scope.Version.Length == 0 ? null : scope.Version);
}
