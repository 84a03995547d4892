using System.Text;

namespace OpsConsole.Web.Tests.Infrastructure;

public static class JsonBody
{
    /// <summary>A request body of raw JSON text (so tests can send malformed and unusual JSON too).</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
