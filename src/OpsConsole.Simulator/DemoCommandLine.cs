using System.Globalization;

namespace OpsConsole.Simulator;

/// <summary>The simulator's command line, turned into <see cref="DemoWorkloadOptions"/>.</summary>
public static class DemoCommandLine
{
    public const string Usage = """
        OpsConsole.Simulator — the demo SaaS: sends OTLP traces and logs, serves one /metrics endpoint per service.

        Usage: dotnet run --project src/OpsConsole.Simulator -- [options]

          --otlp-endpoint URL        where OTLP goes (default http://localhost:4317 for grpc, http://localhost:4318 for
                                     http/protobuf); 'none' sends no traces or logs
          --otlp-protocol P          grpc (default) or http/protobuf
          --api-key KEY              sent as 'Authorization: Bearer KEY' on every OTLP request
          --rate N                   requests per second at the daily peak (default 20)
          --diurnal on|off           follow the day: peak at 14:00 UTC, trough at 02:00 UTC (default on)
          --metrics-port-base N      first /metrics port, one per service from there (default 9301; 0 = free ports)
          --metrics-host HOST        address the /metrics endpoints listen on (default 127.0.0.1)
          --incidents on|off         stage incidents now and then (default on)
          --incident-interval D      mean time between incidents: 10m, 90s, 1h or 00:10:00 (default 10m)
          --seed N                   replay the same randomness
          --help                     this text
        """;

    /// <summary>The options the arguments ask for, or an error message; <c>Help</c> when --help was given.</summary>
    public static (DemoWorkloadOptions? Options, string? Error, bool Help) Parse(IReadOnlyList<string> args)
    {
        var options = new DemoWorkloadOptions();
        string? endpoint = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return (null, null, true);
            }

            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                (name, value) = (arg[..equals], arg[(equals + 1)..]);
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count)
            {
                (name, value) = (arg, args[++i]);
            }
            else
            {
                return (null, $"Unexpected argument '{arg}' (every option takes a value; see --help).", false);
            }

            string? error = null;
            switch (name)
            {
                case "--otlp-endpoint":
                    endpoint = value;
                    break;
                case "--otlp-protocol":
                    options = value switch
                    {
                        "grpc" => options with { OtlpProtocol = OtlpProtocol.Grpc },
                        "http/protobuf" or "http" => options with { OtlpProtocol = OtlpProtocol.HttpProtobuf },
                        _ => options,
                    };
                    error = value is "grpc" or "http/protobuf" or "http" ? null : $"--otlp-protocol must be grpc or http/protobuf, not '{value}'.";
                    break;
                case "--api-key":
                    options = options with { ApiKey = value };
                    break;
                case "--rate":
                    error = TryNumber(value, out var rate) ? null : $"--rate must be a number, not '{value}'.";
                    options = options with { Rate = rate };
                    break;
                case "--diurnal":
                    error = TrySwitch(value, out var diurnal) ? null : $"--diurnal must be on or off, not '{value}'.";
                    options = options with { Diurnal = diurnal };
                    break;
                case "--metrics-port-base":
                    error = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? null : $"--metrics-port-base must be a port number, not '{value}'.";
                    options = options with { MetricsPortBase = port };
                    break;
                case "--metrics-host":
                    options = options with { MetricsHost = value };
                    break;
                case "--incidents":
                    error = TrySwitch(value, out var incidents) ? null : $"--incidents must be on or off, not '{value}'.";
                    options = options with { Incidents = incidents };
                    break;
                case "--incident-interval":
                    error = TryDuration(value, out var interval) ? null : $"--incident-interval must be a duration like 10m, 90s or 1h, not '{value}'.";
                    options = options with { IncidentInterval = interval };
                    break;
                case "--seed":
                    error = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? null : $"--seed must be a whole number, not '{value}'.";
                    options = options with { Seed = seed };
                    break;
                default:
                    error = $"Unknown option '{name}' (see --help).";
                    break;
            }

            if (error is not null)
            {
                return (null, error, false);
            }
        }

        if (endpoint is not null && !endpoint.Equals("none", StringComparison.OrdinalIgnoreCase)
            && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            return (null, $"--otlp-endpoint must be an absolute URL like http://localhost:4317, not '{endpoint}'.", false);
        }

        options = options with
        {
            OtlpEndpoint = endpoint switch
            {
                null => new Uri(options.OtlpProtocol == OtlpProtocol.HttpProtobuf ? "http://localhost:4318" : "http://localhost:4317"),
                _ when endpoint.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
                _ => new Uri(endpoint),
            },
        };
        var problems = options.Validate();
        return problems.Count > 0 ? (null, string.Join(" ", problems), false) : (options, null, false);
    }

    private static bool TryNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    private static bool TrySwitch(string value, out bool on)
    {
        on = value is "on" or "true" or "yes" or "1";
        return on || value is "off" or "false" or "no" or "0";
    }

    private static bool TryDuration(string value, out TimeSpan duration)
    {
        duration = default;
        if (value.Length >= 2 && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            duration = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => default,
            };
            if (duration > TimeSpan.Zero)
            {
                return true;
            }
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }
}
