using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Data.Repositories;

namespace OpsConsole.Web.Api;

/// <summary>
/// Turns request errors into RFC 7807 problem+json with a message a person can act on: unreadable JSON and
/// bad parameters (400), duplicates (409), anything else (500, with no internals shown).
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } =>
                (StatusCodes.Status400BadRequest, "Malformed JSON", $"The request body is not valid JSON: {json.Message}"),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, "Payload too large",
                "The request body is larger than this endpoint accepts; split it into smaller requests."),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            DuplicateException dup => (StatusCodes.Status409Conflict, "Conflict", dup.Message),
            _ when IsStorageOutage(exception) => (StatusCodes.Status503ServiceUnavailable, "Unavailable",
                "The database is not reachable right now; nothing was changed. Retry in a few seconds."),
            _ => (StatusCodes.Status500InternalServerError, "Internal error",
                "The server failed to process the request. The error is in the console's log with trace id " + httpContext.TraceIdentifier + "."),
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            LogStorageOutage(logger, httpContext.TraceIdentifier, exception.GetType().Name);
        }
        else if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.TraceIdentifier);
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>The database could not be reached (as opposed to a bug): the caller should retry.</summary>
    private static bool IsStorageOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {TraceId} answered 503: the database is unreachable ({Error}).")]
    private static partial void LogStorageOutage(ILogger logger, string traceId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in request {TraceId}.")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string traceId);
}
