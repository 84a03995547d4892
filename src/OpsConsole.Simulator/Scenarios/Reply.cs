using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>What a service answered: an HTTP status and, on failure, the error it reported.</summary>
internal readonly record struct Reply(int Status, Failure? Failure = null)
{
    public static readonly Reply Ok = new(200);

    public bool Succeeded => Status < 400;

    public bool IsServerError => Status >= 500;

    public string Outcome => Status switch
    {
        < 400 => "success",
        401 or 403 => "unauthorized",
        429 => "rate_limited",
        < 500 => "rejected",
        _ => "error",
    };
}
