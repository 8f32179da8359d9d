using nietras.SeparatedValues;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>
/// A CSV file's column names as the CLI looks them up: trimmed, without a byte-order mark, case-insensitive, the first of
/// two equal names winning.
/// </summary>
internal sealed class CsvHeader
{
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Names { get; }

    private CsvHeader(IReadOnlyList<string> names)
    {
        Names = names;
        for (int i = 0; i < names.Count; i++) _index.TryAdd(names[i], i);
    }

    /// <summary>The header of <paramref name="reader"/>; a clear error when the file has none.</summary>
    public static CsvHeader Of(SepReader reader, string file) => reader.Header.IsEmpty
        ? throw new CliException($"{file}: empty CSV (no header)")
        : new CsvHeader(reader.Header.ColNames.Select(h => CsvFormat.Unguard(h).Trim().TrimStart('\uFEFF')).ToArray());

    public int? Column(string name) => _index.TryGetValue(name, out int i) ? i : null;

    public int RequireColumn(string name, string file) =>
        Column(name) ?? throw new CliException($"{file}: no '{name}' column");
}
