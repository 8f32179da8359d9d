using System.Globalization;
using System.Text;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>A CSV file read whole: a header and rows of strings (RFC 4180 quoting, quoted line breaks allowed).</summary>
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
        return Parse(File.ReadAllText(path), path);
    }

    public static CsvTable Parse(string text, string name = "csv")
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; any = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); any = true; break;
                case '\r': break;
                case '\n':
                    if (any || field.Length > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
                    fields.Clear(); field.Clear(); any = false;
                    break;
                default: field.Append(c); any = true; break;
            }
        }
        if (any || field.Length > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
        foreach (var record in records)
        {
            for (int k = 0; k < record.Length; k++) record[k] = Unguard(record[k]);
        }
        if (records.Count == 0) throw new CliException($"{name}: empty CSV (no header)");
        return new CsvTable(records[0].Select(h => h.Trim().TrimStart('\uFEFF')).ToArray(), records.Skip(1).ToList());
    }

    /// <summary>Takes off the <c>'</c> that <see cref="Commands.ScoreWriter.Csv"/> puts before a formula-like cell.</summary>
    private static string Unguard(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && Commands.ScoreWriter.FormulaStart.Contains(cell[1]) ? cell[1..] : cell;

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
