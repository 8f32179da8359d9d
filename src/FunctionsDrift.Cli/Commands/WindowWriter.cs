using System.Globalization;
using System.Text.Json;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Writes window results as CSV or JSON lines, one row per window in stream order.</summary>
internal static class WindowWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly string[] CsvHeader =
    [
        "window", "first", "last", "images", "drift", "p_value", "mmd2", "mmd_p", "mmd_adjusted_p", "flagged_channels",
        "start", "end", "flagged", "scored", "rate", "rate_low", "rate_high", "tested", "verdict",
    ];

    public static void Write(TextWriter w, string format, IEnumerable<WindowResult> results)
    {
        if (format == "jsonl")
        {
            foreach (var r in results) w.WriteLine(JsonSerializer.Serialize(Json(r)));
            return;
        }
        using var csv = CsvFormat.Writer(w);
        csv.Header.Add(CsvHeader);
        foreach (var r in results)
        {
            string[] cells =
            [
                CsvFormat.Guard(r.Label), CsvFormat.Guard(r.First), CsvFormat.Guard(r.Last), r.Images.ToString(Inv), r.Drift ? "true" : "false",
                Num(r.PValue), Num(r.Mmd2), Num(r.MmdPValue), Num(r.MmdAdjustedPValue),
                CsvFormat.Guard(string.Join(';', Flagged(r))),
                Time(r.Start), Time(r.End),
                r.Rate?.Flagged.ToString(Inv) ?? "", r.Rate?.Scored.ToString(Inv) ?? "", Num(r.Rate?.Rate), Num(r.Rate?.Low), Num(r.Rate?.High),
                r.Tested ? "true" : "false", CsvFormat.Guard(r.Verdict),
            ];
            using var row = csv.NewRow();
            for (int c = 0; c < cells.Length; c++) row[c].Set(cells[c]);
        }
    }

    /// <summary>Flagged channels, most significant first.</summary>
    private static IEnumerable<string> Flagged(WindowResult r) => r.FlaggedChannels.OrderBy(c => c.AdjustedPValue).Select(c => c.Channel);

    private static Dictionary<string, object?> Json(WindowResult r) => new()
    {
        ["window"] = r.Label,
        ["first"] = r.First,
        ["last"] = r.Last,
        ["images"] = r.Images,
        ["drift"] = r.Drift,
        ["p_value"] = r.PValue,
        ["mmd2"] = r.Mmd2,
        ["mmd_p"] = r.MmdPValue,
        ["mmd_adjusted_p"] = r.MmdAdjustedPValue,
        ["mmd_flagged"] = r.MmdFlagged,
        ["flagged_channels"] = Flagged(r).ToArray(),
        ["channels"] = r.Channels.Select(c => new { channel = c.Channel, ks_d = c.Statistic, p = c.PValue, adjusted_p = c.AdjustedPValue, flagged = c.Flagged }).ToArray(),
        ["start"] = r.Start,
        ["end"] = r.End,
        ["rate"] = r.Rate is { } d ? new { flagged = d.Flagged, scored = d.Scored, rate = d.Rate, low = d.Low, high = d.High } : null,
        ["tested"] = r.Tested,
        ["verdict"] = r.Verdict,
    };

    private static string Num(double? v) => v is double d ? d.ToString("G6", Inv) : "";

    private static string Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv) ?? "";
}
