using nietras.SeparatedValues;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>
/// The one CSV dialect of the CLI's files: comma-separated, RFC 4180 quoting done by Sep (nietras/Sep), and the OWASP
/// formula guard on text cells. Every CSV the CLI writes or reads goes through here.
/// </summary>
internal static class CsvFormat
{
    /// <summary>Always a comma: Sep would otherwise guess the separator from the first row.</summary>
    private static readonly Sep Comma = new(',');

    /// <summary>
    /// A writer onto <paramref name="output"/> (left open) that quotes a cell holding a comma, quote or line break.
    /// Declare the header with <c>Header.Add</c> before the first row, so that a file without rows still has one.
    /// </summary>
    public static SepWriter Writer(TextWriter output) => Comma.Writer(o => o with { Escape = true }).To(output, leaveOpen: true);

    /// <summary>A reader with a header row that unquotes cells; rows may be shorter or longer than the header.</summary>
    public static SepReader ReadFile(string path) => Comma.Reader(ReaderOptions).FromFile(path);

    /// <inheritdoc cref="ReadFile"/>
    public static SepReader ReadText(string text) => Comma.Reader(ReaderOptions).FromText(text);

    private static SepReaderOptions ReaderOptions(SepReaderOptions o) => o with { Unescape = true, DisableColCountCheck = true };

    /// <summary>
    /// A text cell a spreadsheet will not run as a formula (OWASP CSV injection): a value whose first character is one of
    /// <c>= + - @</c>, tab or carriage return gets a leading <c>'</c>, as does one that already starts with <c>'</c>, so that
    /// <see cref="Unguard"/> can take exactly one <c>'</c> off again. Numbers are written as they are.
    /// </summary>
    public static string Guard(string? value) =>
        string.IsNullOrEmpty(value) ? "" : FormulaStart.Contains(value[0]) ? "'" + value : value;

    /// <summary>Takes off the <c>'</c> that <see cref="Guard"/> put before a formula-like cell.</summary>
    public static string Unguard(ReadOnlySpan<char> cell) => UnguardSpan(cell).ToString();

    /// <inheritdoc cref="Unguard"/>
    public static ReadOnlySpan<char> UnguardSpan(ReadOnlySpan<char> cell) =>
        cell.Length > 1 && cell[0] == '\'' && FormulaStart.Contains(cell[1]) ? cell[1..] : cell;

    /// <summary>A blank line (Sep reads it as one empty column); readers skip it.</summary>
    public static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row[0].Span.IsEmpty;

    /// <summary>First characters that make a spreadsheet cell a formula, and the guard character itself.</summary>
    private const string FormulaStart = "=+-@\t\r'";
}
