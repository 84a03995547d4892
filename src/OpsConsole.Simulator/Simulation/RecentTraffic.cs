namespace OpsConsole.Simulator.Simulation;

/// <summary>What users experienced lately (errors, slow answers), smoothed over about a minute; it moves satisfaction.</summary>
internal sealed class RecentTraffic
{
    private int _requests;
    private int _errors;
    private int _slow;

    public double ErrorRatio { get; private set; }

    public double SlowRatio { get; private set; }

    public void Served(bool serverError, TimeSpan duration)
    {
        _requests++;
        _errors += serverError ? 1 : 0;
        _slow += duration > TimeSpan.FromSeconds(3) ? 1 : 0;
    }

    /// <summary>Folds the step's requests into the averages.</summary>
    public void EndStep()
    {
        if (_requests > 0)
        {
            ErrorRatio = (ErrorRatio * 0.95) + (0.05 * _errors / _requests);
            SlowRatio = (SlowRatio * 0.95) + (0.05 * _slow / _requests);
        }

        _requests = _errors = _slow = 0;
    }
}
