namespace OpsConsole.Web.Tests.Infrastructure;

public static class UriExtensions
{
    /// <summary>The path and query of a redirect, whether the server sent it relative or absolute.</summary>
    public static string PathAndQuery(this Uri uri) =>
        uri.IsAbsoluteUri ? uri.PathAndQuery : new Uri(new Uri("http://localhost"), uri).PathAndQuery;
}
