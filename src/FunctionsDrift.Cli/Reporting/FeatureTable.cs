using System.Globalization;
using FunctionsDrift.Core.Features;
using nietras.SeparatedValues;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>Reads a <c>drift embed</c> CSV back into <see cref="ImageFeatures"/> (embedding, HSV histograms, quality).</summary>
/// <remarks>
/// An embed file has about 600 columns a row, so cells are parsed from Sep's spans: only the image name becomes a string.
/// </remarks>
internal static class FeatureTable
{
    public static IReadOnlyList<(string Image, ImageFeatures Features)> ReadFile(string path, out int skipped)
    {
        if (!File.Exists(path)) throw new CliException($"file not found: {path}");
        using var reader = CsvFormat.ReadFile(path);
        return Read(reader, path, out skipped);
    }

    public static IReadOnlyList<(string Image, ImageFeatures Features)> Parse(string text, out int skipped)
    {
        using var reader = CsvFormat.ReadText(text);
        return Read(reader, "features", out skipped);
    }

    private static List<(string, ImageFeatures)> Read(SepReader reader, string file, out int skipped)
    {
        var t = CsvHeader.Of(reader, file);
        int image = t.RequireColumn("image", file);
        var error = t.Column("error");
        var width = t.Column("width");
        var height = t.Column("height");
        var emb = t.Names.Select((h, i) => (h, i)).Where(x => x.h.StartsWith("emb_", StringComparison.Ordinal)).Select(x => x.i).ToArray();
        var hsv = ColorFeatures.Channels.SelectMany(ch => Enumerable.Range(0, ColorFeatures.Bins).Select(b => t.RequireColumn($"{ch}_{b}", file))).ToArray();
        var quality = QualityFeatures.Names.Select(n => t.RequireColumn(n, file)).ToArray();
        var list = new List<(string, ImageFeatures)>();
        skipped = 0;
        foreach (var row in reader)
        {
            if (CsvFormat.IsBlank(row)) continue;
            if (!Cell(row, error).IsEmpty || Number(Cell(row, quality[0])) is null)
            {
                skipped++;
                continue;
            }
            var f = new ImageFeatures(Floats(row, emb), Floats(row, hsv), Floats(row, quality), [],
                (int)(Number(Cell(row, width)) ?? 0), (int)(Number(Cell(row, height)) ?? 0));
            if (f.Embedding.Any(float.IsNaN) || f.Hsv.Any(float.IsNaN) || f.Quality.Any(float.IsNaN))
            {
                skipped++;
                continue;
            }
            list.Add((CsvFormat.Unguard(Cell(row, image)), f));
        }
        return list;
    }

    /// <summary>The cell, or empty when the row is shorter than the header.</summary>
    private static ReadOnlySpan<char> Cell(SepReader.Row row, int? column) =>
        column is int c && c < row.ColCount ? CsvFormat.UnguardSpan(row[c].Span) : default;

    private static float[] Floats(SepReader.Row row, int[] columns)
    {
        var values = new float[columns.Length];
        for (int i = 0; i < columns.Length; i++) values[i] = (float)(Number(Cell(row, columns[i])) ?? double.NaN);
        return values;
    }

    private static double? Number(ReadOnlySpan<char> s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
}
