using System.Globalization;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>
/// A score CSV (<c>drift score</c>, <c>drift eval --scores-out</c>, <c>drift results --format csv</c>) read back into the
/// <see cref="ResultRow"/>s that <c>ResultRowWriter</c> wrote: detectors found from the <c>{d}_score</c> columns, the
/// results table's columns where present, and a <c>timestamp</c> column taken as <c>scored_at</c> when that is missing.
/// A detector's detail is not in the CSV and reads back empty.
/// </summary>
internal sealed class ScoreTable
{
    public required IReadOnlyList<string> DetectorNames { get; init; }
    public required IReadOnlyList<ResultRow> Rows { get; init; }
    public bool HasTimestamps => Rows.Any(r => r.ScoredAt is not null);

    public static ScoreTable ReadFile(string path) => From(CsvTable.ReadFile(path), path);

    public static ScoreTable Parse(string text) => From(CsvTable.Parse(text), "scores");

    private static ScoreTable From(CsvTable t, string file)
    {
        int image = t.RequireColumn("image", file);
        int drift = t.RequireColumn("drift", file);
        var fused = t.Column("fused_p");
        var reasons = t.Column("reasons");
        var error = t.Column("error");
        var time = t.Column("scored_at") ?? t.Column("timestamp");
        var reference = t.Column("reference_version");
        var status = t.Column("status");
        var errorKind = t.Column("error_kind");
        var modified = t.Column("blob_last_modified");
        var width = t.Column("width");
        var height = t.Column("height");
        var url = t.Column("blob_url");
        var etag = t.Column("blob_etag");
        var names = t.Header.Where(h => h.EndsWith("_score", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[..^"_score".Length]).ToList();
        if (names.Count == 0) throw new CliException($"{file}: no detector columns ({{detector}}_score)");
        var cols = names.Select(n => (Name: n, S: t.Column(n + "_score"), T: t.Column(n + "_threshold"), P: t.Column(n + "_p"), F: t.Column(n + "_flag"))).ToList();
        var rows = new List<ResultRow>(t.Rows.Count);
        foreach (var row in t.Rows)
        {
            var detectors = new List<DetectorResult>(cols.Count);
            foreach (var c in cols)
            {
                if (CsvTable.Number(CsvTable.Cell(row, c.S)) is double s)
                {
                    double thr = CsvTable.Number(CsvTable.Cell(row, c.T)) ?? double.NaN;
                    double p = CsvTable.Number(CsvTable.Cell(row, c.P)) ?? double.NaN;
                    bool flag = CsvTable.Bool(CsvTable.Cell(row, c.F)) ?? (!double.IsNaN(thr) && s >= thr);
                    detectors.Add(new DetectorResult(c.Name, s, thr, p, flag, ""));
                }
            }
            bool? verdict = CsvTable.Bool(CsvTable.Cell(row, drift));
            string why = CsvTable.Cell(row, reasons);
            rows.Add(new ResultRow
            {
                Image = CsvTable.Cell(row, image),
                Drift = verdict,
                FusedP = CsvTable.Number(CsvTable.Cell(row, fused)),
                ReferenceVersion = Text(row, reference),
                Detectors = detectors,
                // The writer leaves reasons empty both when nothing fired and when the image was not scored.
                Reasons = verdict is null && why.Length == 0 ? null : why,
                Error = Text(row, error),
                Status = Text(row, status),
                ErrorKind = Text(row, errorKind),
                BlobLastModified = CsvTable.Time(CsvTable.Cell(row, modified)),
                ScoredAt = CsvTable.Time(CsvTable.Cell(row, time)),
                Width = Int(row, width),
                Height = Int(row, height),
                BlobUrl = Text(row, url),
                BlobETag = Text(row, etag),
            });
        }
        return new ScoreTable { DetectorNames = names, Rows = rows };
    }

    /// <summary>A text cell; an empty or missing one is null, as the writer writes null.</summary>
    private static string? Text(string[] row, int? column) => CsvTable.Cell(row, column) is { Length: > 0 } s ? s : null;

    private static int? Int(string[] row, int? column) =>
        int.TryParse(CsvTable.Cell(row, column), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;
}
