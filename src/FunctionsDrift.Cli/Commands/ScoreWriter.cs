using System.Globalization;
using System.Text.Json;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Commands;

/// <summary>One scored file: its name and either a result or an error.</summary>
internal sealed record ScoredRow(string Image, ScoreResult? Result, string? Error);

/// <summary>Writes score rows as CSV (one column group per detector) or JSON lines.</summary>
internal static class ScoreWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(TextWriter w, string format, IReadOnlyList<string> detectors, IEnumerable<ScoredRow> rows)
    {
        if (format == "jsonl")
        {
            foreach (var r in rows)
            {
                var obj = new Dictionary<string, object?>
                {
                    ["image"] = r.Image,
                    ["drift"] = r.Result?.Drift,
                    ["fused_p"] = r.Result?.FusedPValue,
                    ["reference_version"] = r.Result?.ReferenceVersion,
                    ["detectors"] = r.Result?.Detectors.ToDictionary(d => d.Detector, d => new { score = d.Score, threshold = d.Threshold, p = d.PValue, flag = d.Flag, detail = d.Detail }),
                    ["reasons"] = r.Result?.Reasons,
                    ["error"] = r.Error,
                };
                w.WriteLine(JsonSerializer.Serialize(obj));
            }
            return;
        }
        var header = new List<string> { "image", "drift", "fused_p" };
        foreach (var d in detectors)
        {
            header.AddRange([$"{d}_score", $"{d}_threshold", $"{d}_p", $"{d}_flag"]);
        }
        header.AddRange(["reasons", "error"]);
        w.WriteLine(string.Join(',', header));
        foreach (var r in rows)
        {
            var cells = new List<string> { Csv(r.Image) };
            if (r.Result is { } res)
            {
                cells.Add(res.Drift ? "true" : "false");
                cells.Add(res.FusedPValue.ToString("G6", Inv));
                foreach (var d in res.Detectors)
                {
                    cells.AddRange([d.Score.ToString("G6", Inv), d.Threshold.ToString("G6", Inv), d.PValue.ToString("G4", Inv), d.Flag ? "true" : "false"]);
                }
                cells.Add(Csv(res.Reasons));
                cells.Add("");
            }
            else
            {
                cells.Add("");
                cells.Add("");
                foreach (var _ in detectors) cells.AddRange(["", "", "", ""]);
                cells.Add("");
                cells.Add(Csv(r.Error ?? ""));
            }
            w.WriteLine(string.Join(',', cells));
        }
    }

    /// <summary>
    /// One CSV text cell: a value that a spreadsheet would run as a formula (OWASP CSV injection: a first character of
    /// <c>= + - @</c>, tab or carriage return) gets a leading <c>'</c>, as does one that already starts with <c>'</c>, so that
    /// <see cref="Reporting.CsvTable"/> can take exactly one <c>'</c> off again; then RFC 4180 quoting.
    /// </summary>
    public static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (FormulaStart.Contains(value[0])) value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <summary>First characters that make a spreadsheet cell a formula, and the guard character itself.</summary>
    internal const string FormulaStart = "=+-@\t\r'";
}
