using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>Reads a <c>drift embed</c> CSV back into <see cref="ImageFeatures"/> (embedding, HSV histograms, quality).</summary>
internal static class FeatureTable
{
    public static IReadOnlyList<(string Image, ImageFeatures Features)> ReadFile(string path, out int skipped) =>
        From(CsvTable.ReadFile(path), path, out skipped);

    public static IReadOnlyList<(string Image, ImageFeatures Features)> Parse(string text, out int skipped) =>
        From(CsvTable.Parse(text), "features", out skipped);

    private static IReadOnlyList<(string, ImageFeatures)> From(CsvTable t, string file, out int skipped)
    {
        int image = t.RequireColumn("image", file);
        var error = t.Column("error");
        var width = t.Column("width");
        var height = t.Column("height");
        var emb = t.Header.Select((h, i) => (h, i)).Where(x => x.h.StartsWith("emb_", StringComparison.Ordinal)).Select(x => x.i).ToArray();
        var hsv = ColorFeatures.Channels.SelectMany(ch => Enumerable.Range(0, ColorFeatures.Bins).Select(b => t.RequireColumn($"{ch}_{b}", file))).ToArray();
        var quality = QualityFeatures.Names.Select(n => t.RequireColumn(n, file)).ToArray();
        var list = new List<(string, ImageFeatures)>(t.Rows.Count);
        skipped = 0;
        foreach (var row in t.Rows)
        {
            if (CsvTable.Cell(row, error).Length > 0 || CsvTable.Number(CsvTable.Cell(row, quality[0])) is null)
            {
                skipped++;
                continue;
            }
            float[] Read(int[] cols) => cols.Select(c => (float)(CsvTable.Number(CsvTable.Cell(row, c)) ?? double.NaN)).ToArray();
            var f = new ImageFeatures(Read(emb), Read(hsv), Read(quality), [],
                (int)(CsvTable.Number(CsvTable.Cell(row, width)) ?? 0), (int)(CsvTable.Number(CsvTable.Cell(row, height)) ?? 0));
            if (f.Embedding.Any(float.IsNaN) || f.Hsv.Any(float.IsNaN) || f.Quality.Any(float.IsNaN))
            {
                skipped++;
                continue;
            }
            list.Add((CsvTable.Cell(row, image), f));
        }
        return list;
    }
}
