using System.Globalization;
using nietras.SeparatedValues;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>A small CSV file read whole (labels, scores): a header and rows of strings, read by Sep (<see cref="CsvFormat"/>).</summary>
internal sealed class CsvTable
{
    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<string[]> Rows { get; }
    private readonly Dictionary<string, int> _index;

    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        Header = header;
        Rows = rows;
        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Count; i++) _index.TryAdd(header[i].Trim(), i);
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
        if (reader.Header.IsEmpty) throw new CliException($"{name}: empty CSV (no header)");
        var header = reader.Header.ColNames.Select(h => CsvFormat.Unguard(h).Trim().TrimStart('\uFEFF')).ToArray();
        var rows = new List<string[]>();
        foreach (var row in reader)
        {
            if (row.ColCount == 1 && row[0].Span.IsEmpty) continue; // a blank line
            var cells = new string[row.ColCount];
            for (int i = 0; i < cells.Length; i++) cells[i] = CsvFormat.Unguard(row[i].Span);
            rows.Add(cells);
        }
        return new CsvTable(header, rows);
    }

    public int? Column(string name) => _index.TryGetValue(name, out int i) ? i : null;

    public int RequireColumn(string name, string file) =>
        Column(name) ?? throw new CliException($"{file}: no '{name}' column");

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
