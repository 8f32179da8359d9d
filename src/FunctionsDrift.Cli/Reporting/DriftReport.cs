using System.Globalization;
using System.Net;
using System.Text;
using FunctionsDrift.Core.Scoring;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>
/// The self-contained HTML report: score distributions per detector with the threshold (inline SVG), precision and
/// recall when labels are given, drift rate over time when the scores carry timestamps, and the top flagged images
/// as embedded JPEG thumbnails. No external scripts, styles, fonts or images.
/// </summary>
internal static class DriftReport
{
    private const string Fused = ScoreMetrics.Fused;
    private const string RefColor = "#7f8c8d", CleanColor = "#2e86de", DriftColor = "#e67e22", TestColor = "#8e44ad";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string E(string s) => WebUtility.HtmlEncode(s);

    public static string Build(ReportInput input)
    {
        var scores = input.Scores;
        var labels = input.Labels;
        var scored = scores.Rows.Where(r => r.IsScored()).ToList();
        int flagged = scored.Count(r => r.Drift == true);
        var sb = HtmlPage.AppendHead(new StringBuilder(), input.Title, ReportStyle.Css(input.ThumbWidth), viewport: true);
        sb.Append($$"""
            <main>
            <h1>{{E(input.Title)}}</h1>
            <p class="sub">reference model <code>{{E(input.ModelVersion)}}</code> fitted on {{input.ReferenceImages}} images · target false-alarm rate {{input.FalseAlarmRate.ToString("P1", Inv)}} (fused), {{(input.FalseAlarmRate / Math.Max(1, input.Detectors.Count)).ToString("P2", Inv)}} per detector</p>
            <div class="cards">
              <div class="card"><b>{{scored.Count}}</b><span>images scored</span></div>
              <div class="card"><b>{{flagged}}</b><span>flagged as drift ({{(scored.Count == 0 ? 0 : (double)flagged / scored.Count).ToString("P1", Inv)}})</span></div>
              <div class="card"><b>{{scores.Rows.Count - scored.Count}}</b><span>unreadable / errors</span></div>
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
            var rows = scored.Where(r => r.Detector(d.Name) is not null).ToList();
            if (labels is not null)
            {
                series.Add(new("clean test", CleanColor, rows.Where(r => labels.TryGetValue(r.Image, out var l) && l.Value != 1).Select(r => r.Detector(d.Name)!.Score).ToList()));
                series.Add(new("drifted test", DriftColor, rows.Where(r => labels.TryGetValue(r.Image, out var l) && l.Value == 1).Select(r => r.Detector(d.Name)!.Score).ToList()));
            }
            else
            {
                series.Add(new("test", TestColor, rows.Select(r => r.Detector(d.Name)!.Score).ToList()));
            }
            sb.Append(SvgPlot.Histogram($"hist-{d.Name}", $"{d.Name} score", series, d.Threshold)).Append('\n');
        }
        sb.Append("</div>\n");

        var detectorNames = input.Detectors.Select(d => d.Name).Where(n => scores.DetectorNames.Contains(n)).ToList();
        if (labels is not null)
        {
            AppendMetrics(sb, ScoreMetrics.PerDetector(scores, labels, detectorNames));
        }
        else
        {
            AppendFlagRates(sb, scored, detectorNames);
        }

        if (scores.HasTimestamps)
        {
            var points = FlagRateOverTime.Compute(scores);
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

    private static void AppendFlagRates(StringBuilder sb, IReadOnlyList<ResultRow> scored, IReadOnlyList<string> detectors)
    {
        sb.Append("<h2>Flag rates</h2>\n<p class=\"note\">No labels given (<code>--labels</code>): share of images each detector flags.</p>\n<table data-table=\"flag-rates\">\n<tr><th>detector</th><th>flagged</th><th>rate</th><th>95 % CI</th></tr>\n");
        foreach (var name in detectors.Append(Fused))
        {
            var flags = scored.Select(r => ScoreMetrics.Flag(r, name)).Where(f => f is not null).ToList();
            int k = flags.Count(f => f == true);
            var (lo, hi) = TwoSampleTests.Wilson(k, flags.Count);
            double rate = flags.Count == 0 ? 0 : (double)k / flags.Count;
            sb.Append(Inv, $"<tr data-detector=\"{E(name)}\"{(name == Fused ? " class=\"fused\"" : "")}><td>{E(name)}</td><td class=\"n\">{k}/{flags.Count}</td><td class=\"n\">{rate:P1}</td><td class=\"n\">{lo:P1}–{hi:P1}</td></tr>\n");
        }
        sb.Append("</table>\n");
    }

    private static void AppendTopFlagged(StringBuilder sb, ReportInput input, IReadOnlyList<ResultRow> scored)
    {
        var top = scored.Where(r => r.Drift == true).OrderBy(r => r.FusedP ?? 1).ThenBy(r => r.Image, StringComparer.Ordinal).Take(input.Top).ToList();
        int total = scored.Count(r => r.Drift == true);
        sb.Append(Inv, $"<h2>Top flagged images</h2>\n<p class=\"note\">The {top.Count} most significant of {total} flagged images, by fused p-value.{(input.ImagesDir is null ? " Run with <code>--images DIR</code> for thumbnails." : "")}</p>\n<div class=\"thumbs\">\n");
        foreach (var r in top)
        {
            sb.Append("<figure data-image=\"").Append(E(r.Image)).Append("\">");
            var thumb = input.ImagesDir is null ? null : Thumbnail.Base64Jpeg(input.ImagesDir, r.Image, input.ThumbWidth);
            sb.Append(thumb is null
                ? "<div class=\"noimg\">no thumbnail</div>"
                : $"<img data-thumb=\"1\" alt=\"{E(r.Image)}\" src=\"data:image/jpeg;base64,{thumb}\">");
            sb.Append("<figcaption><b>").Append(E(r.Image)).Append("</b><br>");
            sb.Append(Inv, $"fused p = {SvgPlot.PValue(r.FusedP ?? double.NaN)}");
            if (input.Labels?.TryGetValue(r.Image, out var l) == true) sb.Append(Inv, $" · label: {E(l.Value == 1 ? l.Kind : "clean")}");
            var byDetector = r.Detectors.Where(d => d.Flag).Select(d => $"{d.Detector} p={SvgPlot.PValue(d.PValue)}").ToList();
            if (byDetector.Count > 0) sb.Append("<br>").Append(E(string.Join(", ", byDetector)));
            if (!string.IsNullOrEmpty(r.Reasons)) sb.Append("<br><span class=\"reasons\">").Append(E(r.Reasons)).Append("</span>");
            sb.Append("</figcaption></figure>\n");
        }
        sb.Append("</div>\n");
    }
}
