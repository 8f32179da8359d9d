using System.Globalization;
using System.Text.Json;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// Writes <see cref="ResultRow"/>s as CSV (one column group per detector) or JSON lines, for <c>drift score</c>,
/// <c>drift eval --scores-out</c> and <c>drift results</c>. Rows from the results table add the table's columns after
/// the verdict's.
/// </summary>
internal static class ResultRowWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>File JSON spells the row's fields as the CSV header does: snake_case.</summary>
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly string[] TableColumns =
        ["reference_version", "status", "error_kind", "blob_last_modified", "scored_at", "width", "height", "blob_url", "blob_etag"];

    /// <param name="w">Where to write; left open.</param>
    /// <param name="format"><c>csv</c> or <c>jsonl</c>.</param>
    /// <param name="detectors">The detectors' column groups, in order (CSV only).</param>
    /// <param name="rows">The rows, in output order.</param>
    /// <param name="tableColumns">Add the results table's columns (CSV only; JSON lines hold whatever the rows have).</param>
    public static void Write(TextWriter w, string format, IReadOnlyList<string> detectors, IEnumerable<ResultRow> rows, bool tableColumns = false)
    {
        if (format == "jsonl")
        {
            foreach (var r in rows) w.WriteLine(JsonSerializer.Serialize(r, Json));
            return;
        }
        var header = new List<string> { "image", "drift", "fused_p" };
        foreach (var d in detectors) header.AddRange([$"{d}_score", $"{d}_threshold", $"{d}_p", $"{d}_flag"]);
        header.AddRange(["reasons", "error"]);
        if (tableColumns) header.AddRange(TableColumns);
        using var csv = CsvFormat.Writer(w);
        csv.Header.Add(header);
        foreach (var r in rows)
        {
            using var row = csv.NewRow();
            int c = 0;
            row[c++].Set(CsvFormat.Guard(r.Image));
            row[c++].Set(Bool(r.Drift));
            row[c++].Set(Num(r.FusedP, "G6"));
            foreach (var name in detectors)
            {
                var d = r.Detectors.FirstOrDefault(x => x.Detector == name);
                row[c++].Set(Num(d?.Score, "G6"));
                row[c++].Set(Num(d?.Threshold, "G6"));
                row[c++].Set(Num(d?.PValue, "G4"));
                row[c++].Set(Bool(d?.Flag));
            }
            row[c++].Set(CsvFormat.Guard(r.Reasons));
            row[c++].Set(CsvFormat.Guard(r.Error));
            if (!tableColumns) continue;
            row[c++].Set(CsvFormat.Guard(r.ReferenceVersion));
            row[c++].Set(CsvFormat.Guard(r.Status));
            row[c++].Set(CsvFormat.Guard(r.ErrorKind));
            row[c++].Set(r.BlobLastModified?.ToString("o", Inv) ?? "");
            row[c++].Set(r.ScoredAt?.ToString("o", Inv) ?? "");
            row[c++].Set(r.Width?.ToString(Inv) ?? "");
            row[c++].Set(r.Height?.ToString(Inv) ?? "");
            row[c++].Set(CsvFormat.Guard(r.BlobUrl));
            row[c++].Set(CsvFormat.Guard(r.BlobETag));
        }
    }

    /// <summary>
    /// The detectors that <paramref name="rows"/> hold, in the registry's order (<see cref="DetectorKinds.All"/>), then any
    /// the registry does not know in order of appearance.
    /// </summary>
    public static IReadOnlyList<string> DetectorsOf(IEnumerable<ResultRow> rows)
    {
        var seen = rows.SelectMany(r => r.Detectors.Select(d => d.Detector)).Distinct(StringComparer.Ordinal).ToList();
        var known = DetectorKinds.All.Select(k => k.Name).ToList();
        return [.. known.Where(seen.Contains), .. seen.Where(n => !known.Contains(n))];
    }

    private static string Bool(bool? value) => value switch { true => "true", false => "false", null => "" };

    private static string Num(double? value, string format) => value?.ToString(format, Inv) ?? "";
}
