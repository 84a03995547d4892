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
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            DuplicateException dup => (StatusCodes.Status409Conflict, "Conflict", dup.Message),
            _ => (StatusCodes.Status500InternalServerError, "Internal error",
                "The server failed to process the request. The error is in the console's log with trace id " + httpContext.TraceIdentifier + "."),
        };
        if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.TraceIdentifier);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in request {TraceId}.")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string traceId);
}
