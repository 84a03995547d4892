using System.Globalization;

namespace OpsConsole.Web.Components.Traces;

/// <summary>Colours per service (stable by index, distinguishable, readable on light and dark backgrounds) and
/// duration text for the trace views.</summary>
public static class TraceFormat
{
    private static readonly string[] Palette =
    [
        "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#a0cbe8",
    ];

    public static string ServiceColor(int index) => Palette[((index % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>A stable colour for a service name (for views that have no trace-local index).</summary>
    public static string ServiceColor(string service)
    {
        var h = 0u;
        foreach (var c in service)
        {
            h = (h * 31) + c;
        }

        return ServiceColor((int)(h % (uint)Palette.Length));
    }

    public static string Duration(TimeSpan d) => d.TotalMilliseconds switch
    {
        < 1 => (d.Ticks / 10.0).ToString("0.#", CultureInfo.InvariantCulture) + " µs",
        < 1000 => d.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture) + " ms",
        < 60_000 => d.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s",
        _ => d.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min",
    };

    public static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
