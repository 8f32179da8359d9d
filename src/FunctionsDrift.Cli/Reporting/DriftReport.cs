using System.Globalization;
using System.Net;
using System.Text;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Windows;
using SkiaSharp;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>A detector as the report needs it: its out-of-fold reference scores and its threshold.</summary>
internal sealed record ReportDetector(string Name, IReadOnlyList<double> Calibration, double Threshold);

/// <summary>Everything one report is made from.</summary>
internal sealed record ReportInput
{
    public required string ModelVersion { get; init; }
    public required double FalseAlarmRate { get; init; }
    public required int ReferenceImages { get; init; }
    public required IReadOnlyList<ReportDetector> Detectors { get; init; }
    public required ScoreTable Scores { get; init; }
    public IReadOnlyDictionary<string, ImageLabel>? Labels { get; init; }
    /// <summary>Folder of the scored images, for thumbnails.</summary>
    public string? ImagesDir { get; init; }
    public int Top { get; init; } = 24;
    public int ThumbWidth { get; init; } = 220;
    public string Title { get; init; } = "drift report";

    public static ReportInput FromModel(ReferenceModel model, ScoreTable scores) => new()
    {
        ModelVersion = model.Version,
        FalseAlarmRate = model.Options.FalseAlarmRate,
        ReferenceImages = model.ImageCount,
        Detectors = model.Detectors.Select(d => new ReportDetector(
            d.Detector.Name, d.Calibrator.Scores.ToArray().Select(v => (double)v).ToArray(), d.Calibrator.Threshold(model.DetectorLevel))).ToList(),
        Scores = scores,
    };
}

/// <summary>
/// The self-contained HTML report: score distributions per detector with the threshold (inline SVG), precision and
/// recall when labels are given, drift rate over time when the scores carry timestamps, and the top flagged images
/// as embedded JPEG thumbnails. No external scripts, styles, fonts or images.
/// </summary>
internal static class DriftReport
{
    public const string Fused = "fused";
    private const string RefColor = "#7f8c8d", CleanColor = "#2e86de", DriftColor = "#e67e22", TestColor = "#8e44ad";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Precision/recall rows: one per detector (its <c>_flag</c> column) and the fused verdict (<c>drift</c>).</summary>
    public static IReadOnlyList<DetectionMetrics> Metrics(ScoreTable scores, IReadOnlyDictionary<string, ImageLabel> labels, IReadOnlyList<string> detectors)
    {
        var scored = scores.Records.Where(r => r.Scored && labels.ContainsKey(r.Image)).ToList();
        return detectors.Append(Fused).Select(name => DetectionMetrics.Count(name, scored
            .Select(r => (Flag: name == Fused ? r.Drift : r.Detectors.TryGetValue(name, out var c) ? c.Flag : null, Label: labels[r.Image]))
            .Where(v => v.Flag is not null)
            .Select(v => (v.Flag!.Value, v.Label)))).ToList();
    }

