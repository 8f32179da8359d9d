using System.Globalization;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>Reads a labels file (<c>image,label,kind[,params]</c>, as <c>drift augment</c> writes it) for <c>drift eval</c> and <c>drift report</c>.</summary>
internal static class LabelsFile
{
    public static Dictionary<string, ImageLabel> Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"labels file not found: {path}");
        var result = new Dictionary<string, ImageLabel>(StringComparer.Ordinal);
        if (new FileInfo(path).Length == 0) return result;
        // The RFC 4180 reader: drift augment quotes names and parameters that hold commas.
        foreach (var cells in CsvTable.ReadFile(path).Rows)
        {
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            if (cells.Length < 2 || !int.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            {
                throw new CliException($"labels file {path}: expected image,label,kind but found: {string.Join(',', cells)}");
            }
            result[cells[0]] = new ImageLabel(value, cells.Length > 2 ? cells[2] : (value == 1 ? "drift" : "none"));
        }
        return result;
    }
}
