using System.Globalization;
using nietras.SeparatedValues;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>A small CSV file read whole (labels, scores): a header and rows of strings, read by Sep (<see cref="CsvFormat"/>).</summary>
internal sealed class CsvTable
{
    private readonly CsvHeader _header;

    public IReadOnlyList<string> Header => _header.Names;
    public IReadOnlyList<string[]> Rows { get; }

    private CsvTable(CsvHeader header, IReadOnlyList<string[]> rows)
    {
        _header = header;
        Rows = rows;
    }

    public static CsvTable ReadFile(string path)
    {
        if (!File.Exists(path)) throw new CliException($"file not found: {path}");
        using var reader = CsvFormat.ReadFile(path);
        return Read(reader, path);
    }

    public static CsvTable Parse(string text, string name = "csv")
    {
        using var reader = CsvFormat.ReadText(text);
        return Read(reader, name);
    }

    private static CsvTable Read(SepReader reader, string name)
    {
        var header = CsvHeader.Of(reader, name);
        var rows = new List<string[]>();
        foreach (var row in reader)
        {
            if (CsvFormat.IsBlank(row)) continue;
            var cells = new string[row.ColCount];
            for (int i = 0; i < cells.Length; i++) cells[i] = CsvFormat.Unguard(row[i].Span);
            rows.Add(cells);
        }
        return new CsvTable(header, rows);
    }

    public int? Column(string name) => _header.Column(name);

    public int RequireColumn(string name, string file) => _header.RequireColumn(name, file);

    public static string Cell(string[] row, int? column) => column is int c && c < row.Length ? row[c] : "";

    public static double? Number(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    public static bool? Bool(string s) => s.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => null,
    };

    public static DateTimeOffset? Time(string s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