    /// <summary>Flag-rate buckets over time: a period chosen so that there are at most ~48 buckets.</summary>
    public static IReadOnlyList<RatePoint> RateOverTime(ScoreTable scores)
    {
        var timed = scores.Records.Where(r => r.Scored && r.Timestamp is not null).OrderBy(r => r.Timestamp).ToList();
        if (timed.Count == 0) return [];
        var span = timed[^1].Timestamp!.Value - timed[0].Timestamp!.Value;
        TimeSpan[] periods = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
            TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];
        var period = periods.FirstOrDefault(p => span / p <= 48, periods[^1]);
        var origin = new DateTimeOffset(timed[0].Timestamp!.Value.UtcTicks / period.Ticks * period.Ticks, TimeSpan.Zero);
        return timed.GroupBy(r => (r.Timestamp!.Value.UtcTicks - origin.UtcTicks) / period.Ticks).Select(g =>
        {
            int n = g.Count(), k = g.Count(r => r.Drift == true);
            var (lo, hi) = TwoSampleTests.Wilson(k, n);
            return new RatePoint(origin + g.Key * period, (double)k / n, lo, hi, n);
        }).ToList();
    }

    public static string Build(ReportInput input)
    {
        var scores = input.Scores;
        var labels = input.Labels;
        var scored = scores.Records.Where(r => r.Scored).ToList();
        int flagged = scored.Count(r => r.Drift == true);
        var sb = new StringBuilder();
        sb.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(input.Title)}}</title>
            <style>
              body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
              main { max-width: 1220px; margin: 0 auto; padding: 20px 24px 40px; }
              h1 { font-size: 24px; margin: 4px 0 6px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
              .sub { color: #59636e; margin: 0 0 14px; }
              .cards { display: flex; gap: 12px; flex-wrap: wrap; }
              .card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
              .card b { display: block; font-size: 22px; } .card span { color: #59636e; font-size: 13px; }
              .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 12px; }
              .plots svg, .wide svg { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; max-width: 100%; height: auto; }
              svg text { font-family: system-ui, sans-serif; } .pt { font-size: 14px; font-weight: 600; } .tick { font-size: 11px; fill: #59636e; }
              .axis { font-size: 12px; fill: #1f2328; } .legend { font-size: 12px; } .thr { font-size: 12px; fill: #c0392b; font-weight: 600; }
              .grid { stroke: #eaeef2; } .frame { stroke: #8c959f; }
              table { border-collapse: collapse; background: #fff; font-size: 14px; }
              th, td { border: 1px solid #d0d7de; padding: 5px 10px; } th { background: #f0f3f6; text-align: left; }
              td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.fused td { font-weight: 600; }
              .thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax({{input.ThumbWidth}}px, 1fr)); gap: 12px; }
              figure { margin: 0; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; font-size: 12px; }
              figure img { width: 100%; height: auto; display: block; border-radius: 3px; }
              .noimg { height: 120px; display: flex; align-items: center; justify-content: center; background: #eaeef2; color: #59636e; border-radius: 3px; }
              figcaption { margin-top: 6px; word-break: break-all; } figcaption b { font-size: 13px; } .reasons { color: #9a3412; }
              .note { color: #59636e; font-size: 13px; max-width: 900px; }
            </style>
            </head>
            <body>
            <main>
            <h1>{{E(input.Title)}}</h1>
            <p class="sub">reference model <code>{{E(input.ModelVersion)}}</code> fitted on {{input.ReferenceImages}} images · target false-alarm rate {{input.FalseAlarmRate.ToString("P1", Inv)}} (fused), {{(input.FalseAlarmRate / Math.Max(1, input.Detectors.Count)).ToString("P2", Inv)}} per detector</p>
            <div class="cards">
              <div class="card"><b>{{scored.Count}}</b><span>images scored</span></div>
              <div class="card"><b>{{flagged}}</b><span>flagged as drift ({{(scored.Count == 0 ? 0 : (double)flagged / scored.Count).ToString("P1", Inv)}})</span></div>
              <div class="card"><b>{{scores.Records.Count - scored.Count}}</b><span>unreadable / errors</span></div>
            """);
        if (labels is not null)
        {
            int drifted = scored.Count(r => labels.TryGetValue(r.Image, out var l) && l.Value == 1);
            int clean = scored.Count(r => labels.TryGetValue(r.Image, out var l) && l.Value != 1);
            sb.Append(Inv, $"  <div class=\"card\"><b>{drifted} / {clean}</b><span>labelled drifted / clean</span></div>\n");
        }
        sb.Append("</div>\n");

        // The key figure: score distributions with thresholds.
        sb.Append("<h2>Score distributions</h2>\n<p class=\"note\">Share of images per score bin: the reference's out-of-fold calibration scores (what a clean image scores when the detector has not seen it), ");
        sb.Append(labels is not null ? "the clean and the drifted test images" : "the test images");
        sb.Append(". The dashed line is the detector's threshold; images to its right are flagged by that detector.</p>\n<div class=\"plots\">\n");
        foreach (var d in input.Detectors)
        {
            var series = new List<HistogramSeries> { new("reference (out-of-fold)", RefColor, d.Calibration) };
            var rows = scored.Where(r => r.Detectors.ContainsKey(d.Name)).ToList();
            if (labels is not null)
            {
                series.Add(new("clean test", CleanColor, rows.Where(r => labels.TryGetValue(r.Image, out var l) && l.Value != 1).Select(r => r.Detectors[d.Name].Score).ToList()));
                series.Add(new("drifted test", DriftColor, rows.Where(r => labels.TryGetValue(r.Image, out var l) && l.Value == 1).Select(r => r.Detectors[d.Name].Score).ToList()));
            }
            else
            {
                series.Add(new("test", TestColor, rows.Select(r => r.Detectors[d.Name].Score).ToList()));
            }
            sb.Append(SvgPlot.Histogram($"hist-{d.Name}", $"{d.Name} score", series, d.Threshold)).Append('\n');
        }
        sb.Append("</div>\n");

        var detectorNames = input.Detectors.Select(d => d.Name).Where(n => scores.DetectorNames.Contains(n)).ToList();
        if (labels is not null)
        {
            AppendMetrics(sb, Metrics(scores, labels, detectorNames));
        }
        else
        {
            AppendFlagRates(sb, scored, detectorNames);
        }

        if (scores.HasTimestamps)
        {
            var points = RateOverTime(scores);
            sb.Append("<h2>Drift rate over time</h2>\n<p class=\"note\">Share of images flagged per time bucket, with a Wilson 95 % confidence band. Without drift it should stay near the target false-alarm rate (dashed).</p>\n<div class=\"wide\">");
            sb.Append(SvgPlot.RateOverTime("drift-rate", "flagged images over time", points, input.FalseAlarmRate)).Append("</div>\n");
        }

        AppendTopFlagged(sb, input, scored);
        sb.Append("<p class=\"note\">Made by <code>drift report</code>. Self-contained: plots are inline SVG and thumbnails embedded JPEG; nothing is loaded from the network.</p>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void AppendMetrics(StringBuilder sb, IReadOnlyList<DetectionMetrics> rows)
    {
        sb.Append("<h2>Precision and recall</h2>\n<table data-table=\"metrics\">\n<tr><th>detector</th><th>precision</th><th>recall</th><th>true positives</th><th>false alarms</th><th>missed</th><th>false-alarm rate</th></tr>\n");
        foreach (var r in rows)
        {
            sb.Append(Inv, $"<tr data-detector=\"{E(r.Name)}\"{(r.Name == Fused ? " class=\"fused\"" : "")}><td>{E(r.Name)}</td><td class=\"n\">{r.Precision:P1}</td><td class=\"n\">{r.Recall:P1}</td><td class=\"n\">{r.Tp}</td><td class=\"n\">{r.Fp}</td><td class=\"n\">{r.Fn}</td><td class=\"n\">{r.FalseAlarmRate:P1}</td></tr>\n");
        }
        sb.Append("</table>\n");
        var kinds = rows.SelectMany(r => r.PerKind.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (kinds.Count == 0) return;
        sb.Append("<h2>Recall per drift kind</h2>\n<table data-table=\"per-kind\">\n<tr><th>kind</th>");
        foreach (var r in rows) sb.Append(Inv, $"<th>{E(r.Name)}</th>");
        sb.Append("</tr>\n");
        foreach (var k in kinds)
        {
            sb.Append(Inv, $"<tr data-kind=\"{E(k)}\"><td>{E(k)}</td>");
            foreach (var r in rows)
            {
                sb.Append(r.PerKind.TryGetValue(k, out var v)
                    ? string.Create(Inv, $"<td class=\"n\" style=\"background:{Heat((double)v.Hit / v.Total)}\">{v.Hit}/{v.Total}</td>")
                    : "<td class=\"n\">–</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");
    }

    private static string Heat(double recall) =>
        // White (0) to green (1).
        string.Create(Inv, $"rgba(46,160,67,{0.08 + 0.5 * recall:0.00})");

    private static void AppendFlagRates(StringBuilder sb, IReadOnlyList<ScoreRecord> scored, IReadOnlyList<string> detectors)
    {
        sb.Append("<h2>Flag rates</h2>\n<p class=\"note\">No labels given (<code>--labels</code>): share of images each detector flags.</p>\n<table data-table=\"flag-rates\">\n<tr><th>detector</th><th>flagged</th><th>rate</th><th>95 % CI</th></tr>\n");
        foreach (var name in detectors.Append(Fused))
        {
            var flags = scored.Select(r => name == Fused ? r.Drift : r.Detectors.TryGetValue(name, out var c) ? c.Flag : (bool?)null).Where(f => f is not null).ToList();
            int k = flags.Count(f => f == true);
            var (lo, hi) = TwoSampleTests.Wilson(k, flags.Count);
            double rate = flags.Count == 0 ? 0 : (double)k / flags.Count;
            sb.Append(Inv, $"<tr data-detector=\"{E(name)}\"{(name == Fused ? " class=\"fused\"" : "")}><td>{E(name)}</td><td class=\"n\">{k}/{flags.Count}</td><td class=\"n\">{rate:P1}</td><td class=\"n\">{lo:P1}–{hi:P1}</td></tr>\n");
        }
        sb.Append("</table>\n");
    }

    private static void AppendTopFlagged(StringBuilder sb, ReportInput input, IReadOnlyList<ScoreRecord> scored)
    {
        var top = scored.Where(r => r.Drift == true).OrderBy(r => r.FusedP ?? 1).ThenBy(r => r.Image, StringComparer.Ordinal).Take(input.Top).ToList();
        int total = scored.Count(r => r.Drift == true);
        sb.Append(Inv, $"<h2>Top flagged images</h2>\n<p class=\"note\">The {top.Count} most significant of {total} flagged images, by fused p-value.{(input.ImagesDir is null ? " Run with <code>--images DIR</code> for thumbnails." : "")}</p>\n<div class=\"thumbs\">\n");
        foreach (var r in top)
        {
            sb.Append("<figure data-image=\"").Append(E(r.Image)).Append("\">");
            var thumb = input.ImagesDir is null ? null : Thumbnail(input.ImagesDir, r.Image, input.ThumbWidth);
            sb.Append(thumb is null
                ? "<div class=\"noimg\">no thumbnail</div>"
                : $"<img data-thumb=\"1\" alt=\"{E(r.Image)}\" src=\"data:image/jpeg;base64,{thumb}\">");
            sb.Append("<figcaption><b>").Append(E(r.Image)).Append("</b><br>");
            sb.Append(Inv, $"fused p = {SvgPlot.PValue(r.FusedP ?? double.NaN)}");
            if (input.Labels?.TryGetValue(r.Image, out var l) == true) sb.Append(Inv, $" · label: {E(l.Value == 1 ? l.Kind : "clean")}");
            var byDetector = r.Detectors.Where(kv => kv.Value.Flag).Select(kv => $"{kv.Key} p={SvgPlot.PValue(kv.Value.PValue)}").ToList();
            if (byDetector.Count > 0) sb.Append("<br>").Append(E(string.Join(", ", byDetector)));
            if (r.Reasons.Length > 0) sb.Append("<br><span class=\"reasons\">").Append(E(r.Reasons)).Append("</span>");
            sb.Append("</figcaption></figure>\n");
        }
        sb.Append("</div>\n");
    }

    /// <summary>A base64 JPEG thumbnail of <paramref name="image"/> inside <paramref name="dir"/>, or null when unreadable.</summary>
    internal static string? Thumbnail(string dir, string image, int width)
    {
        // With the trailing separator, a sibling folder that shares the prefix ("imgs" and "imgs-private") is outside.
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, image));
        if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path)) return null;
        try
        {
            using var bitmap = ImageLoader.LoadFile(path);
            int w = Math.Min(width, bitmap.Width);
            int h = Math.Max(1, (int)Math.Round((double)bitmap.Height * w / bitmap.Width));
            using var small = bitmap.Resize(new SKImageInfo(w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            if (small is null) return null;
            using var data = small.Encode(SKEncodedImageFormat.Jpeg, 78);
            return data is null ? null : Convert.ToBase64String(data.AsSpan());
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
