namespace OpsConsole.Web.Api;

/// <summary>
/// CSV for the console's exports (usage, audit log): RFC 4180 records, and text cells that cannot run as spreadsheet
/// formulas.
/// </summary>
public static class CsvText
{
    /// <summary>
    /// A text cell (names, ids, actors, free text — anything a user or a client chose). One that starts the way a
    /// spreadsheet starts a formula (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return) gets a leading
    /// apostrophe, which spreadsheets show as text, so opening an export never runs what somebody typed
    /// (OWASP's advice against CSV injection). Numbers and times the console formats itself are not passed here.
    /// </summary>
    public static string Text(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    /// <summary>One RFC 4180 record: fields with a comma, quote, CR or LF are quoted, quotes doubled; CRLF ends it.</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(',', fields.Select(Quote)) + "\r\n";

    /// <summary>A field as RFC 4180 writes it.</summary>
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
