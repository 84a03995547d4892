namespace OpsConsole.Simulator.Traffic;

/// <summary>The simulation's one source of randomness (seedable), with the distributions traffic needs.</summary>
internal sealed class Chance(int seed)
{
    private readonly Random _random = new(seed);

    public double Uniform() => _random.NextDouble();

    public double Uniform(double min, double max) => min + ((max - min) * _random.NextDouble());

    public int Int(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    public bool Happens(double probability) => _random.NextDouble() < probability;

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double Normal()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A log-normal draw with the given median; <paramref name="sigma"/> sets the tail (p95 ≈ median·e^(1.645σ)).</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    public TimeSpan Latency(double medianSeconds, double sigma) => TimeSpan.FromSeconds(LogNormal(medianSeconds, sigma));

    /// <summary>A Poisson draw: how many arrivals in a step with <paramref name="mean"/> expected.</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * Normal())));
        }

        var limit = Math.Exp(-mean);
        var count = 0;
        var product = _random.NextDouble();
        while (product > limit)
        {
            count++;
            product *= _random.NextDouble();
        }

        return count;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>One of <paramref name="items"/>, each as likely as its weight.</summary>
    public T Pick<T>(IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = 0.0;
        foreach (var item in items)
        {
            total += weight(item);
        }

        var target = _random.NextDouble() * total;
        foreach (var item in items)
        {
            target -= weight(item);
            if (target < 0)
            {
                return item;
            }
        }

        return items[^1];
    }

    public string HexId(int length)
    {
        Span<byte> bytes = stackalloc byte[(length + 1) / 2];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }
}
