using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;

namespace OpsConsole.Ingest.Otlp;

/// <summary>The three OTLP signals, one endpoint each.</summary>
public enum OtlpSignal
{
    Traces,
    Logs,
    Metrics,
}

/// <summary>
/// OTLP/HTTP (<c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>): protobuf or JSON, optionally gzip.
/// Answers as the OTLP specification says, in the request's encoding: 200 with the export response (with
/// partial success when items were rejected); 400 with a google.rpc.Status for a malformed body; 413 over
/// <see cref="IngestLimits.MaxRequestBytes"/> (checked while reading); 415 for other content types or
/// encodings; 401 when a key is required and missing; 429 / 503 with Retry-After when the sink is throttled /
/// unavailable.
/// </summary>
public sealed class OtlpHttpReceiver
{
    private readonly OtlpIntake _intake;
    private readonly IngestContextResolver _tenants;

    public OtlpHttpReceiver(OtlpIntake intake, IngestContextResolver tenants)
    {
        _intake = intake;
        _tenants = tenants;
    }

    public Task HandleAsync(HttpContext context, OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => HandleAsync(context, ExportTraceServiceRequest.Parser, static (i, r, c, n, t) => i.ExportAsync(r, c, n, t), OtlpResponses.Traces),
        OtlpSignal.Logs => HandleAsync(context, ExportLogsServiceRequest.Parser, static (i, r, c, n, t) => i.ExportAsync(r, c, n, t), OtlpResponses.Logs),
        OtlpSignal.Metrics => HandleAsync(context, ExportMetricsServiceRequest.Parser, static (i, r, c, n, t) => i.ExportAsync(r, c, n, t), OtlpResponses.Metrics),
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown OTLP signal."),
    };

    private async Task HandleAsync<TRequest>(HttpContext http, MessageParser<TRequest> parser,
        Func<OtlpIntake, TRequest, IngestContext, long, CancellationToken, ValueTask<OtlpExportResult>> export, Func<OtlpExportResult, IMessage> respond)
        where TRequest : IMessage<TRequest>, new()
    {
        var request = http.Request;
        var cancellationToken = http.RequestAborted;
        var format = OtlpMediaTypes.Parse(request.ContentType);
        if (format is null)
        {
            await WriteStatusAsync(http, StatusCodes.Status415UnsupportedMediaType, OtlpPayloadFormat.Json, OtlpResponses.InvalidArgument,
                $"Content-Type '{request.ContentType}' is not supported; send {OtlpMediaTypes.Protobuf} or {OtlpMediaTypes.Json}.");
            return;
        }

        var resolution = _tenants.Resolve(http.User);
        if (resolution.Context is null)
        {
            await WriteStatusAsync(http, StatusCodes.Status401Unauthorized, format.Value, OtlpResponses.Unauthenticated, resolution.Failure ?? "Not authenticated.");
            return;
        }

        var maxBytes = _intake.Limits.MaxRequestBytes;
        var bodySize = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodySize is { IsReadOnly: false })
        {
            // Our own limit (enforced while reading, compressed and decompressed) governs, not the server's default.
            bodySize.MaxRequestBodySize = maxBytes;
        }

        var (payload, problem) = await OtlpPayload.ReadAsync(request.Body, request.ContentLength, request.Headers.ContentEncoding, maxBytes, cancellationToken);
        switch (problem)
        {
            case PayloadProblem.TooLarge:
                await WriteStatusAsync(http, StatusCodes.Status413PayloadTooLarge, format.Value, OtlpResponses.ResourceExhausted,
                    $"The request body is larger than the limit of {maxBytes} bytes (Ingest:MaxRequestBytes); send smaller batches.");
                return;
            case PayloadProblem.UnsupportedEncoding:
                await WriteStatusAsync(http, StatusCodes.Status415UnsupportedMediaType, format.Value, OtlpResponses.InvalidArgument,
                    $"Content-Encoding '{request.Headers.ContentEncoding}' is not supported; send gzip or no encoding.");
                return;
            case PayloadProblem.BadCompression:
                await WriteStatusAsync(http, StatusCodes.Status400BadRequest, format.Value, OtlpResponses.InvalidArgument,
                    "The request body is not valid gzip data.");
                return;
        }

        TRequest? message;
        string? error;
        long requestBytes;
        using (payload)
        {
            requestBytes = payload!.Span.Length; // what the day's byte quota counts: the body as decoded (after gzip)
            OtlpDecoder.TryDecode(payload.Span, format.Value, parser, out message, out error);
        }

        if (message is null)
        {
            await WriteStatusAsync(http, StatusCodes.Status400BadRequest, format.Value, OtlpResponses.InvalidArgument, error ?? "The request body could not be decoded.");
            return;
        }

        var result = await export(_intake, message, resolution.Context, requestBytes, cancellationToken);
        switch (result.Outcome)
        {
            case IngestOutcome.Throttled:
                await WriteRetryAsync(http, StatusCodes.Status429TooManyRequests, format.Value, OtlpResponses.ResourceExhausted, result);
                return;
            case IngestOutcome.Unavailable:
                await WriteRetryAsync(http, StatusCodes.Status503ServiceUnavailable, format.Value, OtlpResponses.Unavailable, result);
                return;
            default:
                await WriteAsync(http, StatusCodes.Status200OK, format.Value, respond(result));
                return;
        }
    }

    private static Task WriteRetryAsync(HttpContext http, int statusCode, OtlpPayloadFormat format, int rpcCode, OtlpExportResult result)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(result.RetryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return WriteAsync(http, statusCode, format, OtlpResponses.Status(rpcCode, result.Message ?? "Retry later.", TimeSpan.FromSeconds(seconds)));
    }

    private static Task WriteStatusAsync(HttpContext http, int statusCode, OtlpPayloadFormat format, int rpcCode, string message) =>
        WriteAsync(http, statusCode, format, OtlpResponses.Status(rpcCode, message));

    private static async Task WriteAsync(HttpContext http, int statusCode, OtlpPayloadFormat format, IMessage message)
    {
        var response = http.Response;
        response.StatusCode = statusCode;
        response.ContentType = OtlpMediaTypes.Of(format);
        if (format == OtlpPayloadFormat.Json)
        {
            await response.WriteAsync(JsonFormatter.Default.Format(message), http.RequestAborted);
            return;
        }

        var bytes = message.ToByteArray();
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, http.RequestAborted);
    }
}
