namespace FunctionsDrift.Cli.Reporting;

/// <summary>One detector's columns for one image.</summary>
internal sealed record DetectorCell(double Score, double Threshold, double PValue, bool Flag);

/// <summary>One row of a score CSV (<c>drift score</c>, <c>drift eval --scores-out</c>, <c>drift results --format csv</c>).</summary>
internal sealed record ScoreRecord(
    string Image,
    bool? Drift,
    double? FusedP,
    IReadOnlyDictionary<string, DetectorCell> Detectors,
    string Reasons,
    string Error,
    DateTimeOffset? Timestamp)
{
    public bool Scored => Drift is not null && Error.Length == 0;
}

/// <summary>A score CSV: detectors found from the <c>{d}_score</c> columns, optional <c>scored_at</c>/<c>timestamp</c>.</summary>
internal sealed class ScoreTable
{
    public required IReadOnlyList<string> DetectorNames { get; init; }
    public required IReadOnlyList<ScoreRecord> Records { get; init; }
    public bool HasTimestamps => Records.Any(r => r.Timestamp is not null);

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
        var names = t.Header.Where(h => h.EndsWith("_score", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[..^"_score".Length]).ToList();
        if (names.Count == 0) throw new CliException($"{file}: no detector columns ({{detector}}_score)");
        var cols = names.ToDictionary(n => n, n => (S: t.Column(n + "_score"), T: t.Column(n + "_threshold"), P: t.Column(n + "_p"), F: t.Column(n + "_flag")));
        var records = new List<ScoreRecord>(t.Rows.Count);
        foreach (var row in t.Rows)
        {
            var cells = new Dictionary<string, DetectorCell>(StringComparer.Ordinal);
            foreach (var n in names)
            {
                var c = cols[n];
                if (CsvTable.Number(CsvTable.Cell(row, c.S)) is double s)
                {
                    double thr = CsvTable.Number(CsvTable.Cell(row, c.T)) ?? double.NaN;
                    double p = CsvTable.Number(CsvTable.Cell(row, c.P)) ?? double.NaN;
                    bool flag = CsvTable.Bool(CsvTable.Cell(row, c.F)) ?? (!double.IsNaN(thr) && s >= thr);
                    cells[n] = new DetectorCell(s, thr, p, flag);
                }
            }
            records.Add(new ScoreRecord(
                CsvTable.Cell(row, image),
                CsvTable.Bool(CsvTable.Cell(row, drift)),
                CsvTable.Number(CsvTable.Cell(row, fused)),
                cells,
                CsvTable.Cell(row, reasons),
                CsvTable.Cell(row, error),
                CsvTable.Time(CsvTable.Cell(row, time))));
        }
        return new ScoreTable { DetectorNames = names, Records = records };
    }
}
