namespace OpsConsole.Web.Administration;

/// <summary>
/// An administration request that was refused, with the reasons by field. Nothing was changed. Endpoints answer it
/// as problem+json with <see cref="Status"/>; pages show the messages.
/// </summary>
public sealed class AdminProblem(int status, IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public int Status { get; } = status;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static AdminProblem Invalid(Dictionary<string, string[]> errors) => new(StatusCodes.Status400BadRequest, errors);

    public static AdminProblem Invalid(string field, string message) => Invalid(new() { [field] = [message] });

    public static AdminProblem NotFound(string field, string message) => new(StatusCodes.Status404NotFound, new Dictionary<string, string[]> { [field] = [message] });

    public static AdminProblem Conflict(string field, string message) => new(StatusCodes.Status409Conflict, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The answer an endpoint gives: a validation problem for 400, a plain problem otherwise.</summary>
    public IResult ToResult() => Status == StatusCodes.Status400BadRequest
        ? Results.ValidationProblem(Errors)
        : Results.Problem(statusCode: Status, title: Status == StatusCodes.Status404NotFound ? "Not found" : "Conflict", detail: Message);

    internal static string StripParamSuffix(ArgumentException ex) =>
        ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);
}
